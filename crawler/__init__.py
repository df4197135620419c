"""newswatch's Scrapy side: settings, the source spider, its middlewares and the crawl runner."""
