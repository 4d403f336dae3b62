"""Package B of issue #27: one door to settings and one transaction rule. `get_settings()` (the
environment) is read only where a process starts (the app factory, the CLI, Alembic) and passed in
from there; a transaction ends only in app/core/db.py (the request's or command's `UnitOfWork`,
the job code's `JobUnit`): services flush, and what must follow the outcome is an
`on_commit`/`on_rollback` callback."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

# Where a process starts: the only readers of the environment's settings.
# The `migrantkb` commands (app/cli/, one module per group) are entry points, each of its own.
ENTRY_POINTS = {"app/main.py", "alembic/env.py"}
ENTRY_PACKAGES = ("app/cli/",)
# Not yet moved, owned by other packages of #27 (search: C; the CLI: E); the integrator removes
# each once its package has landed (test_known_exceptions_are_still_there says when).
SETTINGS_NOT_YET_PASSED: set[str] = set()

TRANSACTIONS = {"app/core/db.py"}
# Job code and commands of other packages that still end their transactions themselves (search: C,
# webhook delivery: A, the CLI: E), and the test-only deadlock route, which rolls the request's
# transaction back on purpose to free the lock the other connection waits for. Savepoints
# (`begin_nested()`, app/imports/service.py) are not transactions and are not counted.
COMMITS_ELSEWHERE = {
    "app/search/sync.py",
    "app/search/jobs.py",
    "app/search/vectors.py",
    "app/search/admin.py",
    "app/webhooks/delivery.py",
    "app/webhooks/jobs.py",
    "app/cli/context.py",
    "app/ops/router.py",
}


def sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted([*APP.rglob("*.py"), ROOT / "alembic" / "env.py"]):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def calls(tree: ast.AST, names: set[str]) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in names:
                yield node


def _is_savepoint(node: ast.AST) -> bool:
    node = node.value if isinstance(node, ast.Await) else node
    call = node if isinstance(node, ast.Call) else None
    return call is not None and isinstance(call.func, ast.Attribute) and call.func.attr == "begin_nested"


def _savepoints(tree: ast.AST) -> set[str]:
    """Names bound to `begin_nested()` (a savepoint's commit ends no transaction)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_savepoint(node.value):
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for item in node.items if isinstance(node, ast.With | ast.AsyncWith) else []:
            if _is_savepoint(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                found.add(item.optional_vars.id)
    return found


def settings_readers() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path, tree in sources():
        for call in calls(tree, {"get_settings"}):
            found.setdefault(path, []).append(call.lineno)
    return found


def transaction_enders() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path, tree in sources():
        nested = _savepoints(tree)
        for call in calls(tree, {"commit", "rollback"}):
            owner = call.func.value if isinstance(call.func, ast.Attribute) else None
            if isinstance(owner, ast.Name) and owner.id in nested:
                continue
            found.setdefault(path, []).append(call.lineno)
    return found


def test_settings_are_read_from_the_environment_only_at_entry_points() -> None:
    readers = settings_readers()
    elsewhere = {
        p: lines
        for p, lines in readers.items()
        if p not in ENTRY_POINTS | SETTINGS_NOT_YET_PASSED and not p.startswith(ENTRY_PACKAGES)
    }
    assert elsewhere == {}


def test_transactions_end_only_in_the_unit_of_work() -> None:
    enders = transaction_enders()
    assert {p: lines for p, lines in enders.items() if p not in TRANSACTIONS | COMMITS_ELSEWHERE} == {}


def test_known_exceptions_are_still_there() -> None:
    """An exception whose file no longer needs it leaves the lists (they only shrink)."""
    assert SETTINGS_NOT_YET_PASSED - set(settings_readers()) == set()
    assert COMMITS_ELSEWHERE - set(transaction_enders()) == set()
