"""URL canonicalisation: one spelling per page, so every check (stored? seen?) is exact."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "smid",
        "ncid",
        "spm",
        "at_medium",
        "at_campaign",
        "guccounter",
        "mkt_tok",
        "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Host prefixes that name another edition of the same site (mobile, AMP).
EDITION_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The one spelling of `url` newswatch stores and compares.

    Scheme and host lower-cased, the default port and the fragment dropped,
    tracking parameters dropped, the remaining query sorted. The path is kept
    as it is: on most servers it is case-sensitive. Raises ValueError for a URL
    that names no page (an invalid host or port).
    """
    parts = urlsplit(url.strip())  # ValueError: a bracket unclosed, a host invalid under NFKC
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    port = parts.port  # ValueError: not a port (99999 is not port 80)
    netloc = host
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    # An escape that is not UTF-8 (%e2%82) is kept as its bytes, never replaced by U+FFFD.
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True, errors="surrogateescape")
        if not is_tracking_param(k)
    )
    query = urlencode(query, errors="surrogateescape")
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def site_of(url: str) -> str:
    """The host of `url` without an edition prefix: www.x.com, m.x.com and x.com are one site."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    for prefix in EDITION_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host


def same_site(a: str, b: str) -> bool:
    """True when `a` and `b` are pages of one site (a canonical link may only point there)."""
    site_a, site_b = site_of(a), site_of(b)
    return bool(site_a) and (
        site_a == site_b or site_a.endswith("." + site_b) or site_b.endswith("." + site_a)
    )
