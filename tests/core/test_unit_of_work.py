"""The request's unit of work ends the transaction and then runs what must follow its outcome
(app/core/db.py `on_commit`/`on_rollback`): an upload whose commit fails leaves no stored bytes
behind, and the same upload then goes through."""

from __future__ import annotations

import hashlib

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import documents
from tests.support.attachments import stored_files, upload
from tests.support.factories import create

REFUSE = (
    """CREATE FUNCTION refuse_attachment_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = 'check_violation'; END $$""",
    """CREATE CONSTRAINT TRIGGER refuse_attachment_at_commit AFTER INSERT ON attachments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.filename LIKE 'refused%')
    EXECUTE FUNCTION refuse_attachment_at_commit()""",
)
ALLOW = (
    "DROP TRIGGER IF EXISTS refuse_attachment_at_commit ON attachments",
    "DROP FUNCTION IF EXISTS refuse_attachment_at_commit()",
)


async def test_an_upload_whose_commit_fails_leaves_no_bytes(
    committed_client: httpx.AsyncClient, editor_committed: dict[str, str], engine: AsyncEngine
) -> None:
    record = await create(committed_client, editor_committed, "publication")
    path = f"/v1/publications/{record['slug']}"
    content = documents.text_pdf(["Памятка мигранту: договор и патент"])
    sha = hashlib.sha256(content).hexdigest()
    async with engine.begin() as conn:
        for statement in REFUSE:
            await conn.exec_driver_sql(statement)
    try:
        refused = await upload(committed_client, editor_committed, path, content, "refused.pdf")
        assert refused.status_code == 409, refused.text
        assert sha not in stored_files()
        assert (await committed_client.get(f"{path}/attachments")).json()["items"] == []
    finally:
        async with engine.begin() as conn:
            for statement in ALLOW:
                await conn.exec_driver_sql(statement)
    made = await upload(committed_client, editor_committed, path, content, "kept.pdf")
    assert made.status_code == 201, made.text
    assert sha in stored_files()
