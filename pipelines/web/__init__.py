"""The web face: the corpus in Datasette, read-only, with Atom feeds of alerts and searches.

`site` builds the Datasette instance (table descriptions from `pipelines.schema`, facets,
canned queries, permissions); `plugin` is our Datasette plugin (the Atom renderer);
`atom` writes Atom 1.0 documents, for the web and for `newswatch alerts --format atom`.
"""
