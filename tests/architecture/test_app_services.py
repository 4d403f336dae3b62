"""Package G of issue #27: the app's services are one typed object. `create_app` builds an
`AppServices` and stores it as the one attribute `app.state.services`; everything else reads it
through app/core/services.py (`ServicesDep`, `services_of`), so `app.state` is an untyped bag
nowhere else."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
SERVICES = "app/core/services.py"


def state_uses(tree: ast.AST) -> Iterator[ast.Attribute]:
    """`app.state`, `request.app.state`, `self.app.state`…: the `state` of anything called `app`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            owner = node.value
            name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else ""
            )
            if name == "app":
                yield node


def trees() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def test_app_state_is_read_only_in_core_services() -> None:
    found = [
        f"{name}:{node.lineno}" for name, tree in trees() if name != SERVICES for node in state_uses(tree)
    ]
    assert found == [], f"app.state used outside {SERVICES} (read `ServicesDep` or `services_of`): {found}"


def test_services_is_the_one_state_attribute() -> None:
    tree = ast.parse((ROOT / SERVICES).read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    used = {parents[node].attr for node in state_uses(tree) if isinstance(parents.get(node), ast.Attribute)}
    assert used == {"services"}


def test_core_services_imports_no_domain_package_at_runtime() -> None:
    """app/search and app/files import app/core: their types are for annotations only here."""
    tree = ast.parse((ROOT / SERVICES).read_text())
    guarded = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for child in ast.walk(node)
    }
    runtime = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.")
        if id(node) not in guarded
    ]
    assert runtime == []
