"""The package's layers, each with its own rank, in the order data flows: vocabulary → readers → validation →
law → compute and result → writers and compare → delivery/CLI; no import upwards, no cycles.

Every import inside ``apportion/`` (at the top of a module or inside a function) is read with
``ast``; a module may import its own layer or a lower one, never a higher one, and no group of
modules imports itself round in a circle. Validation checks the input contract only and imports no
law; the law is pure (it imports only the exact arithmetic and the split); compute calls the law,
both for the rules a job's inputs must keep (``compute/checks.py``) and for the results.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "apportion"

#: layer of each module, by the longest matching dotted prefix (lower imports nothing higher)
LAYERS = {
    # shared vocabulary and exact arithmetic: below everything
    "apportion.errors": 0, "apportion.issues": 0, "apportion.exact": 0, "apportion.money": 0, "apportion.years": 0,
    "apportion.schema": 0, "apportion.parameters": 0, "apportion.options": 0, "apportion.marker": 0,
    "apportion.textsafe": 0, "apportion.limits": 0,
    "apportion.readers": 1,
    "apportion.model": 2, "apportion.validate": 2,
    "apportion.law": 3,
    "apportion.result": 4, "apportion.compute": 4,
    "apportion.writers": 5, "apportion.compare": 5,
    "apportion.runner": 6, "apportion.batch": 6, "apportion.progress": 6, "apportion.template": 6,
    "apportion.mail": 6, "apportion.watch": 6, "apportion.delivery_cli": 6, "apportion.cli": 6,
    "apportion.cli_options": 6, "apportion.__main__": 6,
}
#: the package itself: its version is read by all, and its library calls (compute, validate) sit on top
FACADE = "apportion"


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports (``from x import y`` counts as ``x.y`` when that is a module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            out |= {f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m in MODULES and m != name}


def _layer(name: str) -> int:
    prefix = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len, default=None)
    assert prefix is not None, f"{name}: give it a layer in tests/test_layers.py"
    return LAYERS[prefix]


def test_every_module_has_a_layer():
    for name in MODULES:
        if name != FACADE:
            _layer(name)


def test_no_module_imports_a_higher_layer():
    wrong = [f"{name} ({_layer(name)}) imports {dep} ({_layer(dep)})"
             for name in sorted(MODULES) if name != FACADE
             for dep in sorted(_imports(name)) if dep != FACADE and _layer(dep) > _layer(name)]
    assert not wrong, "\n".join(wrong)


def test_nothing_but_the_version_is_taken_from_the_package_itself():
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and name != FACADE and (
                    (node.level and _name(path).count(".") + (path.name == "__init__.py") == node.level
                     and node.module is None)
                    or node.module == FACADE):
                assert [a.name for a in node.names] == ["__version__"], f"{name} imports {node.names[0].name}"


def test_no_import_cycle():
    graph = {name: _imports(name) - {FACADE} for name in MODULES}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert not cycles, cycles


def test_the_law_imports_only_the_arithmetic():
    """The law core: pure functions over columns and parameters — no reader, schema, model or validation."""
    allowed = {"apportion.exact", "apportion.money"}
    wrong = [f"{name} imports {dep}" for name in sorted(MODULES) if name.startswith("apportion.law")
             for dep in sorted(_imports(name)) if not dep.startswith("apportion.law") and dep not in allowed]
    assert not wrong, "\n".join(wrong)


def test_validation_knows_the_contract_and_no_law():
    """Issue 12: validation checks the input contract only; the statutory checks are compute's (compute/checks.py)."""
    wrong = [f"{name} imports {dep}" for name in sorted(MODULES) if name in ("apportion.validate", "apportion.model")
             for dep in sorted(_imports(name)) if dep.startswith(("apportion.law", "apportion.compute"))]
    assert not wrong, "\n".join(wrong)
    assert any(dep.startswith("apportion.law") for dep in _imports("apportion.compute.checks"))
