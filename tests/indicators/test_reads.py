"""The reads the portal and API make: values, regions, profiles with reference and rank, peers,
boundaries and their mismatches with the values, all on the real demo data."""

from __future__ import annotations

import math

import pytest

from stadsdata.errors import NotFoundError
from stadsdata.indicators.model import Direction, Level
from stadsdata.platform import Platform


def test_regions_carry_names_from_the_data_and_the_boundary_files(demo_platform: Platform) -> None:
    service = demo_platform.indicators
    assert service.region("NL00").name == "Nederland" and service.region("NL00").level == Level.land
    assert service.region("GM0518").name == "'s-Gravenhage"
    assert service.region("GM0820").name == "Nuenen, Gerwen en Nederwetten"  # 2024 boundary name, not 'Nuenen'
    wijk = service.region("WK051802")
    assert (wijk.name, wijk.level, wijk.gemeente) == ("Belgisch Park", Level.wijk, "GM0518")
    buurt = service.region("BU05180170")
    assert (buurt.name, buurt.wijk, buurt.gemeente) == ("Oostduinen", "WK051801", "GM0518")
    assert service.region("WK168000").name == "WK168000"  # no boundary file: the code
    assert len(service.regions(Level.wijk, "GM0518")) == 44
    assert len(service.regions(Level.buurt, "GM0518")) == 114
    assert len(service.regions(Level.gemeente)) >= 388
    with pytest.raises(NotFoundError, match="region 'GM9999' not found"):
        service.region("GM9999")


def test_values_filter_and_the_copy_is_kept_per_table_version(demo_platform: Platform) -> None:
    service = demo_platform.indicators
    gemeenten = service.values(["inwoners"], periods=[2017], level=Level.gemeente)
    assert len(gemeenten) >= 388 and all(v.level == Level.gemeente and v.period == 2017 for v in gemeenten)
    den_haag = service.values(periods=[2019], gemeente="GM0518", level=Level.buurt)
    assert {v.region[:6] for v in den_haag} == {"BU0518"}
    assert service.periods("wmo_clienten_per_1000") == [2019]
    assert {2017, 2018, 2019} <= set(service.periods())
    first = service.table()
    assert service.table() is first  # no new read per page view
    assert service.values(["nope"]) == []


def test_a_wijk_profile_has_the_gemeente_as_reference_and_ranks_among_its_wijken(demo_platform: Platform) -> None:
    service = demo_platform.indicators
    rows = service.profile("WK051802", 2019)
    ids = [r.indicator.id for r in rows]
    assert "wmo_clienten_per_1000" in ids and "aandeel_80_plus" not in ids  # gemeente only
    assert all(Level.wijk in r.indicator.levels for r in rows)
    row = rows[ids.index("wmo_clienten_per_1000")]
    assert row.value is not None and row.reference is not None and row.reference.region == "GM0518"
    wijken = [v for v in service.values(["wmo_clienten_per_1000"], periods=[2019], level=Level.wijk, gemeente="GM0518")]
    scored = [v.value for v in wijken if v.value is not None]
    assert row.peers_of == len(scored)
    assert row.rank == 1 + sum(1 for s in scored if s > row.value.value)  # neutral: highest first
    low = rows[ids.index("huishoudens_sociaal_minimum")]
    assert low.indicator.direction == Direction.lower_is_better
    others = [
        v.value
        for v in service.values(["huishoudens_sociaal_minimum"], periods=[2019], level=Level.wijk, gemeente="GM0518")
        if v.value is not None
    ]
    if low.value is not None and low.value.value is not None:
        assert low.rank == 1 + sum(1 for s in others if s < low.value.value)
    secret = service.profile("WK051801", 2019)  # Oostduinen: no inhabitants, so no shares
    wmo = next(r for r in secret if r.indicator.id == "wmo_clienten_per_1000")
    assert wmo.value is not None and wmo.value.value is None and wmo.rank is None


def test_a_gemeente_profile_compares_with_the_netherlands_and_defaults_to_the_latest_period(
    demo_platform: Platform,
) -> None:
    rows = demo_platform.indicators.profile("GM0344")  # Utrecht: the latest year with a value
    latest = max(v.period for v in demo_platform.indicators.values(regions=["GM0344"]) if v.value is not None)
    assert {r.value.period for r in rows if r.value is not None} == {latest}
    old = demo_platform.indicators.profile("GM0344", 2017)
    row = next(r for r in old if r.indicator.id == "inwoners")
    assert row.value is not None and row.value.value == 343038
    assert row.reference is not None and row.reference.region == "NL00" and row.reference.value == 17081507
    assert row.rank is not None and 1 <= row.rank <= 5 and row.peers_of >= 387  # the fourth city of the country


def test_peers_are_the_nearest_gemeenten_on_size_density_and_urbanity(demo_platform: Platform) -> None:
    peers = demo_platform.indicators.peers("GM0518")
    assert len(peers) == 8 and "GM0518" not in {p.region.code for p in peers}
    assert [p.distance for p in peers] == sorted(p.distance for p in peers)
    assert {"GM0363", "GM0599", "GM0344"} <= {p.region.code for p in peers[:4]}  # Amsterdam, Rotterdam, Utrecht
    assert all(p.region.level == Level.gemeente and math.isfinite(p.distance) for p in peers)
    assert len(demo_platform.indicators.peers("GM0518", n=3)) == 3
    with pytest.raises(NotFoundError, match="peers are computed for gemeenten"):
        demo_platform.indicators.peers("WK051802")


def test_boundaries_are_geojson_in_wgs84_with_code_and_name(demo_platform: Platform) -> None:
    service = demo_platform.indicators
    wijken = service.boundaries(Level.wijk, "GM0518")
    assert wijken["type"] == "FeatureCollection" and len(wijken["features"]) == 44
    first = wijken["features"][0]
    assert first["properties"] == {"code": "WK051801", "name": "Oostduinen"}
    assert first["geometry"]["type"] == "Polygon"
    lon, lat = first["geometry"]["coordinates"][0][0]
    assert 4.1 < lon < 4.5 and 51.9 < lat < 52.2
    assert len(service.boundaries(Level.buurt, "GM0518")["features"]) == 114
    gemeenten = service.boundaries(Level.gemeente)
    assert len(gemeenten["features"]) == 342
    assert {"code": "GM0518", "name": "'s-Gravenhage"} in [f["properties"] for f in gemeenten["features"]]
    assert len(service.boundaries(Level.gemeente, "GM0518")["features"]) == 1
    assert service.boundaries(Level.wijk, "GM0344")["features"] == []


def test_boundary_mismatches_name_merged_gemeenten_both_ways(demo_platform: Platform) -> None:
    mismatches = demo_platform.indicators.boundary_mismatches(Level.gemeente, 2017)
    assert "GM0738" in mismatches["values_without_boundary"]  # Aalburg, merged into Altena in 2019
    assert "GM1959" in mismatches["boundaries_without_values"]  # Altena, formed in 2019
    assert "GM0518" not in mismatches["values_without_boundary"] + mismatches["boundaries_without_values"]
    wijken = demo_platform.indicators.boundary_mismatches(Level.wijk, 2019, gemeente="GM0518")
    assert wijken == {"values_without_boundary": [], "boundaries_without_values": []}
