from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import BUILDERS
from tests.support.servers import run_cli


async def test_keys_create_prints_the_key_last_and_it_works(
    client: httpx.AsyncClient, database_url: str
) -> None:
    made = run_cli(
        "keys", "create", "--role", "editor", "--name", "cli test", env={"DATABASE_URL": database_url}
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("mkb_") and " " not in key
    r = await client.post(
        "/v1/organizations", json=BUILDERS["organization"](), headers={"Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 201, r.text


async def test_revoked_key_fails_at_once(client: httpx.AsyncClient, database_url: str) -> None:
    made = run_cli(
        "keys", "create", "--role", "admin", "--name", "to revoke", env={"DATABASE_URL": database_url}
    )
    key = made.stdout.strip().splitlines()[-1]
    listed = run_cli("keys", "list", env={"DATABASE_URL": database_url})
    key_id = next(line.split()[0] for line in listed.stdout.splitlines() if "to revoke" in line)
    assert run_cli("keys", "revoke", key_id, env={"DATABASE_URL": database_url}).returncode == 0
    r = await client.get("/v1/organizations", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401
    assert (
        run_cli("keys", "revoke", key_id, env={"DATABASE_URL": database_url}).returncode == 1
    )  # already revoked


def test_bad_role_is_refused(database_url: str) -> None:
    made = run_cli("keys", "create", "--role", "owner", env={"DATABASE_URL": database_url})
    assert made.returncode != 0 and "editor or admin" in made.stderr


async def test_expired_keys_fail(client: httpx.AsyncClient, sessionmaker: Any) -> None:
    import datetime as dt

    from app.keys.service import KeyService

    async with sessionmaker() as s:
        _, token = await KeyService(s).create(
            "old", "editor", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        )
        await s.commit()
    assert (await client.get("/v1/laws", headers={"Authorization": f"Bearer {token}"})).status_code == 401


def test_keys_can_expire(database_url: str) -> None:
    made = run_cli(
        "keys",
        "create",
        "--role",
        "editor",
        "--name",
        "temp",
        "--expires-in-days",
        "30",
        env={"DATABASE_URL": database_url},
    )
    assert made.returncode == 0, made.stderr
    listed = run_cli("keys", "list", env={"DATABASE_URL": database_url}).stdout
    assert any("temp" in line and "expires 20" in line for line in listed.splitlines())
