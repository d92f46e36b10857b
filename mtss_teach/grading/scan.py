"""Tamper scan of the cells a learner can edit.

The scan flags code that changes what the grading computes with: library
modules (numpy, pandas, scipy, the course library, Python's own modules),
the names the checks rely on, the interpreter and the environment. It does
not flag the ordinary habits of people learning to code: printing, helper
functions, re-imports under other names, pandas and numpy *options*
(``pd.options.mode.chained_assignment = None``, ``pd.set_option``,
``np.set_printoptions``), warnings filters, random seeds, matplotlib settings,
IPython magics, reading environment variables, ``vars(obj)`` and
``obj.__class__`` while debugging. ``tests/test_grading_habits.py`` keeps a
corpus of such habits that must earn full credit.

The scan is a second line of defence: the first is the re-check of every
credited test on the recorded answers outside the learner's kernel
(:mod:`mtss_teach.grading.credit`), which options and habits cannot fool.
"""

from __future__ import annotations

import ast

__all__ = ["scan_source", "scan_notebook"]

#: Top-level packages whose objects the grading computes with; changing an
#: attribute of one of them (``np.isclose = ...``) is flagged.
GRADED_PACKAGES = frozenset({
    "mtss_teach", "numpy", "pandas", "scipy", "math", "statistics", "builtins", "sys", "os", "importlib",
    "operator", "functools", "itertools", "collections", "copy", "types", "json", "re", "decimal",
    "fractions", "IPython", "ipykernel", "nbgrader", "warnings",
})
#: Names the exercise notebooks' locked cells bind before any learner cell runs.
_DEFAULT_ALIASES = {"np": "numpy", "pd": "pandas", "math": "math", "scipy": "scipy", "stats": "scipy.stats",
                    "mtss_teach": "mtss_teach", "_ex": "mtss_teach.exercises", "builtins": "builtins",
                    "sys": "sys", "os": "os"}
#: Settings namespaces a learner may assign to: they change how results print, or pandas' warnings.
_OPTION_PREFIXES = (("pandas", "options"),)

_BAD_CALLS = {"setattr", "delattr", "exec", "eval", "compile", "__import__", "globals", "get_ipython", "breakpoint"}
_BAD_NAMES = {"__builtins__", "AssertionError", "Grader", "guard", "_SNAPSHOT"}
# attributes that have no business in an exercise, read or written
_BAD_ATTRS = {"__code__", "__globals__", "__closure__", "__builtins__", "modules", "chdir", "putenv",
              "unsetenv", "excepthook", "showtraceback", "_SNAPSHOT", "reload", "f_globals", "f_locals",
              "f_back", "tb_frame", "gi_frame"}
# attributes that are fine to read but not to change
_WRITE_ONLY_BAD_ATTRS = {"__class__", "__dict__", "environ"}
_MUTATORS = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}
_BAD_IMPORTS = {"builtins", "ctypes", "gc", "importlib", "signal", "inspect", "ipykernel", "nbgrader", "_thread",
                "threading", "multiprocessing", "subprocess"}
_ALLOWED_IPYTHON = ("IPython.display", "IPython.core.display")


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None when the chain does not start at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def imports_of(source: str) -> dict[str, str]:
    """Alias -> imported dotted name, for every import in ``source`` (unparsable: none).

    Examples
    --------
    >>> from mtss_teach.grading.scan import imports_of
    >>> imports_of("import numpy as npy\\nfrom mtss_teach import screening as scr")
    {'npy': 'numpy', 'scr': 'mtss_teach.screening'}
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    out[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _is_option(parts: list[str], aliases: dict[str, str]) -> bool:
    full = aliases.get(parts[0], parts[0]).split(".") + parts[1:]
    return any(tuple(full[:len(p)]) == p and len(full) > len(p) for p in _OPTION_PREFIXES)


def _graded(name: str | None, aliases: dict[str, str]) -> bool:
    if name is None or name not in aliases:
        return False
    return aliases[name].split(".")[0] in GRADED_PACKAGES


def scan_source(source: str, aliases: dict[str, str] | None = None) -> list[str]:
    """Flags for code that tampers with the grading environment.

    Looks for: importing modules that reach into the interpreter
    (``ctypes``, ``importlib``, ``gc``, ``inspect`` ...); assigning to or
    deleting attributes of library modules or their functions (``np.mean =``,
    ``mtss_teach.screening.auc =``); ``setattr``/``exec``/``eval``/``globals()``
    and the like; rebinding names the checks rely on (``AssertionError``);
    touching code objects, frames, ``sys.modules``, the working folder, or
    changing the environment. ``aliases`` (name -> imported module) adds the
    names imported by other cells (the locked setup cell) to this cell's own.

    Examples
    --------
    >>> from mtss_teach.grading import scan_source
    >>> scan_source("cut = 42")
    []
    >>> scan_source("import numpy as np\\nnp.isclose = lambda *a, **k: True")
    ['line 2: assigns to np.isclose']
    >>> scan_source("import pandas as pd\\npd.options.mode.chained_assignment = None")  # a setting
    []
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python: nothing to run, nothing to flag
        return []
    names = dict(_DEFAULT_ALIASES)
    names.update(aliases or {})
    names.update(imports_of(source))
    flags: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for n in mods:
                top = n.split(".")[0]
                if n in _BAD_IMPORTS or top in ("builtins", "ctypes", "importlib", "gc") or (
                        top == "IPython" and not n.startswith(_ALLOWED_IPYTHON) and n != "IPython"):
                    flags.append(f"line {node.lineno}: imports {n}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mtss_teach":
                for a in node.names:
                    if a.name.startswith("_"):
                        flags.append(f"line {node.lineno}: imports the private name {a.name}")
            if isinstance(node, ast.ImportFrom) and node.module == "IPython":
                for a in node.names:
                    if a.name not in ("display",):
                        flags.append(f"line {node.lineno}: imports IPython.{a.name}")
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for t in targets:
            done = False
            for sub in ast.walk(t):
                if isinstance(sub, ast.Attribute):
                    parts = _dotted(sub)
                    if parts and _is_option(parts, names):
                        break  # pd.options.mode.chained_assignment = None: a setting
                    if sub.attr in _WRITE_ONLY_BAD_ATTRS or _graded(_root_name(sub), names):
                        flags.append(f"line {node.lineno}: assigns to {ast.unparse(sub)}")
                        done = True
                        break
                if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute) \
                        and sub.value.attr in _WRITE_ONLY_BAD_ATTRS:
                    flags.append(f"line {node.lineno}: assigns to {ast.unparse(sub)}")
                    done = True
                    break
                if isinstance(sub, ast.Name) and sub.id in _BAD_NAMES:
                    flags.append(f"line {node.lineno}: rebinds {sub.id}")
                    done = True
                    break
            if done:
                continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in _BAD_NAMES:
            flags.append(f"line {node.lineno}: redefines {node.name}")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in _BAD_CALLS:
                flags.append(f"line {node.lineno}: calls {node.func.id}()")
            if isinstance(node.func, ast.Name) and node.func.id == "vars" and (
                    not node.args or _graded(_root_name(node.args[0]), names)):
                flags.append(f"line {node.lineno}: calls vars()")
            if isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS \
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in _WRITE_ONLY_BAD_ATTRS:
                flags.append(f"line {node.lineno}: changes {ast.unparse(node.func.value)}")
        if isinstance(node, ast.Attribute) and node.attr in _BAD_ATTRS:
            flags.append(f"line {node.lineno}: uses .{node.attr}")
        if isinstance(node, ast.Name) and node.id == "__builtins__":
            flags.append(f"line {node.lineno}: uses {node.id}")
    out, seen = [], set()
    for f in flags:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


_SAFE_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%html", "%%markdown", "%%latex", "%%javascript")
_SAFE_SHELL = ("pip ", "pip3 ", "ls", "pwd", "echo ", "head ", "cat ", "wc ", "conda list", "python --version")


def _python_of(cell: dict) -> tuple[str | None, list[str]]:
    """The cell's Python (magics and shell lines blanked) and flags for magics that run other code."""
    src = cell.get("source", "")
    src = "".join(src) if isinstance(src, list) else src
    if not isinstance(src, str):
        return None, []
    flags: list[str] = []
    stripped = src.lstrip()
    if stripped.startswith("%%"):
        first, _, rest = stripped.partition("\n")
        magic = first.split()[0] if first.split() else first
        if magic not in _SAFE_CELL_MAGICS:
            return "", [f"line 1: runs the cell magic {magic} (code outside Python's view)"]
        src = rest if magic in ("%%time", "%%timeit", "%%capture") else ""
    lines = []
    for n, ln in enumerate(src.splitlines(), 1):
        s = ln.lstrip()
        if s.startswith("!") and not s[1:].lstrip().startswith(_SAFE_SHELL):
            flags.append(f"line {n}: runs a shell command")
        if s.startswith(("%system", "%sx", "%writefile", "%run", "%load ")):
            flags.append(f"line {n}: runs the magic {s.split()[0]}")
        lines.append("" if s.startswith(("%", "!")) else ln)
    return "\n".join(lines), flags


def _scan_cells(nb: dict, canonical: dict[str, dict] | None = None) -> list[tuple[int, str]]:
    """(cell index, flag) for every flag :func:`scan_notebook` reports."""
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    aliases: dict[str, str] = {}
    for cell in cells:
        if cell.get("cell_type") == "code":
            aliases.update(imports_of(_python_of(cell)[0] or ""))
    flags: list[tuple[int, str]] = []
    for i, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nbg = cell.get("metadata", {}).get("nbgrader") or {}
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        locked = canonical[gid]["locked"] if canonical and gid in canonical else bool(nbg.get("locked"))
        if locked:
            continue
        src, magic_flags = _python_of(cell)
        if src is None:
            continue
        flags += [(i, f"cell {gid or i}, {f}") for f in magic_flags + scan_source(src, aliases)]
    return flags


def scan_notebook(nb: dict, canonical: dict[str, dict] | None = None) -> list[str]:
    """:func:`scan_source` over every cell a learner can edit.

    Locked cells are skipped (nbgrader restores their source from the
    gradebook before running them); ``canonical`` (grade_id -> metadata) says
    which cells are locked; without it, cells whose own metadata says
    locked are skipped. Names imported anywhere in the notebook count as
    imported in every cell.
    """
    return [f for _, f in _scan_cells(nb, canonical)]
