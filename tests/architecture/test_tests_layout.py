"""tests/ mirrors app/ (issue #27): the tests of app/<package>/ are in tests/<package>/, so a reader
finds them without a search; the root keeps only the tests of the whole app. Helpers live in
tests/support/ (never collected), and no test module imports another: a helper imported from a test
module drags that module's fixtures and skip marks along, and hides where the helper lives."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
APP_PACKAGES = {p.parent.name for p in (ROOT / "app").glob("*/__init__.py")}
# Whole-app tests: the OpenAPI document, the docs UI, fuzzing, faults under load, the deploy
# files and the generated clients.
ROOT_TESTS = {"test_openapi", "test_docs_ui", "test_fuzz", "test_faults", "test_deploy", "test_clients"}
ROOT_OTHERS = {"__init__", "conftest"}
# Folders that hold Python but are not test packages: the client scripts and the format schemas.
NOT_PACKAGES = {"clients", "data"}


def python_files() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if p.relative_to(TESTS).parts[0] not in NOT_PACKAGES]


def test_every_test_module_lives_in_the_folder_of_its_app_package() -> None:
    misplaced = []
    for path in python_files():
        folders = path.relative_to(TESTS).parts[:-1]
        if not folders:
            if path.stem not in ROOT_TESTS | ROOT_OTHERS:
                misplaced.append(str(path.relative_to(ROOT)))
        elif len(folders) > 1:
            misplaced.append(str(path.relative_to(ROOT)))
        elif folders[0] == "support":
            if path.stem.startswith("test_"):
                misplaced.append(str(path.relative_to(ROOT)))
        elif folders[0] != "architecture" and folders[0] not in APP_PACKAGES:
            misplaced.append(str(path.relative_to(ROOT)))
    assert not misplaced, f"not in tests/<app package>/, tests/support/ or the whole-app set: {misplaced}"


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in python_files()}
    assert not [str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()]


def imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_test_module_imports_another_or_conftest() -> None:
    found = []
    for path in python_files():
        for name in imported_modules(ast.parse(path.read_text(), str(path))):
            parts = name.split(".")
            if parts[0] == "tests" and any(p.startswith("test_") or p == "conftest" for p in parts[1:]):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert not found, f"import helpers from tests.support instead: {found}"
