"""A post writer's manifest: what its last run wrote, so the next renders only what changed.

`.newsmill-posts.json` in the posts folder (a dot-file every generator
skips) maps each article id to `[version, file name]`, under a key of the
writer's settings. It is read leniently, since a manifest that is missing,
damaged, of another format or written with other settings only means every
post is rendered again, and written atomically, so a killed run leaves the
old one or the new one, never half of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newsmill.files import write_atomic

MANIFEST = ".newsmill-posts.json"
FORMAT = 1  # "v" in the file: raised when its shape changes

Records = dict[str, list[str]]  # article id -> [version, file name]


def read_manifest(folder: Path, settings: str) -> Records:
    """The last run's records, if it ran with these settings; else none (render all)."""
    try:
        data: Any = json.loads((folder / MANIFEST).read_bytes())
        posts = data["posts"]
        if data.get("v") != FORMAT or data.get("settings") != settings:
            return {}
        if not all(type(r) is list and len(r) == 2 for r in posts.values()):
            return {}
        return dict(posts)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_manifest(folder: Path, settings: str, posts: Mapping[str, list[str]]) -> None:
    """Replace the manifest atomically, records sorted by id; raises OSError."""
    data = {"v": FORMAT, "settings": settings, "posts": dict(sorted(posts.items()))}
    write_atomic(folder / MANIFEST, json.dumps(data, ensure_ascii=False).encode())


def remove_manifest(folder: Path) -> None:
    """No manifest: for a run that wrote posts it does not record (`PostWriter.publish`)."""
    (folder / MANIFEST).unlink(missing_ok=True)
