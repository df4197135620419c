"""The cluster's Redis: one way to connect to it, and the keys everyone shares."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

# Worker name -> its last heartbeat (unix time), written by each worker every few seconds.
WORKERS_KEY = "newswatch:workers"
# How long a command waits for Redis before it gives up: about a minute of tries.
RETRIES = 12


def retries_within(seconds: float) -> int:
    """How many of `redis_client`'s retries fit in `seconds` (their back-off at its longest)."""
    retries, waited, wait = 0, 0.0, 0.25
    while waited + wait <= seconds:
        retries, waited, wait = retries + 1, waited + wait, min(wait * 2, 8.0)
    return retries


def redis_client(url: str, retries: int = RETRIES) -> redis.Redis:
    """A client of the Redis at `url` that retries a failed command with jittered back-off
    (0.25 s doubling up to 8 s, `retries` times): `Redis.from_url` alone retries nothing."""
    retry = Retry(ExponentialWithJitterBackoff(cap=8.0, base=0.25), retries)
    return redis.Redis.from_url(
        url,
        retry=retry,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=30,
    )
