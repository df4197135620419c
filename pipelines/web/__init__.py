"""The web face: the corpus in Datasette, read-only, with Atom feeds of alerts and searches.

`site` builds the Datasette instance (table descriptions from `pipelines.storage.schema`, facets,
canned queries, permissions) and serves it; `plugin` is our Datasette plugin (the Atom
renderer, the data of our pages); `pages` reads what the home and article pages show
(`templates/`); `atom` writes Atom 1.0 documents, for the web and for
`newswatch alerts --format atom`.
"""
