"""The optional parts of newsmill: which extra to install when one is missing.

A missing optional package must read as what to do about it, not as an
internal error: `engine = "celery"` without the celery extra is a setup to
finish, and says which `pip install` finishes it.
"""

from __future__ import annotations

# top-level module: the extra of pyproject.toml that installs it
EXTRA_OF = {
    "celery": "celery",
    "kombu": "celery",
    "redis": "celery",
    "psycopg": "postgres",
    "playwright": "browser",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """One line naming the extra that installs the missing module; None if the module
    is not one of newsmill's optional parts (a broken installation: a real error)."""
    module = (exc.name or "").partition(".")[0]
    extra = EXTRA_OF.get(module)
    if extra is None:
        return None
    return f"the Python package {module} is not installed: pip install 'newsmill[{extra}]'"
