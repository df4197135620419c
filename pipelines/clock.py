"""newswatch's one clock, and stored times read back: every time is stored as an ISO 8601
string in UTC, to the second ("2026-11-30T18:05:00+00:00")."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    """Now, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now_iso() -> str:
    """Now as stored: "2026-11-30T18:05:00+00:00"."""
    return now_utc().isoformat()


def as_utc(stamp: str | None) -> datetime | None:
    """A stored (or page-given) ISO time as an aware UTC datetime, a time without a zone
    taken as UTC; None for none, or for a string that is no ISO time."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
