"""Package A of issue #27: what follows a write has one home. The change rows have one writer
(app/changes/outbox.py), which also lists the outbox's consumers; each package's jobs are in its own
`jobs.py`, imported by app/jobs/catalog.py, whose tasks give the worker its queues."""

from __future__ import annotations

import ast
import importlib
import typing
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.changes import outbox
from app.jobs import catalog
from app.jobs.queue import queue
from app.jobs.runtime import WorkerRuntime

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
OUTBOX = APP / "changes" / "outbox.py"
DOMAIN = ("app.attachments", "app.search", "app.webhooks")


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def test_change_rows_are_written_only_by_the_outbox() -> None:
    found = []
    for path, tree in modules():
        if path == OUTBOX:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = _name(node.func)
                if called == "Change" or (
                    called == "insert" and node.args and _name(node.args[0]) == "Change"
                ):
                    found.append(where(path, node))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in (
                "history_rows",
                "record_changed",
                "documents_changed",
            ):
                found.append(where(path, node))
    assert found == []


def test_the_bulk_copy_of_changes_takes_its_rows_from_the_outbox() -> None:
    """The import COPYs into `changes` (too many rows for the ORM): its rows are the outbox's."""
    for path, tree in modules():
        copies = any(
            isinstance(n, ast.Attribute) and n.attr == "__table__" and _name(n.value) == "Change"
            for n in ast.walk(tree)
        )
        if copies:
            imported = [
                alias.name
                for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.module == "app.changes.outbox"
                for alias in n.names
            ]
            assert "history_rows" in imported, where(path, tree)


def test_every_consumer_entry_point_exists() -> None:
    assert {c.name for c in outbox.CONSUMERS} == {"indexer", "document chunks", "vectors", "webhooks"}
    for consumer in outbox.CONSUMERS:
        module, _, attribute = consumer.entry.partition(":")
        assert callable(getattr(importlib.import_module(module), attribute)), consumer.entry
        if consumer.runs_in == "database":
            assert consumer.trigger and consumer.function and consumer.migration, consumer
            assert consumer.trigger in (ROOT / consumer.migration).read_text(), consumer.migration


async def test_the_database_consumers_trigger_exists_and_queues_their_task(engine: AsyncEngine) -> None:
    """The trigger defers a job by name in SQL: it names the task and queue the worker registers."""
    for consumer in outbox.CONSUMERS:
        if consumer.runs_in != "database":
            continue
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT c.relname, p.proname, p.prosrc FROM pg_trigger t"
                        " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
                        " WHERE t.tgname = :name AND NOT t.tgisinternal"
                    ),
                    {"name": consumer.trigger},
                )
            ).one()
        module, _, attribute = consumer.entry.partition(":")
        task = getattr(importlib.import_module(module), attribute)
        assert (row.relname, row.proname) == ("changes", consumer.function)
        assert f"'{task.queue}', '{task.name}'" in row.prosrc
        assert queue.tasks[task.name] is task


def _defines_tasks(tree: ast.Module) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ("task", "periodic")
        and _name(d.func.value) == "queue"
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        for d in n.decorator_list
    )  # fmt: skip


def test_tasks_live_in_each_packages_jobs_module_and_the_catalog_imports_them() -> None:
    defining = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path, tree in modules()
        if _defines_tasks(tree)
    }
    assert defining == {m.__name__ for m in catalog.JOB_MODULES}
    assert all(name.endswith(".jobs") or name == "app.jobs.maintenance" for name in defining), defining


def test_queues_come_from_the_tasks_registered() -> None:
    ours = {t.queue for t in queue.tasks.values() if not t.name.startswith("builtin:")}
    assert set(catalog.queues()) == ours
    assert len(catalog.queues()) == len(ours)
    # No queue named by hand where they are read, and no task module named as a string.
    for path in (APP / "jobs" / "worker.py", APP / "ops" / "gauges.py", APP / "jobs" / "queue.py"):
        tree = ast.parse(path.read_text())
        literals = {
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        assert not literals & ours, path
        assert not any(isinstance(v, str) and v.startswith("app.") for v in literals), path
    worker = (APP / "jobs" / "worker.py").read_text()
    assert "catalog.queues()" in worker


def test_the_jobs_package_imports_domain_packages_only_through_the_catalog() -> None:
    for path in sorted((APP / "jobs").glob("*.py")):
        if path.name == "catalog.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                assert not name.startswith(DOMAIN), where(path, node)


def test_the_worker_runtime_is_typed() -> None:
    hints = typing.get_type_hints(WorkerRuntime)
    assert not [name for name, hint in hints.items() if typing.Any in (hint, *typing.get_args(hint))]
    assert "Any" not in (APP / "jobs" / "runtime.py").read_text()
