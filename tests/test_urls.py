"""URL canonicalisation: every spelling of one page becomes one URL."""

from __future__ import annotations

import pytest

from crawler.urls import canonical_url, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTP://WWW.Example.COM:80/News/Story?b=2&a=1#comments",
            "http://www.example.com/News/Story?a=1&b=2",
        ),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        (
            "https://example.com/a?utm_source=nl&utm_medium=email&fbclid=X&gclid=Y&id=7",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?q=", "https://example.com/a?q="),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
        # An escape that is not UTF-8 keeps its bytes (not %EF%BF%BD), in the path and query.
        (
            "https://example.com/a%e2%82?q=%e2%82&r=%E2%82%AC",
            "https://example.com/a%e2%82?q=%E2%82&r=%E2%82%AC",
        ),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent():
    url = canonical_url("https://Example.com/a?z=1&utm_source=x&a=2#top")
    assert canonical_url(url) == url


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.example.com/a", "https://example.com/b", True),
        ("https://amp.example.com/a", "https://www.example.com/a", True),
        ("https://m.example.com/a", "https://news.example.com/a", True),
        ("https://example.com/a", "https://example.org/a", False),
        ("https://example.com/a", "https://notexample.com/a", False),
    ],
)
def test_same_site(a, b, same):
    assert same_site(a, b) is same
