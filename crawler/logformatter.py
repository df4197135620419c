"""Scrapy's log lines for items, shortened: our pipelines log each outcome as an event."""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        return None

    def dropped(self, item, exception, response, spider):
        return {
            "level": logging.DEBUG,
            "msg": "Dropped %(item)r: %(exception)s",
            "args": {"item": item, "exception": exception},
        }
