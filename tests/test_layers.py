"""The package's layers, read off its source: the library's own modules are imported at the top of a
module (a function-level import of one hides a cycle), the Philox rounds import nothing, and the
library computes without matplotlib (figures read Summaries; no check imports them)."""
import ast
import pathlib
import subprocess
import sys

import pss_theory
from pss_theory import checks, figures, report

ROOT = pathlib.Path(pss_theory.__file__).parent


def _modules():
    return sorted(ROOT.rglob("*.py"))


def _function_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    yield inner
                elif isinstance(inner, ast.Import):
                    yield inner


def test_own_modules_are_imported_at_the_top():
    found = set()
    for path in _modules():
        for node in _function_imports(ast.parse(path.read_text())):
            own = (isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("pss_theory"))
                   or isinstance(node, ast.Import) and any(a.name.startswith("pss_theory") for a in node.names))
            if own:
                found.add((path.relative_to(ROOT).as_posix(), (node.module or "").lstrip(".") or node.names[0].name))
    assert found == set()


def test_philox_is_a_leaf():
    tree = ast.parse((ROOT / "philox.py").read_text())
    imported = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert all(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in imported)


def test_the_library_and_its_checks_run_without_matplotlib():
    code = ("import sys, pss_theory, pss_theory.checks, pss_theory.tables; "
            "assert 'matplotlib' not in sys.modules and 'pss_theory.figures' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _imports_of(path: pathlib.Path) -> set[str]:
    """The package-relative modules a module imports (``..checks.base`` from report/x.py: ``checks.base``)."""
    parts = path.relative_to(ROOT).parent.parts
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[:len(parts) - (node.level - 1)]
            out.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pss_theory"):
            out.add(node.module.removeprefix("pss_theory").lstrip("."))
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("pss_theory").lstrip(".") for a in node.names if a.name.startswith("pss_theory"))
    return out


def test_report_and_figures_read_summaries_and_import_no_check():
    for sub in ("report", "figures"):
        for path in sorted((ROOT / sub).rglob("*.py")):
            found = {m for m in _imports_of(path) if m == "checks" or m.startswith("checks.")}
            assert not found, (path.relative_to(ROOT).as_posix(), found)


def test_every_check_has_its_report_module_and_its_figures_name_a_check():
    """Both are found by the CHECK_NAME their modules declare, and each module is named as its check."""
    assert set(report.PARTS) == set(checks.CHECKS)
    for name, module in report.PARTS.items():
        assert module.__name__ == f"pss_theory.report.{name}"
    assert set(figures.DRAWERS) <= set(checks.CHECKS) and "theorem7" in figures.DRAWERS
    for name, draw in figures.DRAWERS.items():
        assert draw.__module__ == f"pss_theory.figures.{name}"
