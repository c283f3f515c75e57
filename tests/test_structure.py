"""A structure a newcomer can follow: view modules stay short enough to read, their functions
short enough to hold in mind, and a form that calls an action is shown one way
(``tomoni.web.viewutils.form_page``), not by a private copy in each app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tomoni"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 40
# The private copies form_page replaced; one coming back means a second way again.
RETIRED = {"_form_page", "_match_form"}


def view_modules(package: Path = PACKAGE) -> list[Path]:
    """``views.py``, ``views_*.py`` and every module of a ``views/`` package."""
    return sorted(
        path
        for path in package.rglob("*.py")
        if path.name == "views.py"
        or path.name.startswith("views_")
        or "views" in path.relative_to(package).parts[:-1]
    )


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with one view module, one line each."""
    rel = path.relative_to(root).as_posix()
    source = path.read_text()
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{rel}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        length = node.end_lineno - node.lineno + 1
        if length > MAX_FUNCTION_LINES:
            found.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
        if node.name in RETIRED:
            found.append(f"{rel}:{node.lineno} {node.name}: use tomoni.web.viewutils.form_page")
    return found


def test_view_modules_are_found() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in view_modules()}
    assert "intake/views.py" in names
    assert "participation/views_plans.py" in names
    assert "cases/views/page.py" in names


def test_view_modules_and_functions_are_short_and_share_one_form_page() -> None:
    found = [line for path in view_modules() for line in problems(path)]
    assert not found, "\n".join(found)


def test_the_lint_can_fail(tmp_path: Path) -> None:
    app = tmp_path / "tomoni" / "app"
    (app / "views").mkdir(parents=True)
    long_body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (app / "views_long.py").write_text(f"def view():\n{long_body}\n")
    (app / "views" / "page.py").write_text("def _form_page():\n    pass\n")
    (app / "views.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    (app / "models.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    modules = view_modules(tmp_path / "tomoni")
    assert [p.relative_to(tmp_path).as_posix() for p in modules] == [
        "tomoni/app/views/page.py",
        "tomoni/app/views.py",
        "tomoni/app/views_long.py",
    ]
    found = [line for path in modules for line in problems(path, tmp_path)]
    assert found == [
        "tomoni/app/views/page.py:1 _form_page: use tomoni.web.viewutils.form_page",
        f"tomoni/app/views.py: {MAX_MODULE_LINES + 1} lines (at most {MAX_MODULE_LINES})",
        f"tomoni/app/views_long.py:1 view: {MAX_FUNCTION_LINES + 1} lines",
    ]
