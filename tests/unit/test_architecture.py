"""Imports point inward: the domain stands on the standard library and python-stdnum alone, and the
services know no database, web framework or HTTP client, not even through another keepword module."""

from __future__ import annotations

import ast
import sys
from collections import deque
from functools import cache
from pathlib import Path

import pytest

import keepword

PACKAGE = Path(keepword.__file__).parent
DOMAIN_MAY_IMPORT = {"stdnum"}
ADAPTER_LIBRARIES = {"sqlalchemy", "fastapi", "starlette", "httpx", "alembic", "psycopg"}

#: Known breaches, each to be removed when fixed (the test fails once an entry no longer breaches):
#: (services module, the keepword module through which it reaches an adapter library).
KNOWN_BREACHES: set[tuple[str, str]] = set()


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute name) of every import in a module of ``package``, relative imports resolved.

    ``from a import b`` yields both ``a`` and ``a.b``, since ``b`` may be a submodule.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_of(name: str) -> Path | None:
    base = PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports_of(path: Path) -> tuple[tuple[int, str], ...]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return tuple(imported_modules(path.read_text(encoding="utf-8"), package))


def adapter_chain(start: Path) -> list[str] | None:
    """The shortest import chain from ``start`` to an adapter library, through keepword modules."""
    first = module_name(start)
    parents = {first: None}
    queue = deque([first])
    while queue:
        current = queue.popleft()
        for _, name in imports_of(source_of(current)):
            if name.split(".")[0] in ADAPTER_LIBRARIES:
                chain = [name]
                while current is not None:
                    chain.append(current)
                    current = parents[current]
                return list(reversed(chain))
            if name.startswith("keepword") and name not in parents and source_of(name):
                parents[name] = current
                queue.append(name)
    return None


def modules_of(subpackage: str) -> list[Path]:
    paths = sorted((PACKAGE / subpackage).rglob("*.py"))
    assert paths, f"no modules under {subpackage}"
    return paths


def _is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


@pytest.mark.parametrize("path", modules_of("domain"), ids=lambda p: module_name(p))
def test_domain_imports_only_stdlib_stdnum_and_itself(path):
    foreign = [f"line {line}: {name}" for line, name in imports_of(path)
               if not (_is_stdlib(name) or name.split(".")[0] in DOMAIN_MAY_IMPORT
                       or name == "keepword.domain" or name.startswith("keepword.domain."))]
    assert foreign == [], f"{path.name} imports outside the domain"


@pytest.mark.parametrize("path", modules_of("services"), ids=lambda p: module_name(p))
def test_services_import_no_database_web_or_http_library(path):
    direct = [f"line {line}: {name}" for line, name in imports_of(path)
              if name.split(".")[0] in ADAPTER_LIBRARIES or name.startswith(("keepword.store.", "keepword.web."))]
    assert direct == [], f"{path.name} depends on an adapter"
    chain = adapter_chain(path)
    known = {via for module, via in KNOWN_BREACHES if module == module_name(path)}
    if known:
        assert chain is not None and set(chain) & known, f"{module_name(path)} is clean: drop it from KNOWN_BREACHES"
    else:
        assert chain is None, "reaches an adapter library: " + " -> ".join(chain)


def test_the_checker_sees_imports_inside_functions_and_relative_imports():
    source = "def f():\n    import sqlalchemy.orm\nfrom . import money\nfrom ..store import tables\n"
    names = sorted(name for _, name in imported_modules(source, "keepword.domain"))
    assert names == ["keepword.domain", "keepword.domain.money", "keepword.store", "keepword.store.tables",
                     "sqlalchemy.orm"]


def test_the_checker_follows_chains_through_keepword_modules():
    chain = adapter_chain(PACKAGE / "bootstrap.py")
    assert chain is not None and chain[0] == "keepword.bootstrap" and chain[-1].startswith("sqlalchemy")
    assert adapter_chain(PACKAGE / "domain" / "cases.py") is None
