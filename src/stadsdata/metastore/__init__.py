"""The platform's own state (catalogue, versions, deliveries, lineage) in SQLAlchemy 2.

SQLite file by default, PostgreSQL by URL. The schema is owned by Alembic migrations in
``migrations/``; ``Metastore.open`` brings a database up to the newest revision.
"""

from stadsdata.metastore.store import Metastore

__all__ = ["Metastore"]
