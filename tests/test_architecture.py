"""The layout holds: every app imports only the rooms below it, core imports no app, and no import hides
inside a function to dodge a cycle. docs/architecture.md explains the order."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. A room may import only rooms before it in this list; `govmedia` (the project: settings,
# URLs, navigation, schedule, home page, demo) sits on top and may import every app.
LAYERS = [
    "core",
    "organisations",
    "notifications",
    "webhooks",
    "rules",
    "accounts",
    "sites",
    "publishing",
    "review",
    "inspections",
    "scanning",
    "reports",
    "govmedia",
]
ROOMS = set(LAYERS)


def room_of_module(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "govmedia":
        return "core" if len(parts) > 1 and parts[1] == "core" else "govmedia"
    return parts[0] if parts[0] in ROOMS else None


def room_of_path(path: Path) -> str | None:
    return room_of_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def source_files():
    for room in ROOMS - {"core", "govmedia"}:
        yield from (ROOT / room).rglob("*.py")
    yield from (ROOT / "govmedia").rglob("*.py")


def imports(path: Path):
    """(module, line, inside a function) for every absolute or relative import of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).parent.parts)

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                yield module, child.lineno, in_function
            yield from visit(child, nested)

    yield from visit(tree, False)


def test_every_room_exists():
    missing = [room for room in ROOMS - {"core"} if not (ROOT / room / "__init__.py").exists()]
    assert not missing


@pytest.mark.parametrize("path", sorted(source_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_only(path):
    if "migrations" in path.parts:
        return
    here = room_of_path(path)
    upward, hidden = [], []
    for module, line, in_function in imports(path):
        there = room_of_module(module)
        if there is None or there == here:
            continue
        if LAYERS.index(there) > LAYERS.index(here):
            upward.append(f"line {line}: {module}")
        elif in_function:
            hidden.append(f"line {line}: {module}")
    assert not upward, f"{here} imports rooms above it: {upward}"
    assert not hidden, f"imports of other rooms inside functions: {hidden}"
