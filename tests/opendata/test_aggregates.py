"""Safe aggregates: counts of the SYNTHETIC Wmo register published as open data, through
disclosure control; every refusal a clear error with nothing registered."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from stadsdata import demo
from stadsdata.errors import AccessDeniedError, ConflictError, GovernanceError
from stadsdata.opendata.aggregates import COUNT, FLAG, TOTAL, AggregateSpec, aggregate_sql
from stadsdata.platform import DEMO_WMO, Platform

SPEC = AggregateSpec(
    id="wmo_voorzieningen_per_wijk",
    source=DEMO_WMO,
    dimensions=["wijkcode", "voorziening"],
    title_nl="Wmo-voorzieningen per wijk 2019",
    title_en="Wmo provisions per wijk 2019",
)


def rows_of(platform: Platform, dataset_id: str) -> list[dict[str, object]]:
    result = platform.sql(f'SELECT * FROM "{dataset_id}"')
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_the_owner_publishes_a_protected_two_way_table(demo_platform: Platform) -> None:
    olga = demo_platform.identity.actor_for("olga")
    published = demo_platform.aggregates.publish(olga, SPEC)
    assert published.threshold == 10 and published.decision.released
    record = demo_platform.metastore.get_dataset(SPEC.id)
    assert record.classification == "openbaar"
    assert record.contract["title"]["nl"].startswith("SYNTHETISCH: ")  # made-up data stays labelled
    rows = rows_of(demo_platform, SPEC.id)
    assert len(rows) == published.cells and published.suppressed > 0
    # no published count below the threshold; a suppressed cell is empty and flagged
    for row in rows:
        assert (row[COUNT] is None) is row[FLAG]
        assert row[COUNT] is None or row[COUNT] >= 10
    # the grand total is the register's size (36,830 clients), unless it had to be suppressed
    grand = next(r for r in rows if r["wijkcode"] == TOTAL and r["voorziening"] == TOTAL)
    assert grand[COUNT] == 36_830
    # no line holds exactly one suppressed cell (it could be recomputed from the line's total)
    lines: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        lines[("wijk", str(row["wijkcode"]))].append(row)
        lines[("voorziening", str(row["voorziening"]))].append(row)
    for name, line in lines.items():
        assert sum(1 for r in line if r[FLAG]) != 1, f"line {name} has a single suppressed cell"
    # lineage, audit, and the public sees it
    assert [x.source_id for x in demo_platform.metastore.lineage(SPEC.id)["upstream"]] == [DEMO_WMO]
    actions = [e.action for e in demo_platform.audit.list(limit=5)]
    assert "aggregate_published" in actions and "publish_aggregate" in actions
    assert SPEC.id in [r.id for r in demo_platform.catalog.public()]


def test_publishing_again_makes_a_new_version(demo_platform: Platform) -> None:
    olga = demo_platform.identity.actor_for("olga")
    first = demo_platform.aggregates.publish(olga, SPEC)
    second = demo_platform.aggregates.publish(olga, SPEC)
    assert (first.result.version, second.result.version) == (1, 2)
    other = AggregateSpec(id=SPEC.id, source=DEMO_WMO, dimensions=["wijkcode"], title_nl="Andere telling")
    with pytest.raises(ConflictError, match="already exists and is not the aggregate of"):
        demo_platform.aggregates.publish(olga, other)


@pytest.mark.parametrize(
    ("who", "spec", "error", "message"),
    [
        ("ana", SPEC, AccessDeniedError, "only the dataset's data owner or steward"),
        ("adam", SPEC, AccessDeniedError, "only the dataset's data owner or steward"),  # not even the admin
        (
            "olga",
            AggregateSpec(id="wmo_per_bsn", source=DEMO_WMO, dimensions=["bsn"], title_nl="Per BSN geteld"),
            GovernanceError,
            "'bsn' is a direct identifier",
        ),
        (
            "olga",
            AggregateSpec(id="wmo_per_x", source=DEMO_WMO, dimensions=["leeftijd"], title_nl="Per leeftijd"),
            GovernanceError,
            "has no column 'leeftijd'",
        ),
        (
            "olga",
            AggregateSpec(
                id="wmo_drie",
                source=DEMO_WMO,
                dimensions=["wijkcode", "voorziening", "postcode"],
                title_nl="Drie kolommen",
            ),
            GovernanceError,
            "expected one or two different columns",
        ),
    ],
)
def test_refusals_register_nothing(
    demo_platform: Platform, who: str, spec: AggregateSpec, error: type[Exception], message: str
) -> None:
    datasets = len(demo_platform.catalog.list())
    with pytest.raises(error, match=message):
        demo_platform.aggregates.publish(demo_platform.identity.actor_for(who), spec)
    assert len(demo_platform.catalog.list()) == datasets
    assert not demo_platform.metastore.has_dataset(spec.id)


def test_a_datasets_own_threshold_applies(demo_platform: Platform, tmp_path: Path) -> None:
    """A contract may ask a stricter threshold than the platform's default; the published table
    and its blocking quality rule follow it."""
    data = yaml.safe_load(demo.contract_path(DEMO_WMO).read_text(encoding="utf-8"))
    data.update(id="wmo_strikt", disclosure_threshold=250)
    contract = tmp_path / "wmo_strikt.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    demo_platform.register(contract)
    demo_platform.ingest(demo.data_path(DEMO_WMO), "wmo_strikt")
    demo_platform.identity.assign_role("olga", "data_owner", "wmo_strikt", by="adam")
    spec = AggregateSpec(id="wmo_strikt_per_wijk", source="wmo_strikt", dimensions=["wijkcode"], title_nl="Per wijk")
    published = demo_platform.aggregates.publish(demo_platform.identity.actor_for("olga"), spec)
    assert published.threshold == 250
    counts = [r[COUNT] for r in rows_of(demo_platform, spec.id)]
    assert all(c is None or c >= 250 for c in counts) and any(c is None for c in counts)
    rule = demo_platform.metastore.get_dataset(spec.id).contract["quality"][0]
    assert (rule["rule"], rule["min"]) == ("range", 250)


def test_the_query_is_a_count_with_margins() -> None:
    sql = aggregate_sql("bron", ["a", "b"])
    assert 'count(*) AS "aantal"' in sql and 'GROUPING SETS (("a", "b"), ("a"), ("b"), ())' in sql
