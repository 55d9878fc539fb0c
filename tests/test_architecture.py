"""The layout rules of docs/architecture.md, checked on the source itself.

Each rule is one a newcomer can break without any behaviour test noticing,
until the day it matters: an import cycle that bites when a module moves, SQL
outside the store, a private name of a library that changes in a minor release.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).parent.parent / "src"
PACKAGE = SRC / "newsmill"
STAGES = ("fetch", "parse", "extract", "clean", "enrich", "dedupe", "store", "publish", "run")
GUARDED_LIBRARIES = ("httpx", "httpcore", "jinja2", "markupsafe")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def exported(package: str) -> set[str]:
    """Names a package's __init__ binds: `from pkg import x` gets these, not a submodule x."""
    path = MODULES.get(package)
    if path is None or path.name != "__init__.py":
        return set()
    return {
        alias.asname or alias.name
        for node in ast.parse(path.read_text("utf-8")).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def imports(name: str) -> Iterator[tuple[str, ast.AST]]:
    """Every module `name` imports (at any depth of its code), as absolute names."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = exported(base)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (
                    (submodule if submodule in MODULES and alias.name not in names else base),
                    node,
                )


def stage_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "newsmill" and len(parts) > 1 and parts[1] in STAGES else None


def test_no_import_cycle_among_the_modules() -> None:
    graph = {name: {t for t, _ in imports(name) if t in MODULES and t != name} for name in MODULES}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in MODULES:
        visit(name, [])


def test_a_stage_uses_another_only_through_its_package() -> None:
    """`newsmill.clean`, never `newsmill.clean.boilerplate`: what a package exports
    is its API, and the rest can change without a caller to break. The CLI is the
    one exception: each command imports just the module it needs, so that
    `newsmill status` does not load the whole pipeline first."""
    wrong = [
        f"{name} imports {target}"
        for name in MODULES
        if name != "newsmill.cli" and not name.startswith("newsmill.cli.")
        for target, _ in imports(name)
        if (theirs := stage_of(target)) is not None
        and theirs != stage_of(name)
        and MODULES[target].name != "__init__.py"
    ]
    assert wrong == []


def test_only_the_store_speaks_sql() -> None:
    wrong = [
        f"{name} imports {target}"
        for name in MODULES
        for target, _ in imports(name)
        if target.split(".")[0] == "sqlalchemy" and stage_of(name) != "store"
    ]
    assert wrong == []


def test_no_private_name_of_a_library_on_the_security_paths() -> None:
    """httpx, httpcore, Jinja and markupsafe guard fetching and escaping; their
    private names change without notice in any release. A module that uses one
    of them may reach `_name` attributes of its own objects only."""
    wrong = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        used = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        } & set(GUARDED_LIBRARIES)
        if not used:
            continue
        own = {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
        } | {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        from_library = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in used
            for alias in node.names
        } | used
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).split(".")[0] in from_library for base in node.bases
            ):  # a subclass of theirs may not override their private methods
                wrong += [
                    f"{name}:{item.lineno} overrides {node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and item.name.startswith("_")
                    and not item.name.startswith("__")
                ]
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in used:
                hidden = [a.name for a in node.names if a.name.startswith("_")]
                if hidden or any(p.startswith("_") for p in (node.module or "").split(".")):
                    wrong.append(f"{name}:{node.lineno} imports {node.module} {hidden}")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in own
            ):
                wrong.append(f"{name}:{node.lineno} uses {ast.unparse(node)}")
    assert wrong == []


def test_the_command_starts_without_the_pipeline_or_sql() -> None:
    """Every command imports the CLI first: `newsmill extract` or `probe` must not wait
    for SQLAlchemy, the site's templates, the config models, the fetch stage or the
    whole pipeline to load."""
    import subprocess
    import sys

    heavy = (
        "sqlalchemy", "jinja2", "pydantic", "httpx", "newsmill.run.pipeline", "newsmill.publish"
    )  # fmt: skip
    script = f"import sys, newsmill.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_a_build_loads_neither_fetching_nor_numpy() -> None:
    """`newsmill build` imports the publishing stages and the writers it is configured
    with: a site build with nothing new waits for neither the fetch and extraction
    stages nor numpy (which only the deduper and new search documents need)."""
    import subprocess
    import sys

    heavy = ("numpy", "httpx", "newsmill.fetch", "newsmill.extract", "newsmill.parse",
             "newsmill.publish.hexo", "newsmill.dedupe.clusters")  # fmt: skip
    script = (
        "import sys, newsmill.run.publishing, newsmill.publish.site.builder; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_lazy_package_exports_name_what_they_load() -> None:
    import newsmill.dedupe
    import newsmill.publish
    import newsmill.run
    import newsmill.store

    for package in (newsmill.dedupe, newsmill.publish, newsmill.run, newsmill.store):
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"
