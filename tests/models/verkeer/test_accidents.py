"""From BRON party rows to accidents: the lower bound per group, and bad input as one line that
names the dataset, the row, the column and what was expected."""

from __future__ import annotations

import pandas as pd
import pytest

from stadsdata.errors import ModelError
from stadsdata.models.verkeer.accidents import accidents, check


def parties(*rows: tuple[int, str, int, int, float, float]) -> pd.DataFrame:
    """(year, severity, type, party number, lon, lat) rows of one gemeente."""
    return pd.DataFrame(
        [
            {"jaar_vkl": y, "ap3_code": s, "aol_id": a, "partij_nummer": n, "gemeentecode_2024": "GM0344"}
            | {"gemeentenaam_2024": "Utrecht", "lon": lon, "lat": lat}
            for y, s, a, n, lon, lat in rows
        ]
    )


def test_parties_of_one_accident_count_once_and_two_first_parties_count_twice() -> None:
    frame = parties(
        (2016, "LET", 7, 1, 5.1, 52.1),
        (2016, "LET", 7, 2, 5.1, 52.1),  # the second party of the same accident
        (2016, "LET", 7, 1, 5.1, 52.1),  # another accident: a second party 1 at the same place
        (2016, "UMS", 7, 2, 5.1, 52.1),  # a damage-only accident whose first party is not in the file
        (2017, "LET", 7, 1, 5.1, 52.1),  # another year
    )
    counted = accidents("test", frame)
    by = {(r.jaar_vkl, r.ap3_code): r.ongevallen for r in counted.itertuples()}
    assert by == {(2016, "LET"): 2, (2016, "UMS"): 1, (2017, "LET"): 1}


def test_the_shipped_file_has_more_accidents_than_first_parties_and_fewer_than_parties(bron: pd.DataFrame) -> None:
    counted = accidents("bron", bron)
    first = int((bron["partij_nummer"] == 1).sum())
    assert first < counted["ongevallen"].sum() < len(bron)
    # every group with a first party counts at least as many accidents as it has first parties
    per_group = bron[bron["partij_nummer"] == 1].groupby(["jaar_vkl", "lon", "lat", "ap3_code", "aol_id"]).size()
    merged = counted.set_index(["jaar_vkl", "lon", "lat", "ap3_code", "aol_id"])["ongevallen"]
    assert (merged.loc[per_group.index] >= per_group).all()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("ap3_code", "ERG", "row 2, column ap3_code: 'ERG'; expected DOD, LET or UMS"),
        ("lon", 12.5, "row 2, column lon: 12.5; expected a coordinate in the Netherlands"),
        ("lat", "noord", "row 2, column lat: 'noord'; expected a number"),
        ("gemeentecode_2024", "0344", "row 2, column gemeentecode_2024: '0344'; expected a CBS gemeente code"),
        ("partij_nummer", 0, "row 2, column partij_nummer: 0; expected a whole number >= 1"),
    ],
)
def test_a_bad_value_is_one_line_with_row_and_column(column: str, value: object, expected: str) -> None:
    frame = parties((2016, "LET", 7, 1, 5.1, 52.1), (2016, "LET", 7, 2, 5.1, 52.1)).astype(object)
    frame.loc[1, column] = value
    with pytest.raises(ModelError) as caught:
        check("bron_test", frame)
    message = str(caught.value)
    assert message.startswith(f"bron_test: {expected}") and "\n" not in message


def test_a_missing_column_names_it_and_the_columns_expected() -> None:
    frame = parties((2016, "LET", 7, 1, 5.1, 52.1)).drop(columns=["lat"])
    with pytest.raises(ModelError, match=r"^bron_test: no column 'lat' \(latitude \(WGS84\)\); expected BRON party"):
        accidents("bron_test", frame)
