"""Text extraction in the background: the real job queue (procrastinate on the test database), the
real worker, Debian's Tesseract. Text layers are read as they are; scans in Russian, Kyrgyz and
Uzbek are read by OCR in the attachment's languages; documents that cannot be read end `failed`
with the reason, and the worker goes on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.text import fold
from app.models import AttachmentPage
from app.ops.gauges import refresh_gauges
from tests.support import documents
from tests.support.attachments import attach, extraction
from tests.support.factories import create
from tests.support.fixtures import Desk
from tests.support.servers import run_jobs

pytestmark = pytest.mark.skipif(
    not __import__("shutil").which("tesseract"), reason="needs Debian's tesseract-ocr (make installs it)"
)


async def page_texts(
    committed: async_sessionmaker[AsyncSession], attachment_id: str
) -> list[tuple[int, str, str]]:
    async with committed() as session:
        rows = await session.execute(
            select(AttachmentPage.page, AttachmentPage.method, AttachmentPage.text)
            .where(AttachmentPage.attachment_id == attachment_id)
            .order_by(AttachmentPage.page)
        )
        return [(r.page, r.method, r.text) for r in rows]


def words_found(expected: str, text: str) -> float:
    """Share of the expected words (4 letters or more) that the text holds, case and script folded."""
    want = [w for w in re.findall(r"\w+", fold(expected)) if len(w) >= 4]
    have = set(re.findall(r"\w+", fold(text)))
    return sum(w in have for w in want) / len(want)


async def test_text_layers_and_office_documents_are_read_page_by_page(desk: Desk) -> None:
    client, editor, committed, database_url = desk.client, desk.editor, desk.committed, desk.database_url
    pub = await create(client, editor, "publication")
    path = f"/v1/publications/{pub['slug']}"
    made = {
        "pdf": await attach(
            client,
            editor,
            path,
            documents.text_pdf(["Права трудовых мигрантов", "Статья 2. Регистрация по месту пребывания"]),
            "report.pdf",
            "ru",
        ),
        "docx": await attach(
            client, editor, path, documents.docx([["Первая страница отчёта"], ["Вторая страница"]]), "r.docx"
        ),
        "odt": await attach(
            client, editor, path, documents.odt(["Mehnat muhojirlari huquqlari", "Oʻzbekiston"]), "r.odt"
        ),
        "html": await attach(
            client,
            editor,
            path,
            b"<!doctype html><html><head><style>p{}</style><script>alert(1)</script></head>"
            b"<body><h1>Press release</h1><p>Roundtable on &laquo;labour migration&raquo;</p></body></html>",
            "press.html",
        ),
        "text": await attach(
            client, editor, path, "Бетти 1\fБетти 2: мигранттардын укуктары".encode(), "notes.txt", "ky"
        ),
    }
    assert {m["media_type"] for m in made.values()} == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "text/html",
        "text/plain",
    }
    await run_jobs(database_url)
    for m in made.values():
        state = await extraction(client, editor, path, m)
        assert state["state"] == "done", state
        assert state["ocr_pages"] == 0
    pages = await page_texts(committed, made["pdf"]["id"])
    assert [(p, method) for p, method, _ in pages] == [(1, "text"), (2, "text")]
    assert pages[1][2] == "Статья 2. Регистрация по месту пребывания"
    assert [t for _, _, t in await page_texts(committed, made["docx"]["id"])] == [
        "Первая страница отчёта",
        "Вторая страница",
    ]
    assert [t for _, _, t in await page_texts(committed, made["odt"]["id"])] == [
        "Mehnat muhojirlari huquqlari\nOʻzbekiston"
    ]
    (html,) = await page_texts(committed, made["html"]["id"])
    assert html[2] == "Press release\n\nRoundtable on «labour migration»"  # no script, no style
    assert [t for _, _, t in await page_texts(committed, made["text"]["id"])] == [
        "Бетти 1",
        "Бетти 2: мигранттардын укуктары",
    ]
    listed = (await client.get(f"{path}/attachments")).json()["items"]
    assert sorted(a["pages"] for a in listed) == [1, 1, 2, 2, 2]


SCANS = {
    "ru": [
        "Закон о внешней миграции",
        "Трудящиеся мигранты имеют право",
        "на защиту своих трудовых прав",
    ],
    "ky": [
        "Тышкы миграция жөнүндө мыйзам",
        "Эмгек мигранттарынын укуктары",
        "корголууга тийиш",
    ],
    "uz": [
        "Tashqi mehnat migratsiyasi toʻgʻrisida",
        "Mehnat muhojirlarining huquqlari",
        "himoya qilinadi",
    ],
}


async def test_scans_are_read_by_ocr_in_their_languages(desk: Desk) -> None:
    client, editor, committed, database_url = desk.client, desk.editor, desk.committed, desk.database_url
    law = await create(client, editor, "law")
    path = f"/v1/laws/{law['slug']}"
    ru = await attach(
        client,
        editor,
        path,
        documents.scanned_pdf([SCANS["ru"][:2], SCANS["ru"][2:]]),
        "scan-ru.pdf",
        "ru",
    )
    ky = await attach(client, editor, path, documents.png(SCANS["ky"]), "scan-ky.png", "ky")
    uz = await attach(client, editor, path, documents.scanned_pdf([SCANS["uz"]]), "scan-uz.pdf", "uz")
    await run_jobs(database_url)

    state = await extraction(client, editor, path, ru)
    assert state == {**state, "state": "done", "pages": 2, "ocr_pages": 2}
    pages = await page_texts(committed, ru["id"])
    assert [m for _, m, _ in pages] == ["ocr", "ocr"]
    assert words_found(" ".join(SCANS["ru"][:2]), pages[0][2]) >= 0.8, pages[0][2]
    assert words_found(SCANS["ru"][2], pages[1][2]) >= 0.8, pages[1][2]
    for made, lang in ((ky, "ky"), (uz, "uz")):
        assert (await extraction(client, editor, path, made))["state"] == "done"
        (page,) = await page_texts(committed, made["id"])
        assert page[1] == "ocr"
        assert words_found(" ".join(SCANS[lang]), page[2]) >= 0.8, (lang, page[2])


async def test_documents_that_cannot_be_read_fail_with_the_reason(desk: Desk) -> None:
    client, editor, committed, database_url = desk.client, desk.editor, desk.committed, desk.database_url
    event = await create(client, editor, "event")
    path = f"/v1/events/{event['slug']}"
    bad = {
        "broken": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "the PDF is broken"),
        "encrypted": (documents.encrypted_pdf(), "encrypted"),
        "pages": (documents.many_pages_pdf(2000), "2000 pages; at most 1000"),
        "zip bomb": (documents.docx_bomb(), "zip bomb"),
        "pdf bomb": (documents.pdf_bomb(600), "memory"),
    }
    made = {
        name: await attach(client, editor, path, content, f"{name}.bin") for name, (content, _) in bad.items()
    }
    good = await attach(
        client, editor, path, documents.text_pdf(["После всех плохих файлов — хороший"]), "ok.pdf"
    )
    await run_jobs(database_url, extraction_memory_mb=400)
    for name, (_, reason) in bad.items():
        state = await extraction(client, editor, path, made[name])
        assert state["state"] == "failed", (name, state)
        assert reason in state["error"], (name, state["error"])
        assert await page_texts(committed, made[name]["id"]) == []
    assert (await extraction(client, editor, path, good))["state"] == "done"  # the worker went on


async def test_extraction_states_are_in_the_metrics(desk: Desk) -> None:
    client, editor, committed, database_url = desk.client, desk.editor, desk.committed, desk.database_url
    pub = await create(client, editor, "publication")
    path = f"/v1/publications/{pub['slug']}"
    await attach(client, editor, path, b"%PDF-1.4 broken", "broken.pdf")
    await attach(client, editor, path, "Текст отчёта".encode(), "report.txt")
    await attach(client, editor, path, "Ещё один".encode(), "more.txt")

    async def gauges() -> str:
        async with committed() as session:
            await refresh_gauges(session)
        return (await client.get("/metrics")).text

    text = await gauges()
    assert 'migrantkb_attachments{state="pending"} 3.0' in text
    assert 'migrantkb_jobs{queue="extraction",status="todo"} 3.0' in text
    await run_jobs(database_url)
    text = await gauges()
    assert 'migrantkb_attachments{state="done"} 2.0' in text
    assert 'migrantkb_attachments{state="failed"} 1.0' in text
    assert 'migrantkb_attachments{state="pending"} 0.0' in text
    assert 'migrantkb_jobs{queue="extraction",status="todo"} 0.0' in text
