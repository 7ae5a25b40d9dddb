"""The shape of the server, read from its source (cslp_forms/services/__init__.py says
why): services in tiers whose imports point one way, no import cycle anywhere, commits
only in views, commands and tasks, and every text of a problem in the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cslp_forms"
SERVICES = "cslp_forms.services"
# Each tier may import the tiers before it; a use case never imports another use case.
TIERS = ("base", "records", "use case", "reports", "tasks")
# What a service may import from the rest of the app (never a view, the CLI or the app).
BELOW_SERVICES = ("cslp_forms.extensions", "cslp_forms.models", "cslp_forms.problems",
                  "cslp_forms.schemas")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(name: str, root: Path = ROOT) -> bool:
    return (root / Path(*name.split(".")) / "__init__.py").exists()


def is_module(name: str, root: Path = ROOT) -> bool:
    path = root / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every module of ours `path` imports, at the top or inside a function."""
    name = module_name(path, root)
    package = name if is_package(name, root) else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if is_module(sub, root) else target)
    return {m for m in found if m.split(".")[0] == "cslp_forms"}


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports, for the package `cslp_forms` in `root`."""
    return {module_name(p, root): imports_of(p, root)
            for p in (root / "cslp_forms").rglob("*.py")}


def tier(name: str) -> int | None:
    if not name.startswith(SERVICES + "."):
        return None
    first = name.split(".")[2]
    return TIERS.index(first) if first in TIERS else TIERS.index("use case")


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in edges.items():
        mine = tier(module)
        if mine is None:
            continue
        for target in targets:
            theirs = tier(target)
            if target == SERVICES:
                wrong.append(f"{module} imports the services package itself")
            elif theirs is None:
                if not target.startswith(BELOW_SERVICES):
                    wrong.append(f"{module} imports {target}, which is above the services")
            elif theirs > mine or (theirs == mine == TIERS.index("use case")
                                   and target != module):
                wrong.append(f"{module} ({TIERS[mine]}) imports {target} ({TIERS[theirs]})")
    return sorted(wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan). A module importing its own
    package (a blueprint's `from . import bp`) is how packages work, not a cycle."""
    def own_package(module: str, target: str) -> bool:
        return module.startswith(target + ".")

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in edges or own_package(node, target):
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def calls(path: Path, attribute: str) -> list[int]:
    return [n.lineno for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == attribute]


def literal_texts(path: Path) -> list[str]:
    """Problem details and field messages written in place instead of in the catalogue."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
            detail = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "detail"), None)
            if isinstance(detail, ast.Constant | ast.JoinedStr | ast.BinOp):
                out.append(f"{path.name}:{node.lineno}: {ast.unparse(detail)[:60]}")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "message" \
                        and isinstance(value, ast.Constant | ast.JoinedStr):
                    out.append(f"{path.name}:{node.lineno}: {ast.unparse(value)[:60]}")
    return out


# --- the rules, on the real tree ----------------------------------------------------

def test_services_import_only_down_their_tiers():
    assert upward_imports(graph()) == []


def test_no_module_of_the_app_imports_itself_in_a_circle():
    assert cycles(graph()) == []


def test_only_views_commands_and_tasks_commit():
    services = PACKAGE / "services"
    tasks = services / "tasks"
    committing = [f"{p.relative_to(ROOT)}:{line}" for p in services.rglob("*.py")
                  if tasks not in p.parents for line in calls(p, "commit")]
    assert committing == []


def test_every_problem_text_is_in_the_catalogue():
    found = [t for p in PACKAGE.rglob("*.py") if p.name != "problems.py"
             for t in literal_texts(p)]
    assert found == []


def test_every_catalogue_key_is_used_and_every_used_key_exists():
    from cslp_forms.problems import DETAILS

    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    for key in DETAILS:
        assert f'"{key}"' in source.replace(f'    "{key}":', ""), f"{key} is never said"
    used = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                    "say", "invalid", "field_error"):
                position = 0 if node.func.id == "say" else 2
                if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                    used.add(node.args[position].value)
    assert used - set(DETAILS) == set()


# --- the checks themselves catch what they are for -----------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "cslp_forms" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [tmp_path / "cslp_forms", *(tmp_path / "cslp_forms").rglob("*")]:
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("files, expected", [
    ({"services/base/units.py": "from ..records import access\n",
      "services/records/access.py": ""},
     ["cslp_forms.services.base.units (base) imports cslp_forms.services.records.access "
      "(records)"]),
    ({"services/sync.py": "from .review import decide\n", "services/review.py": ""},
     ["cslp_forms.services.sync (use case) imports cslp_forms.services.review (use case)"]),
    ({"services/records/notices.py": "def f():\n    from ...sync import views\n",
      "sync/views.py": ""},
     ["cslp_forms.services.records.notices imports cslp_forms.sync.views, which is above "
      "the services"]),
    ({"services/reports/indicators.py": "from .. import deadlines\n",
      "services/deadlines.py": "from .base import units\n", "services/base/units.py": ""},
     []),
])
def test_an_upward_import_is_found(tmp_path, files, expected):
    root = _tree(tmp_path, files)
    assert upward_imports(graph(root)) == expected


def test_a_cycle_is_found_even_through_a_function_local_import(tmp_path):
    root = _tree(tmp_path, {
        "services/sync.py": "from .records import sealing\n",
        "services/records/sealing.py": "def rotate():\n    from .. import sync\n",
        "review/__init__.py": "from . import views\n",
        "review/views.py": "from . import bp\n",
    })
    assert cycles(graph(root)) == [["cslp_forms.services.records.sealing",
                                    "cslp_forms.services.sync"]]


def test_a_literal_text_is_found(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('raise Problem("a.b", f"Không có {x}.")\n'
                    'raise Problem("a.b", say("a.c"))\n'
                    'errors = [{"field": "f", "code": "c", "message": "Sai."}]\n',
                    encoding="utf-8")
    assert literal_texts(path) == ['x.py:1: f\'Không có {x}.\'', "x.py:3: 'Sai.'"]
