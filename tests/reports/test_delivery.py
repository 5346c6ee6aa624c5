"""A bad delivery of reports is refused in one line naming the row and the column, and the
current version stays as it was (nothing is lost)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stadsdata.errors import DeliveryError
from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE
from tests.reports.conftest import REPORTS, rows


def _broken(tmp_path: Path, row: int, column: str, value: str) -> Path:
    """The shipped file with one value of data row ``row`` (1-based) replaced."""
    import csv

    with REPORTS.open(encoding="utf-8", newline="") as handle:
        data = list(csv.reader(handle))
    data[row][data[0].index(column)] = value
    file = tmp_path / "levering.csv"
    with file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(data)
    return file


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (10, "lat", "48.85", r"range\(lat\) .*\(first at row 10\)"),  # Paris: not in the Netherlands
        (25, "lon", "0", r"range\(lon\) .*\(first at row 25\)"),
        (7, "hoofdcategorie", "Parkeren", r"allowed_values\(hoofdcategorie\) .*\(first at row 7\)"),
        (3, "days_open", "-2", r"range\(days_open\) .*\(first at row 3\)"),  # resolved before it was created
        (40, "category_slug", "Afval ", r"pattern\(category_slug\) .*\(first at row 40\)"),
        (6, "created_at", "gisteren", r"\(row 6\), column created_at: value 'gisteren' is not a date and time"),
        (8, "created_at", "2025-13-45T10:00:00+00:00", r"\(row 8\), column created_at: value '2025-13-45T10:00"),
        (12, "resolved_date", "gisteren", r"\(row 12\), column resolved_date: value 'gisteren' is not a date"),
        (14, "lon", "zes", r"\(row 14\), column lon: value 'zes' is not a number"),
        (5, "id", "", r"row 5.*\bid\b"),
    ],
)
def test_a_bad_delivery_is_refused_in_one_line(
    reports_platform: Platform, tmp_path: Path, row: int, column: str, value: str, expected: str
) -> None:
    before = reports_platform.metastore.get_dataset(TEMPLATE).current_version
    with pytest.raises(DeliveryError, match=expected) as caught:
        reports_platform.ingest(_broken(tmp_path, row, column, value), TEMPLATE)
    assert "\n" not in str(caught.value)
    assert reports_platform.metastore.get_dataset(TEMPLATE).current_version == before
    assert reports_platform.reports.dashboard(TEMPLATE).totals.meldingen == len(rows())
