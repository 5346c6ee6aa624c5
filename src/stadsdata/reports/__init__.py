"""Public-space reports (meldingen) as a dataset type, and their aggregations (docs/reports.md)."""

from stadsdata.reports.dataset_type import (
    OPTIONAL,
    REQUIRED,
    TEMPLATE,
    UNSAFE_TRAFFIC,
    ReportsError,
    is_reports,
    problems,
    require_reports,
)
from stadsdata.reports.grid import DEFAULT_SIZE, GridCell, bin_points, outline
from stadsdata.reports.queries import ReportFilter
from stadsdata.reports.service import Dashboard, Reports, trend

__all__ = [
    "DEFAULT_SIZE",
    "OPTIONAL",
    "REQUIRED",
    "TEMPLATE",
    "UNSAFE_TRAFFIC",
    "Dashboard",
    "GridCell",
    "ReportFilter",
    "Reports",
    "ReportsError",
    "bin_points",
    "is_reports",
    "outline",
    "problems",
    "require_reports",
    "trend",
]
