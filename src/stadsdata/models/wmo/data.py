"""From a KWB table (CBS *Kerncijfers wijken en buurten*) to the model's frame of wijken.

Columns are found by their CBS base name (the OData name without its ``_NN`` suffix, case and
underscores ignored), so a KWB table of another year or municipality, ingested with the KWB
contract, works without a code change. A wijk enters the model only when it has at least
``MIN_INHABITANTS`` inhabitants and every needed figure, including a published Wmo count: a
secret (empty) count is never read as 0. Every wijk left out is listed with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stadsdata.errors import ModelError

MIN_INHABITANTS = 1000  # below this, CBS rounding to 5 and secrecy make a rate per 1,000 meaningless

#: what the model reads: key -> (CBS base name, what it is)
CODE = ("wijkenenbuurten", "region code (WK...)")
KIND = ("soortregio", "region type (Gemeente/Wijk/Buurt)")
POPULATION = ("aantalinwoners", "number of inhabitants")
AGE_BANDS = {
    "k_0_15": ("k0tot15jaar", "inhabitants aged 0-14"),
    "k_15_25": ("k15tot25jaar", "inhabitants aged 15-24"),
    "k_25_45": ("k25tot45jaar", "inhabitants aged 25-44"),
    "k_45_65": ("k45tot65jaar", "inhabitants aged 45-64"),
    "k_65plus": ("k65jaarofouder", "inhabitants aged 65 or over"),
}
HOUSEHOLDS = ("huishoudenstotaal", "number of households")
ONE_PERSON = ("eenpersoonshuishoudens", "one-person households")
INCOME = ("gemiddeldinkomenperinwoner", "average income per inhabitant (x EUR 1,000)")
SOCIAL_MINIMUM = ("huishonderofrondsociaalminimum", "% of households at or around the social minimum")
WELFARE = ("personenpersoortuitkeringbijstand", "persons on social assistance (bijstand)")
WMO = ("wmoclienten", "Wmo clients")

STRUCTURE = {"households": HOUSEHOLDS, "one_person": ONE_PERSON, "income": INCOME, "social_minimum": SOCIAL_MINIMUM}
STRUCTURE["welfare"] = WELFARE

#: structure figures CBS may keep secret in a small wijk; ``wijken(impute=True)`` fills them
IMPUTABLE = ("income", "social_minimum", "welfare")
#: the model's features, computed by ``features``; the unit is the step of a rate ratio
FEATURES = {
    "pct_0_15": "share of inhabitants aged 0-14 (percentage points)",
    "pct_65plus": "share of inhabitants aged 65+ (percentage points)",
    "pct_one_person": "one-person households as % of households (percentage points)",
    "income": "average income per inhabitant (EUR 1,000)",
    "social_minimum": "households at or around the social minimum (percentage points)",
    "pct_welfare": "persons on social assistance per 100 inhabitants",
}
FEATURES_NL = {
    "pct_0_15": "aandeel inwoners van 0-14 jaar (per procentpunt)",
    "pct_65plus": "aandeel inwoners van 65 jaar en ouder (per procentpunt)",
    "pct_one_person": "aandeel eenpersoonshuishoudens (per procentpunt)",
    "income": "gemiddeld inkomen per inwoner (per 1.000 euro)",
    "social_minimum": "huishoudens rond het sociaal minimum (per procentpunt)",
    "pct_welfare": "inwoners met bijstand (per 100 inwoners)",
}


def base_name(column: str) -> str:
    """``WmoClienten_89`` -> ``wmoclienten``; ``k_65JaarOfOuder_12`` -> ``k65jaarofouder``."""
    return re.sub(r"_\d+$", "", column).replace("_", "").lower()


@dataclass(frozen=True)
class Excluded:
    code: str
    reason: str


@dataclass(frozen=True)
class Wijken:
    """The wijken of one KWB table: ``frame`` (index: wijk code) holds the included ones with
    counts and features; ``excluded`` lists the others with the reason."""

    dataset: str
    frame: pd.DataFrame
    excluded: list[Excluded]
    #: wijk code -> the secret figures filled with the median of the other wijken (``impute=True``)
    imputed: dict[str, list[str]] = field(default_factory=dict)


def _column_map(dataset: str, table: pd.DataFrame, needed: dict[str, tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in table.columns:
        found.setdefault(base_name(str(column)), str(column))
    out: dict[str, str] = {}
    for key, (name, what) in needed.items():
        if name not in found:
            raise ModelError(
                f"{dataset}: no column {name!r} ({what}); expected a CBS Kerncijfers wijken en buurten table "
                f"(the KWB contract, e.g. cbs_kwb_2019_den_haag) with the columns "
                f"{', '.join(n for n, _ in needed.values())} (suffixes such as _89 may differ)"
            )
        out[key] = found[name]
    return out


def _wijk_rows(dataset: str, table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    codes = table[columns["code"]].astype(str).str.strip()
    kind = table[columns["kind"]].astype(str).str.strip().str.lower()
    rows = table[(kind == "wijk") | codes.str.match(r"^WK\d{6}$")].copy()
    rows.index = codes[rows.index]
    rows.index.name = "wijk"
    if rows.empty:
        raise ModelError(
            f"{dataset}: no wijk rows (SoortRegio 'Wijk', code WK......); expected a KWB table with wijken"
        )
    return rows


def _numeric(rows: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(rows[column], errors="coerce").astype(float)


def wijken(
    dataset: str,
    table: pd.DataFrame,
    *,
    need_wmo: bool = True,
    min_inhabitants: int = MIN_INHABITANTS,
    impute: bool = False,
) -> Wijken:
    """The wijken of a KWB table with their counts (population, age bands, households, Wmo) and
    the model's features; wijken with too few inhabitants or a missing figure are excluded.

    ``impute`` (for forecasting, never for fitting or validating): a wijk whose population, age
    bands and households are published but whose income, social minimum or social assistance is
    secret keeps its place; the secret figure becomes the median of the other wijken, and
    ``imputed`` names it, so the forecast can say so."""
    needed = {"code": CODE, "kind": KIND, "population": POPULATION, **AGE_BANDS, **STRUCTURE}
    if need_wmo:
        needed["wmo"] = WMO
    columns = _column_map(dataset, table, needed)
    rows = _wijk_rows(dataset, table, columns)
    frame = pd.DataFrame({key: _numeric(rows, columns[key]) for key in needed if key not in ("code", "kind")})
    excluded: list[Excluded] = []
    imputed: dict[str, list[str]] = {}
    keep = []
    for code, row in frame.iterrows():
        population = row["population"]
        if not population or np.isnan(population) or population < min_inhabitants:
            shown = "no" if not population or np.isnan(population) else f"{population:,.0f}"
            secret = "; the Wmo count is secret" if need_wmo and population and np.isnan(row["wmo"]) else ""
            excluded.append(Excluded(str(code), f"{shown} inhabitants (fewer than {min_inhabitants:,}){secret}"))
            continue
        empty = [needed[k][0] for k in frame.columns if np.isnan(row[k])]
        fillable = [k for k in frame.columns if np.isnan(row[k]) and k in IMPUTABLE]
        if impute and empty and len(fillable) == len(empty):
            imputed[str(code)] = fillable
            keep.append(code)
            continue
        if empty:
            secret = "the Wmo count is secret or not published" if "wmoclienten" in empty else "empty figures"
            excluded.append(Excluded(str(code), f"{secret} ({', '.join(empty)}); never read as 0"))
            continue
        if row["households"] <= 0:
            excluded.append(Excluded(str(code), "no households"))
            continue
        keep.append(code)
    frame = frame.loc[keep].copy()
    complete = frame.drop(index=list(imputed))
    for code, keys in imputed.items():
        for key in keys:
            frame.loc[code, key] = float(complete[key].median())
    return Wijken(dataset, features(frame), excluded, imputed)


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the model's features (``FEATURES``) to a frame of counts."""
    out = frame.copy()
    out["pct_0_15"] = 100 * out["k_0_15"] / out["population"]
    out["pct_65plus"] = 100 * out["k_65plus"] / out["population"]
    out["pct_one_person"] = 100 * out["one_person"] / out["households"]
    out["pct_welfare"] = 100 * out["welfare"] / out["population"]
    return out


def later_population(dataset: str, table: pd.DataFrame) -> pd.DataFrame:
    """Population, age bands and households per wijk of a later KWB table (no Wmo, no income
    needed): the start of the projection. Index: wijk code."""
    needed = {"code": CODE, "kind": KIND, "population": POPULATION, **AGE_BANDS, "households": HOUSEHOLDS}
    needed["one_person"] = ONE_PERSON
    columns = _column_map(dataset, table, needed)
    rows = _wijk_rows(dataset, table, columns)
    return pd.DataFrame({key: _numeric(rows, columns[key]) for key in needed if key not in ("code", "kind")})


def income_terciles(frame: pd.DataFrame) -> pd.Series:
    """Income group of each wijk: terciles of the average income per inhabitant over the wijken
    given (laag / midden / hoog)."""
    ranks = frame["income"].rank(method="first")
    return pd.qcut(ranks, 3, labels=["laag", "midden", "hoog"]).astype(str)
