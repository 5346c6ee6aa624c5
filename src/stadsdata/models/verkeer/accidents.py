"""From BRON party rows to accidents.

A BRON-style file has one row per PARTY of an accident (a car, a bicycle, a tree) and no accident
id. All parties of one accident share year, coordinates, severity (``ap3_code``) and accident type
(``aol_id``). Within one such group the number of accidents is at least the number of rows with
the most common party number: two rows with ``partij_nummer`` 1 are two accidents, a 1 and a 2
may be one. The model uses that lower bound. It equals "count the rows with partij_nummer 1" (the
usual proxy) where every accident kept its first party, and it still counts an accident whose
first party is missing from the extract (the shipped file has such groups; docs/traffic-risk.md).

Pure functions: a DataFrame in, a DataFrame out; bad input is one ``ModelError`` line that names
the dataset, the row (1-based, as delivered) and the column, and what was expected.
"""

from __future__ import annotations

import pandas as pd

from stadsdata.errors import ModelError

SEVERITIES = ("DOD", "LET", "UMS")  # fatal, injury, material damage only
SEVERITY_NL = {"DOD": "dodelijk", "LET": "letsel", "UMS": "uitsluitend materiële schade"}
#: what the model reads: column -> what it is
COLUMNS = {
    "jaar_vkl": "year of the accident",
    "ap3_code": "severity: DOD, LET or UMS",
    "aol_id": "accident type code",
    "partij_nummer": "party number within the accident (1-10)",
    "gemeentecode_2024": "CBS gemeente code (GMxxxx)",
    "lon": "longitude (WGS84)",
    "lat": "latitude (WGS84)",
}
NAME = "gemeentenaam_2024"  # optional: the gemeente's name
#: the Netherlands with a margin, in WGS84
LON_RANGE = (3.2, 7.3)
LAT_RANGE = (50.7, 53.6)


def _bad(dataset: str, frame: pd.DataFrame, mask: pd.Series, column: str, expected: str) -> ModelError:
    position = int(mask.to_numpy().nonzero()[0][0])
    value = frame[column].iloc[position]
    return ModelError(f"{dataset}: row {position + 1}, column {column}: {value!r}; expected {expected}")


def check(dataset: str, table: pd.DataFrame) -> pd.DataFrame:
    """The party rows with the needed columns, typed; the first bad value raises one line."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ModelError(
            f"{dataset}: no column {missing[0]!r} ({COLUMNS[missing[0]]}); expected BRON party rows with the columns "
            f"{', '.join(COLUMNS)} (like bron_ongevallen_utrecht_2015_2018)"
        )
    frame = table.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    for column in ("jaar_vkl", "aol_id", "partij_nummer", "lon", "lat"):
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            raise _bad(dataset, frame, values.isna(), column, "a number")
        out[column] = values
    severity = frame["ap3_code"].astype("string").str.strip().str.upper()
    wrong = ~severity.isin(SEVERITIES)
    if wrong.any():
        raise _bad(dataset, frame, wrong.fillna(True), "ap3_code", "DOD, LET or UMS")
    out["ap3_code"] = severity.astype(str)
    code = frame["gemeentecode_2024"].astype("string").str.strip().str.upper()
    wrong = ~code.str.fullmatch(r"GM\d{4}").fillna(False)
    if wrong.any():
        raise _bad(dataset, frame, wrong, "gemeentecode_2024", "a CBS gemeente code such as GM0344")
    out["gemeentecode"] = code.astype(str)
    for column, (low, high) in (("lon", LON_RANGE), ("lat", LAT_RANGE)):
        outside = (out[column] < low) | (out[column] > high)
        if outside.any():
            raise _bad(dataset, frame, outside, column, f"a coordinate in the Netherlands ({low} to {high}, WGS84)")
    party = out["partij_nummer"]
    if ((party < 1) | (party != party.round())).any():
        raise _bad(dataset, frame, (party < 1) | (party != party.round()), "partij_nummer", "a whole number >= 1")
    names = frame[NAME].astype("string").fillna("") if NAME in frame.columns else pd.Series("", index=frame.index)
    out["gemeentenaam"] = names.astype(str)
    return out


def accidents(dataset: str, table: pd.DataFrame) -> pd.DataFrame:
    """One row per group of identical accidents (year, place, severity, type) with ``ongevallen``:
    the number of accidents in it (the lower bound of the module text)."""
    parties = check(dataset, table)
    keys = ["gemeentecode", "jaar_vkl", "lon", "lat", "ap3_code", "aol_id"]
    per_party = parties.groupby([*keys, "partij_nummer"], sort=True).size()
    counted = per_party.groupby(level=list(range(len(keys)))).max().rename("ongevallen").reset_index()
    names = parties.groupby("gemeentecode")["gemeentenaam"].agg(lambda s: max(s, key=len) if len(s) else "")
    counted["gemeentenaam"] = counted["gemeentecode"].map(names).fillna("")
    counted["jaar_vkl"] = counted["jaar_vkl"].astype("int64")
    counted["aol_id"] = counted["aol_id"].astype("int64")
    counted["ongevallen"] = counted["ongevallen"].astype("int64")
    return counted
