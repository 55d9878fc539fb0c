"""The built-in templates and static files, and the user's folder that adds to them.

Kept apart from the Jinja environment (`render`): a build with nothing new
needs the templates' fingerprint, not a template engine.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from newsmill import __version__

PACKAGE = "newsmill.publish.site"
STATIC_FILES = ("style.css", "search.js")


def static_files(user_templates: Path | None) -> dict[str, bytes]:
    """`static/` assets: the built-in ones, replaced or added to by `<templates>/static/`."""
    root = resources.files(PACKAGE).joinpath("static")
    files = {f"static/{name}": root.joinpath(name).read_bytes() for name in STATIC_FILES}
    if user_templates is not None and (user_templates / "static").is_dir():
        for path in sorted((user_templates / "static").rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(user_templates).as_posix()
                files[rel] = path.read_bytes()
    return files


def templates_fingerprint(user_templates: Path | None) -> str:
    """Changes when any template does, so a new template re-renders every page."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(__version__.encode())
    root = resources.files(PACKAGE).joinpath("templates")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".html"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    if user_templates is not None and user_templates.is_dir():
        for path in sorted(user_templates.rglob("*.html")):
            name = path.relative_to(user_templates).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
