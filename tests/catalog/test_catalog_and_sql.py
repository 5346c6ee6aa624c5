"""Catalogue and SQL over the real demo data: the backbone's "done when" in-process."""

from __future__ import annotations

import pytest

from stadsdata import demo
from stadsdata.errors import NotFoundError, SQLError
from stadsdata.platform import Platform
from tests.demo_expect import COMPUTED


def test_demo_loads_every_shipped_dataset(demo_platform: Platform) -> None:
    ids = [d.id for d in demo_platform.catalog.list()]
    assert ids == sorted([*demo.DEMO_DATASETS, *COMPUTED])  # and the datasets computed from them
    counts = {i: demo_platform.sql(f"select count(*) from {i}").rows[0][0] for i in ids}
    assert counts == {
        "algoritmeregister_2022": 96,
        "cbs_gemeenten_2024": 342,
        "cbs_kwb_2017_nl": 16667,
        "cbs_kwb_2019_den_haag": 159,
        "cbs_kwb_2019_gemeenten": 355,
        "cbs_kwb_2021_den_haag": 159,
        "wmo_hbh_gemeenten_2017_2019": 936,
        "cbs_wijken_2019_den_haag": 44,
        "cbs_buurten_2019_den_haag": 114,
        "indicatoren": 263643,  # 45 indicators x every region and year that has their columns
        "wmo_clienten_synthetisch": 36830,  # vertrouwelijk: in the staff catalogue, never in the public one
        "wmo_prognose": 44 * 5,  # 43 inhabited wijken and the city x 5 years
        "bron_ongevallen_utrecht_2015_2018": 17979,  # one row per party of an accident (13,406 accidents)
        "meldingen_assen_signalen_2026": 3024,
        "verkeer_hotspots": 7858,  # every accident location of the Utrecht BRON extract
    }


def test_real_values(demo_platform: Platform) -> None:
    sql = demo_platform.sql
    assert sql("select AantalInwoners_5 from cbs_kwb_2019_den_haag where Codering_3 = 'GM0518'").rows == [(537833,)]
    assert sql("select count(*) from cbs_kwb_2019_den_haag where SoortRegio_2 = 'Wijk'").rows == [(44,)]
    assert sql("select AantalInwoners_5 from cbs_kwb_2017_nl where Codering_3 = 'NL00'").rows == [(17081507,)]
    assert sql("select statnaam from cbs_gemeenten_2024 where statcode = 'GM0518'").rows == [("'s-Gravenhage",)]
    assert sql("select count(*) from algoritmeregister_2022 where organization = 'Gemeente Den Haag'").rows == [(26,)]
    # geometry is a real geometry: Den Haag's point lies inside its own boundary
    inside = sql("select statcode from cbs_gemeenten_2024 where st_contains(geometry, st_point(4.3007, 52.0705))").rows
    assert inside == [("GM0518",)]
    # a join across datasets: 2019 population of the 2024 gemeenten that kept their code
    joined = sql(
        "select count(*) from cbs_gemeenten_2024 g join cbs_kwb_2019_gemeenten k on g.statcode = k.unique_id"
    ).rows[0][0]
    assert 300 < joined < 342


def test_empty_cbs_values_are_null_not_zero(demo_platform: Platform) -> None:
    rows = demo_platform.sql("select count(*) from cbs_kwb_2019_den_haag where WmoClienten_89 is null").rows[0][0]
    assert rows > 0  # secret or missing per CBS, kept as empty


def test_time_travel(demo_platform: Platform) -> None:
    dataset = "cbs_kwb_2019_gemeenten"
    path = demo.data_path(dataset)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    smaller = demo_platform.home / "subset.csv"
    smaller.write_text("".join(lines[:101]), encoding="utf-8")
    result = demo_platform.ingest(smaller, dataset)
    assert result.version == 2
    sql = demo_platform.sql
    assert sql(f"select count(*) from {dataset}").rows == [(100,)]
    assert sql(f'select count(*) from "{dataset}@1"').rows == [(355,)]
    assert sql(f'select count(*) from "{dataset}@2"').rows == [(100,)]
    both = sql(f'select (select count(*) from "{dataset}@1") - (select count(*) from "{dataset}@2")').rows
    assert both == [(255,)]
    with pytest.raises(SQLError, match="has no version 3"):
        sql(f'select * from "{dataset}@3"')
    versions = demo_platform.catalog.versions(dataset)
    assert [(v.number, v.row_count, v.delivered_by) for v in versions] == [(1, 355, "tester"), (2, 100, "tester")]
    assert versions[0].content_sha256 != versions[1].content_sha256


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("drop table cbs_kwb_2017_nl", "only read-only queries"),
        ("insert into cbs_kwb_2017_nl values (1)", "only read-only queries"),
        ("select 1; select 2", "exactly one SELECT"),
        ("select * from read_csv('/etc/passwd')", "table functions"),
        ("copy cbs_kwb_2017_nl to '/tmp/x.csv'", "only read-only queries"),
        ("select * from nope", "query failed"),
        ('select * from "nope@2"', "unknown dataset 'nope'"),
        ("selec 1", "could not parse"),
    ],
)
def test_sql_is_read_only_and_explains_errors(demo_platform: Platform, query: str, message: str) -> None:
    with pytest.raises(SQLError, match=message):
        demo_platform.sql(query)


def test_search(demo_platform: Platform) -> None:
    search = lambda text: [d.id for d in demo_platform.catalog.search(text)]  # noqa: E731
    found = search("wmo")  # a column description; a title
    assert {"cbs_kwb_2019_den_haag", "wmo_clienten_synthetisch", "wmo_hbh_gemeenten_2017_2019"} <= set(found)
    assert "cbs_gemeenten_2024" not in found and found == sorted(found)
    assert "cbs_kwb_2019_den_haag" in search("WmoClienten_89")  # a column name
    assert search("algoritme") == ["algoritmeregister_2022"]
    assert set(search("gemeente grenzen")) <= set(demo.DEMO_DATASETS) and "cbs_gemeenten_2024" in search("grenzen")
    assert search("zzzz geen treffer") == []


def test_show(demo_platform: Platform) -> None:
    view = demo_platform.catalog.show("cbs_kwb_2019_den_haag")
    assert view.contract.classification.value == "openbaar"
    assert len(view.contract.columns) == 118
    assert view.current is not None and view.current.row_count == 159
    assert view.deliveries[-1].state == "loaded" and view.deliveries[-1].sha256
    with pytest.raises(NotFoundError):
        demo_platform.catalog.show("bestaat_niet")


def test_like_registers_new_dataset(demo_platform: Platform) -> None:
    source = demo.data_path("cbs_kwb_2019_gemeenten")
    result = demo_platform.ingest(
        source,
        "cbs_kwb_2019_gemeenten_kopie",
        like="cbs_kwb_2019_gemeenten",
        title="Kerncijfers gemeenten 2019 (kopie)",
    )
    assert result.version == 1 and result.row_count == 355
    record = demo_platform.metastore.get_dataset("cbs_kwb_2019_gemeenten_kopie")
    assert record.like_of == "cbs_kwb_2019_gemeenten" and record.title == "Kerncijfers gemeenten 2019 (kopie)"
    assert (
        demo_platform.contracts.load("cbs_kwb_2019_gemeenten_kopie").column_names
        == demo_platform.contracts.load("cbs_kwb_2019_gemeenten").column_names
    )


def test_lineage_recorded(demo_platform: Platform) -> None:
    demo_platform.metastore.add_lineage("cbs_kwb_2019_den_haag", "cbs_kwb_2019_gemeenten", note="test")
    view = demo_platform.catalog.show("cbs_kwb_2019_gemeenten")
    assert [x.dataset_id for x in view.lineage["downstream"]] == ["cbs_kwb_2019_den_haag"]
