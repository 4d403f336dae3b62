"""Package C of issue #27: the search index's layout has one home. Field names of the layout, chunk
ids, the `_vectors` slot, the primary key, the Meilisearch client and the index uid are known only
to app/search/index.py (the uid is also a setting, app/core/config.py); nothing in app/search reads
settings itself: whoever builds its objects passes the values in."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
INDEX = Path("search/index.py")
CONFIG = Path("core/config.py")
# Names of the layout that mean nothing else inside app/search (the models have a `record_id`
# column too; that is PostgreSQL's, outside this package).
SEARCH_LAYOUT = {"record_id", "part"}


def _modules(app: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(app.rglob("*.py")):
        yield path.relative_to(app), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every string literal, and each literal piece of an f-string."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def layout_outside_index(app: Path = APP) -> list[str]:
    found = []
    for rel, tree in _modules(app):
        if rel == INDEX:
            continue
        in_search = rel.parts[0] == "search"
        for line, value in _strings(tree):
            anywhere = value == "_vectors" or value.startswith("doc_")
            in_package = value in SEARCH_LAYOUT or "part =" in value or "record_id IN" in value
            if anywhere or (in_search and in_package):
                found.append(f"{rel}:{line} {value!r}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name == "meili_client":
                    found.append(f"{rel}:{node.lineno} meili_client(...)")
                for kw in node.keywords:
                    if (
                        kw.arg == "primary_key"
                        and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)
                    ):
                        found.append(f"{rel}:{node.lineno} primary_key={kw.value.value!r}")
            elif isinstance(node, ast.Attribute) and node.attr == "meili_index" and rel != CONFIG:
                found.append(f"{rel}:{node.lineno} .meili_index")
    return found


def settings_read_in_search(app: Path = APP) -> list[str]:
    found = []
    for rel, tree in _modules(app):
        if rel.parts[0] != "search":
            continue
        for node in ast.walk(tree):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else None
            )
            if name == "get_settings" or (
                isinstance(node, ast.ImportFrom) and any(a.name == "get_settings" for a in node.names)
            ):
                found.append(f"{rel}:{node.lineno}")
    return found


def test_the_index_layout_is_known_only_to_search_index() -> None:
    assert layout_outside_index() == []


def test_nothing_in_app_search_reads_the_settings() -> None:
    assert settings_read_in_search() == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The scans find each kind of use they forbid (a scan that found nothing anywhere would pass)."""
    search = tmp_path / "search"
    search.mkdir()
    (search / "index.py").write_text('PRIMARY_KEY = "id"\n', encoding="utf-8")
    (search / "sync.py").write_text(
        "from app.core.config import get_settings\n"
        "def f(client, row, ids, s):\n"
        '    doc = {"part": "document", "record_id": row.id, "_vectors": None}\n'
        '    doc["id"] = f"doc_{row.hex}_{row.page}"\n'
        '    client.index(s.meili_index).add_documents([doc], primary_key="id")\n'
        "    return meili_client(s.meili_url, None), get_settings()\n",
        encoding="utf-8",
    )
    found = layout_outside_index(tmp_path)
    for needle in (
        "'part'",
        "'record_id'",
        "'_vectors'",
        "'doc_'",
        "primary_key=",
        "meili_client",
        ".meili_index",
    ):
        assert any(needle in f for f in found), (needle, found)
    assert len(settings_read_in_search(tmp_path)) == 2
