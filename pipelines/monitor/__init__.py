"""The crawl watched: each source's health (pure rules, `health`), the checks and notices
over the database (`checks`), and the Prometheus metrics (`metrics`)."""
