"""The catalogue: datasets, their versions and lineage, and SQL over every dataset."""

from stadsdata.catalog.service import Catalog, DatasetView

__all__ = ["Catalog", "DatasetView"]
