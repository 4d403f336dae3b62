"""Guards of the CLI package (issue #27): modules stay small, and the CLI imports the app at the top
of its modules unless a comment beside the import gives the measured reason it is local."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MAX_LINES = 400


def oversized(root: Path) -> list[str]:
    return [
        f"{p.relative_to(root.parent)}: {n} lines"
        for p in sorted(root.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]


def _imports_app(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "app" and node.level == 0
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == "app" for a in node.names)
    return False


def unexplained_local_imports(files: list[Path]) -> list[str]:
    """Function-local `from app.`/`import app.` lines with no comment on the same line or on the
    line above them (or above the block of imports they open with)."""
    found = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if not _imports_app(node) or "#" in lines[node.lineno - 1]:
                    continue
                above = node.lineno - 2
                while above >= 0 and lines[above].lstrip().startswith(("from ", "import ")):
                    above -= 1
                if above < 0 or not lines[above].lstrip().startswith("#"):
                    found.append(f"{path.name}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def cli_files(root: Path) -> list[Path]:
    return sorted([*root.glob("cli.py"), *(root / "cli").rglob("*.py")])


def test_no_module_in_app_is_over_400_lines() -> None:
    assert oversized(APP) == []


def test_cli_imports_the_app_at_module_level_unless_a_comment_says_why() -> None:
    files = cli_files(APP)
    assert files, "no CLI modules found"
    assert unexplained_local_imports(files) == []
