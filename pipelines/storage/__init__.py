"""The SQLite file: opening it (`database`), its schema as migrations (`schema`), the
writes a crawl makes (`writer`), crawl runs (`runs`), story clusters (`clusters`) and the
write transaction they share (`transactions`)."""
