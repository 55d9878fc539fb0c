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


def guid_key(guid: str) -> str:
    """What says two guids of one feed name the same item: a guid that is a link
    compares without its tracking parameters and cache busters (which some feeds
    change on every fetch), and with its fragment, which a page of notes or of
    comments uses to tell its items apart (`now.html#2026-02-16`, `#comment-210335`)."""
    if not guid.startswith(("http://", "https://")):
        return guid
    try:
        fragment = urlsplit(guid).fragment
    except ValueError:
        return guid
    return canonical_url(guid) + (f"#{fragment}" if fragment else "")
