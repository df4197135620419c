"""Watches and alerts: text folding and the watchlist matcher (pure), alerts recorded as
articles are stored, and their delivery through apprise."""
