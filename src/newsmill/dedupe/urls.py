"""Canonical URLs: one spelling per article, whatever trackers were appended."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_EXACT = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "spm",
    "scm",
    "from",
    "wfr",
    "share_token",
    "share_from",
    "tt_from",
    "timestamp",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "vd_source",
    # cache busters that make every fetch of a feed show a "new" link
    "_",
    "ts",
    "cb",
    "cachebuster",
    "nocache",
    "rnd",
    "rand",
}
_TRACKING_PREFIX = re.compile(r"^(utm_|pk_|mtm_|hmsr|hmpl|hmcu|hmkw|hmci)", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    return name.lower() in _TRACKING_EXACT or bool(_TRACKING_PREFIX.match(name))


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters, otherwise unchanged (for links in content)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True)))


def canonical_url(url: str) -> str:
    """The key that says two links are one article: https, host without `www.`, no
    default port, fragment or tracking parameters, sorted query.

    http/https and `www.` are folded because sites serve the same page under
    each; the result is a key for comparison, not a link to follow.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower().removeprefix("www.")
    try:
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    path = parts.path or "/"
    return urlunsplit(("https", netloc, path, urlencode(query), ""))
