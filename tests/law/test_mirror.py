"""The law's tests mirror the law: each module of apportion/law has tests/law/test_<concept>.py (a sub-package's
module as test_<package>_<module>.py) that names every public function, class and constant the module defines."""
from __future__ import annotations

import ast
from pathlib import Path

LAW = Path(__file__).resolve().parents[2] / "apportion" / "law"
HERE = Path(__file__).resolve().parent


def _modules() -> dict[str, Path]:
    """Concept name (``aid_ratios``) → module file, for every law module that defines something."""
    return {"_".join(p.relative_to(LAW).with_suffix("").parts): p for p in sorted(LAW.rglob("*.py"))
            if p.name != "__init__.py"}


def _public(path: Path) -> set[str]:
    """The names a module defines at its top level for others to use."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


def test_every_law_module_has_its_test_module():
    missing = [f"tests/law/test_{concept}.py (for {path.relative_to(LAW.parent.parent)})"
               for concept, path in _modules().items() if not (HERE / f"test_{concept}.py").exists()]
    assert not missing, "write " + ", ".join(missing)


def test_each_test_module_names_everything_its_law_module_defines():
    untested = []
    for concept, path in _modules().items():
        test = HERE / f"test_{concept}.py"
        if test.exists():
            words = {n.attr for n in ast.walk(ast.parse(test.read_text())) if isinstance(n, ast.Attribute)}
            words |= {n.id for n in ast.walk(ast.parse(test.read_text())) if isinstance(n, ast.Name)}
            untested += [f"{concept}.{name}" for name in sorted(_public(path) - words)]
    assert not untested, "not exercised by its tests/law module: " + ", ".join(untested)
