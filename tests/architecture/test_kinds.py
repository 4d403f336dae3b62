"""The kind extension is finished: what differs between kinds is declared by the kinds (app/*/kind.py)
and read through the catalog, not spelled in the shared packages; the kinds and the shared code
import each other without a cycle, nor does any module of app/ (none closed by a function-local
import); modules stay small."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

from app.records.catalog import CATALOG
from app.records.schemas import RelationIn
from app.registry import SPECS

APP = Path(__file__).resolve().parents[2] / "app"
SHARED = ("records", "exports", "search", "changes", "webhooks", "timeline", "core", "jobs", "imports")
KIND_PACKAGES = ("laws", "policies", "programs", "organizations", "events", "publications")
KIND_NAMES = {spec.kind for spec in SPECS}


def _modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((APP / package).rglob("*.py"))


def _kind_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in KIND_NAMES


def kind_literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """String literals naming a kind used as one: compared (`Record.kind == "law"`), first in a pair
    (a `(kind, slug)` key), a mapping's value (`{"iati": "program"}`) or given after `"kind"`
    (`setdefault("kind", "organization")`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            if any(_kind_literal(n) for n in [node.left, *node.comparators]):
                yield node.lineno, "compared with a kind"
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and _kind_literal(node.elts[0]):
            yield node.lineno, "a (kind, slug) key"
        elif isinstance(node, ast.Dict) and any(_kind_literal(v) for v in node.values):
            yield node.lineno, "a kind as a mapping's value"
        elif isinstance(node, ast.Call):
            args = node.args
            for a, b in itertools.pairwise(args):
                if isinstance(a, ast.Constant) and a.value == "kind" and _kind_literal(b):
                    yield node.lineno, "a kind given as a default"


def test_no_kind_name_in_shared_packages() -> None:
    found = [
        f"{path.relative_to(APP.parent)}:{line}: {what}"
        for path in _modules(*SHARED)
        for line, what in kind_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "declare it in the kind's spec and read it through CATALOG:\n" + "\n".join(found)


def test_the_scan_sees_a_kind_name() -> None:
    code = (
        'x = Record.kind == "organization"\n'
        'key = ("law", slug)\n'
        'FORMAT_KIND = {"iati": "program"}\n'
        'obj.setdefault("kind", "organization")\n'
    )
    assert len(list(kind_literals(ast.parse(code)))) == 4


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[str]:
    """Every `app…` module imported, at module level or inside a function, except for type checking."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "app":
                yield node.module
                yield from (f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "app")
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    """Each app module → the app modules it imports."""
    modules = {
        ".".join(p.relative_to(APP.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in APP.rglob("*.py")
    }
    return {
        name: {t for t in _imports(ast.parse(path.read_text(encoding="utf-8"))) if t in modules and t != name}
        for name, path in modules.items()
    }


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def test_no_import_cycle_in_app() -> None:
    """No module of app/ imports itself back, counting the imports made inside functions (so none
    can hide a cycle). The registry imports every kind, a kind its schemas, which import the shared
    schemas: what the shared code needs of the kinds it reads from the catalog, the leaf the
    registry fills."""
    graph = import_graph()
    cyclic = [m for m in sorted(graph) if m in _reachable(graph, m)]
    assert not cyclic, f"modules on an import cycle: {cyclic}"


def test_the_cycle_check_sees_a_cycle() -> None:
    graph = {"app.a": {"app.b"}, "app.b": {"app.c"}, "app.c": {"app.a"}, "app.d": {"app.a"}}
    assert [m for m in sorted(graph) if m in _reachable(graph, m)] == ["app.a", "app.b", "app.c"]


def test_the_scan_sees_a_function_local_import() -> None:
    tree = ast.parse("def f():\n    from app.registry import KINDS\n")
    assert "app.registry" in set(_imports(tree))


def test_the_catalog_is_a_leaf() -> None:
    assert not import_graph()["app.records.catalog"]


def test_modules_of_the_kinds_stay_small() -> None:
    big = [
        f"{p.relative_to(APP.parent)}: {n} lines"
        for p in [
            APP / "registry.py",
            APP / "core" / "routing.py",
            *_modules("records", "exports", *KIND_PACKAGES),
        ]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert not big, big


def test_one_kind_is_the_participants_target() -> None:
    assert [s.kind for s in SPECS if s.participant_target] == [CATALOG.participant_kind]
    named = {kind for s in SPECS for kinds in s.relates.values() for kind in kinds}
    assert named <= {s.kind for s in SPECS}


def test_relation_types_are_the_kinds_declared_ones() -> None:
    declared = {t for s in SPECS for t in s.relates}
    assert set(CATALOG.relation_types) == declared | {"related"}
    enum = RelationIn.model_json_schema()["properties"]["type"]["enum"]
    assert enum == list(CATALOG.relation_types)
    assert CATALOG.ordered_relations <= declared


def test_export_formats_are_declared_by_their_kind() -> None:
    router = (APP / "exports" / "router.py").read_text(encoding="utf-8")
    for name, (spec, fmt) in CATALOG.formats.items():
        assert fmt in spec.formats and fmt.name == name
        assert f'"{name}"' not in router, f"the export router spells the format {name!r}"


HELPERS = {"KeyPath", "IfMatch", "problem_responses", "send_page"}


def test_shared_http_helpers_live_in_core() -> None:
    """Every router uses them: they live in app/core/routing.py, not in the kinds' router."""
    wrong = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            defined = (
                [node.name]
                if isinstance(node, ast.FunctionDef)
                else [t.id for t in node.targets if isinstance(t, ast.Name)]
                if isinstance(node, ast.Assign)
                else []
            )
            if set(defined) & HELPERS and path != APP / "core" / "routing.py":
                wrong.append(f"{path.relative_to(APP.parent)}:{node.lineno} defines {defined}")
            names = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else set()
            if isinstance(node, ast.ImportFrom) and node.module == "app.records.router" and names & HELPERS:
                wrong.append(f"{path.relative_to(APP.parent)}:{node.lineno} imports from records.router")
    assert not wrong, wrong
