"""The filter and the SQL the reports area hands to the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from stadsdata.reports import ReportFilter, ReportsError, queries


def test_parse_reads_the_form_and_empty_fields_mean_no_filter() -> None:
    assert ReportFilter.parse("", " ", None, "") == ReportFilter()
    f = ReportFilter.parse(" Afval ", "Dumping", "2026-06-01", "2026-06-30")
    assert f == ReportFilter("Afval", "Dumping", dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert f.params() == [
        ("hoofdcategorie", "Afval"),
        ("subcategorie", "Dumping"),
        ("van", "2026-06-01"),
        ("tot", "2026-06-30"),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("", "", "1-6-2026", ""), r"^van: expected a date as YYYY-MM-DD, e\.g\. 2026-06-01; got '1-6-2026'$"),
        (("", "", "", "2026-02-30"), r"^tot: expected a date as YYYY-MM-DD"),
        (
            ("", "", "2026-07-01", "2026-06-01"),
            r"^tot: 2026-06-01 is before van 2026-07-01; expected tot on or after van$",
        ),
        (("x" * 201, "", "", ""), r"^hoofdcategorie: expected a category name of at most 200 characters$"),
        (("", "Dump\x00ing", "", ""), r"^subcategorie: expected a category name without control characters$"),
    ],
)
def test_bad_form_input_gets_one_line(fields: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(ReportsError, match=message):
        ReportFilter.parse(*fields)


def test_values_are_quoted_as_sql_literals() -> None:
    where = ReportFilter("Kat'); DROP TABLE x; --").where()
    assert where == " WHERE hoofdcategorie = 'Kat''); DROP TABLE x; --'"


def test_one_statement_per_dashboard_in_portable_sql() -> None:
    sql = queries.dashboard_sql(ReportFilter("Afval", start=dt.date(2026, 6, 1)), "subcategorie")
    assert sql.count(" UNION ALL ") == 8
    assert "DATE '2026-06-01'" in sql and "CROSS JOIN (SELECT MIN(resolved_date) AS waargenomen_vanaf" in sql
    # no engine dialect: no DuckDB-only functions, no quoted identifiers
    for dialect in ("isoyear", "strftime", "epoch", "::", '"', "QUALIFY", "GROUP BY ALL", "median("):
        assert dialect not in sql
    assert "percentile_disc(0.9) WITHIN GROUP (ORDER BY" in sql
    assert "date_trunc('week', created_at)" in sql


def test_the_resolution_groups_are_fixed() -> None:
    with pytest.raises(ValueError):
        queries.resolution_sql(ReportFilter(), "wijk; DROP")
