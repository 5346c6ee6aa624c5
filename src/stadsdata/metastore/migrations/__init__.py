"""Alembic migrations of the metastore. HEAD must name the newest revision (a test checks it),
so that an up-to-date database is recognised without importing Alembic on every command."""

HEAD = "0004"
