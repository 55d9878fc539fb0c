"""newsmill's own static site: pages, feeds, sitemap and search, built from the store.

See `builder` for how a build stays incremental, `search` for the index and
`docs/site.md` for the layout of the output and the template context.
"""

from newsmill.publish.site.builder import SiteWriter
from newsmill.publish.site.serve import make_server

__all__ = ["SiteWriter", "make_server"]
