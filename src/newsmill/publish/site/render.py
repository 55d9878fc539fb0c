"""Templates: Jinja2 with autoescaping, the user's folder first, then the built-in ones.

Autoescaping is what keeps a title like `{{ x }}`, `{% raw %}` or
`<script>` inert: values are data, never template source, and are escaped on
output. Only `content_html` is marked safe, because the clean stage
sanitized it with an allow-list before it was stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from newsmill import __version__
from newsmill.publish.site.assets import PACKAGE


class SiteEnvironment(jinja2.Environment):
    """Jinja's environment, with each template's globals in a plain dict.

    Every render copies the template's globals into its context and collects their
    names; Jinja's default globals map is a ChainMap over the environment's, which
    Python walks key by key, about a third of rendering a list entry (see
    bench/render.py). The dict is a snapshot: Jinja's documentation asks not to
    change globals once a template is loaded, and a site build never does.

    Output expressions keep Jinja's own autoescape, `markupsafe.escape`, which wraps
    each value in a Markup. Calling markupsafe's private C function instead rendered
    pages a third faster, but the escaping that keeps hostile text inert uses public
    APIs only, where a new Jinja or markupsafe cannot quietly change it.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_environment(user_templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.PackageLoader(PACKAGE, "templates"))
    env = SiteEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    # Compiling the templates took a tenth of a small build's time; Jinja keeps the
    # compiled code in a private folder of the temporary directory, by source checksum.
    env.bytecode_cache = _bytecode_cache(env)
    return env


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Jinja keys compiled templates by name and source only, not by the options they were
    compiled with: those (and newsmill's version) go into the file names."""
    options = (__version__, env.autoescape, env.trim_blocks, env.lstrip_blocks,
               env.keep_trailing_newline, env.undefined.__name__)  # fmt: skip
    tag = hashlib.blake2b(repr(options).encode(), digest_size=6).hexdigest()
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__newsmill_{tag}_%s.cache")
    except (OSError, RuntimeError):  # no usable temporary directory: compile every time
        return None
