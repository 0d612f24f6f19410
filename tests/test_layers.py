"""The package's layering (DESIGN.md "Layout"), checked from the code with ``ast``.

Rules, each named in the failure message with module and line:

(a) no import cycles between modules; imports inside functions and under ``if TYPE_CHECKING``
    count;
(b) no ``from x import _private`` from another module;
(c) a module imports only from its own package or from the layers before its own;
(d) the spreadsheet libraries (openpyxl, xlsxwriter, python_calamine, fastexcel, xlwings, uno)
    are imported only under ``regbef_excel/io/``;
(e) an import inside a function is only for an optional dependency (or, in the command line,
    a heavy use case) and says why with a ``# reason`` comment on its first line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import regbef_excel

ROOT = Path(regbef_excel.__file__).resolve().parent
PACKAGE = "regbef_excel"

#: Lowest first. A module may import from its own package and from every earlier layer.
#: ``""`` is the package's own ``__init__`` (version constants only).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("", "errors", "files"),
    ("engine", "regression"),
    ("data",),
    ("evaluation",),
    ("schema",),
    ("io",),
    ("app",),
    ("excel", "addin"),  # front ends
    ("cli",),  # the outermost front end: its ``addin`` command builds the add-in
)
LAYER_OF = {part: i for i, parts in enumerate(LAYERS) for part in parts}

SPREADSHEET_LIBRARIES = {"openpyxl", "xlsxwriter", "python_calamine", "fastexcel", "xlwings", "uno", "unohelper"}
#: Optional dependencies a function may import when it needs them (with a ``# reason``).
OPTIONAL = {"xlwings", "uno", "unohelper"}
#: Front ends that load heavy use cases inside the function that needs them (with a
#: ``# reason``): the command line imports each command's use case when the command runs, so
#: ``--help`` answers at once. Nothing imports the command line, so no cycle can hide there.
LAZY_IMPORTERS = {"regbef_excel.cli"}


@dataclass(frozen=True)
class Import:
    module: str  # importing module, dotted
    path: Path
    line: int
    target: str  # imported module (dotted; for ``from pkg import mod`` the submodule)
    names: tuple[str, ...]  # names taken with ``from ... import``
    local: bool  # inside a function
    text: str  # the source line


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


MODULES = modules()


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    found: list[Import] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, path, child.lineno, alias.name, (), local,
                                        lines[child.lineno - 1]))  # fmt: skip
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, path, child)
                names = tuple(a.name for a in child.names)
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                for t in subs or [target]:
                    found.append(Import(module, path, child.lineno, t, names, local, lines[child.lineno - 1]))
            visit(child, inner)

    visit(tree, False)
    return found


IMPORTS = [imp for m, p in MODULES.items() for imp in imports_of(m, p)]


def where(imp: Import) -> str:
    return f"{imp.path.relative_to(ROOT.parent)}:{imp.line}"


def part_of(module: str) -> str:
    """``regbef_excel.io.read.projection`` -> ``io``; the package itself -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def internal(imp: Import) -> bool:
    return imp.target == PACKAGE or imp.target.startswith(PACKAGE + ".")


def owner(target: str) -> str:
    """The module an internal import loads (a name inside a module -> that module)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def test_every_module_is_in_a_layer():
    unplaced = sorted({m for m in MODULES if part_of(m) not in LAYER_OF})
    assert not unplaced, f"modules outside every layer (add them to LAYERS): {unplaced}"


def test_a_no_import_cycles():
    graph: dict[str, dict[str, Import]] = {m: {} for m in MODULES}
    for imp in IMPORTS:
        if internal(imp) and owner(imp.target) != imp.module:
            graph[imp.module].setdefault(owner(imp.target), imp)
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    problems = []
    for comp in cycles:
        members = set(comp)
        # one shortest cycle through the component, edge by edge (BFS from its first module)
        start = comp[0]
        parent: dict[str, str] = {}
        queue = [start]
        while queue and start not in parent:
            v = queue.pop(0)
            for w in graph[v]:
                if w in members and w not in parent:
                    parent[w] = v
                    queue.append(w)
        path = [start]
        while parent[path[-1]] != start:
            path.append(parent[path[-1]])
        path.append(start)
        path.reverse()
        edges = [f"    {where(graph[a][b])}: {a} imports {b}" for a, b in zip(path, path[1:], strict=False)]
        problems.append(f"rule (a) import cycle ({len(comp)} modules involved; one cycle):\n" + "\n".join(edges))
    assert not problems, "\n".join(problems)


def test_b_no_private_names_across_modules():
    problems = [
        f"{where(imp)}: rule (b) {imp.module} imports private {name!r} from {imp.target}"
        for imp in IMPORTS
        if internal(imp) and owner(imp.target) != imp.module
        for name in imp.names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not problems, "\n".join(problems)


def test_c_imports_follow_the_layers():
    problems = []
    for imp in IMPORTS:
        if not internal(imp):
            continue
        mine, theirs = part_of(imp.module), part_of(owner(imp.target))
        if mine == theirs or theirs == "":
            continue
        if LAYER_OF[theirs] >= LAYER_OF[mine]:
            allowed = [p or PACKAGE for layer in LAYERS[: LAYER_OF[mine]] for p in layer]
            problems.append(f"{where(imp)}: rule (c) {imp.module} ({mine or PACKAGE}) imports {imp.target} "
                            f"({theirs}); {mine or PACKAGE} may import only {allowed}")  # fmt: skip
    assert not problems, "\n".join(problems)


def test_d_spreadsheet_libraries_only_in_io():
    problems = [
        f"{where(imp)}: rule (d) {imp.module} imports {imp.target} outside regbef_excel/io/"
        for imp in IMPORTS
        if imp.target.split(".")[0] in SPREADSHEET_LIBRARIES and part_of(imp.module) != "io"
    ]
    assert not problems, "\n".join(problems)


def test_e_local_imports_only_for_optional_dependencies_with_a_reason():
    problems = []
    for imp in IMPORTS:
        if not imp.local:
            continue
        lazy = imp.module in LAZY_IMPORTERS and internal(imp)
        if imp.target.split(".")[0] not in OPTIONAL and not lazy:
            problems.append(f"{where(imp)}: rule (e) {imp.module} imports {imp.target} inside a function; "
                            f"only optional dependencies {sorted(OPTIONAL)} may be imported there")  # fmt: skip
        elif "#" not in imp.text or not imp.text.split("#", 1)[1].strip():
            problems.append(f"{where(imp)}: rule (e) {imp.module} imports {imp.target} inside a function "
                            "without a '# reason' comment on the line")  # fmt: skip
    assert not problems, "\n".join(problems)
