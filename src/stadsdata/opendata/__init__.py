"""Open data: what the public may see, row queries with filters and keyset pages, exports, DCAT."""
