"""The corpus as people ask about it: full-text search, an article's versions, the pages
table (what became of each URL), and research exports."""
