"""Workspaces: an approved opgave's own DuckDB file with only its approved columns, until destroyed."""
