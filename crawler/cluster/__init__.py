"""Crawls on other machines: Celery workers on Redis crawl, the daemon stays the one writer.

A worker crawls a source exactly as `newswatch crawl` does (Scrapy, the extraction pool),
against a snapshot of what the daemon's database knows of that source (`snapshot`), and
sends each page's outcome to a Redis Stream (`entries`) instead of storing it. The daemon
reads the stream and stores every outcome through the same store pipeline as a local
crawl, then acknowledges the entries it committed. Nothing here is imported unless
`[cluster] broker` is set.
"""
