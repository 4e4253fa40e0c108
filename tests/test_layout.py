"""The package's shape: no import cycles, imports at module top (deferred only with a
reason), and the README's layout table matches the tree."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "perfkit"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _resolve(mod: str, node: ast.ImportFrom, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _graph() -> dict[str, set[str]]:
    """Module -> perfkit modules it imports when it is imported (module level, outside
    ``if TYPE_CHECKING``)."""
    mods = {_module(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
                names: list[str] = []
                if isinstance(sub, ast.Import):
                    names = [a.name for a in sub.names]
                elif isinstance(sub, ast.ImportFrom):
                    base = _resolve(mod, sub, path.name == "__init__.py")
                    names = [base] + [f"{base}.{a.name}" for a in sub.names]
                for n in names:
                    if n in mods and n != mod:
                        deps.add(n)
        graph[mod] = deps
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            # importing a package's submodule runs the package first: parent packages are not cycles
            if m.startswith(d + "."):
                continue
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycle_between_perfkit_modules():
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_imports_are_at_module_top_unless_deferred_with_a_reason():
    """A function-level import must say why (``deferred``) on its line, the line above, or
    in its function's or module's docstring: a heavy optional dependency such as Altair or
    Dask, or code that runs inside a report kernel."""
    bad = []
    for path in PKG.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        if "deferred" in (ast.get_docstring(tree) or ""):  # the module says why, once
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        here = lines[sub.lineno - 1]
                        above = lines[sub.lineno - 2] if sub.lineno > 1 else ""
                        func_doc = ast.get_docstring(node) or ""
                        if "#" not in here and not above.strip().startswith("#") and "deferred" not in func_doc:
                            bad.append(f"{path.relative_to(ROOT)}:{sub.lineno}: {here.strip()}")
    assert not bad, "\n".join(bad)


def test_readme_layout_table_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(perfkit/[a-z0-9_]+/?|[a-z0-9_]+/)`", section))
    for entry in named:
        assert (ROOT / entry.rstrip("/")).exists(), f"README names {entry}, which does not exist"
    subpackages = {f"perfkit/{p.name}/" for p in PKG.iterdir() if (p / "__init__.py").is_file()}
    missing = sorted(s for s in subpackages if s not in named)
    assert not missing, f"README's layout table does not mention {missing}"
    top = {f"{p.name}/" for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
           and p.name not in ("out", "build", "perfkit") and not p.name.endswith(".egg-info")}
    assert not sorted(t for t in top if t not in named), "README's layout table misses a top-level folder"
