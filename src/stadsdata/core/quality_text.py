"""Quality results in words, in Dutch (the default) or English.

A stored rule result keeps its measured numbers in ``facts``; this module turns them into the
sentence that the portal, the HTML report and the command line show. Results stored before
``facts`` existed fall back to their English ``detail``.
"""

from __future__ import annotations

from typing import Any

from stadsdata.core.contract import FREQUENCY_LABELS

KINDS: dict[str, tuple[str, str]] = {
    "completeness": ("volledigheid", "completeness"),
    "range": ("bereik", "range"),
    "pattern": ("patroon", "pattern"),
    "allowed_values": ("toegestane waarden", "allowed values"),
    "unique": ("uniek", "unique"),
    "row_sum": ("rijsom", "row sum"),
    "reference": ("verwijzing", "reference"),
    "timeliness": ("tijdigheid", "timeliness"),
    "change": ("verandering", "change"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "blocking": ("blokkerend", "blocking"),
    "warning": ("waarschuwing", "warning"),
}

_SKIPPED: dict[str, tuple[str, str]] = {
    "first_version": ("niet gecontroleerd: er is geen vorige versie", "not checked: there is no previous version"),
    "no_reference": (
        "niet gecontroleerd: dataset {dataset} heeft nog geen versie",
        "not checked: dataset {dataset} has no version yet",
    ),
    "no_mean": (
        "niet gecontroleerd: de kolom heeft in een van de versies geen gemiddelde",
        "not checked: the column has no mean in one of the versions",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def number(value: float | int | None, lang: str = "nl", decimals: int | None = None) -> str:
    """A number with the thousands and decimal separators of the language (1.234,5 in Dutch)."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value) == int(value) else 2
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(share: float | None, lang: str = "nl") -> str:
    if share is None:
        return "∞"
    return f"{number(100 * share, lang, 1)} %" if lang != "en" else f"{100 * share:.1f}%"


def kind(name: str, lang: str = "nl") -> str:
    return _pick(KINDS.get(name, (name, name)), lang)


def severity(name: str, lang: str = "nl") -> str:
    return _pick(SEVERITIES.get(name, (name, name)), lang)


def describe(result: dict[str, Any], lang: str = "nl") -> str:
    """One sentence: what was measured and what was allowed."""
    facts = result.get("facts")
    if facts is None:
        return str(result.get("detail", ""))
    if result.get("skipped"):
        return _pick(_SKIPPED.get(result["skipped"], (result["detail"], result["detail"])), lang).format(**facts)
    n = result["checked"]
    rule = result["kind"]
    if rule == "completeness":
        share = facts["empty"] / n if n else 0.0
        if lang == "en":
            return (
                f"{number(facts['empty'], lang)} of {number(n, lang)} empty ({percent(share, lang)}); "
                f"at most {percent(facts['max_empty'], lang)} allowed"
            )
        return (
            f"{number(facts['empty'])} van {number(n)} leeg ({percent(share)}); "
            f"ten hoogste {percent(facts['max_empty'])} toegestaan"
        )
    if rule == "reference":
        target = facts["target"]
        if lang == "en":
            return f"{number(facts['bad'], lang)} of {number(n, lang)} values not found in {target}"
        return f"{number(facts['bad'])} van {number(n)} waarden niet gevonden in {target}"
    if rule == "timeliness":
        freq = _pick(FREQUENCY_LABELS.get(facts["frequency"], (facts["frequency"],) * 2), lang).lower()
        if lang == "en":
            return (
                f"delivered {number(facts['days'], lang, 1)} days after the previous version; "
                f"{freq} allows at most {facts['allowed_days']} days"
            )
        return (
            f"geleverd {number(facts['days'], lang, 1)} dagen na de vorige versie; "
            f"{freq} staat ten hoogste {facts['allowed_days']} dagen toe"
        )
    if rule == "change":
        columns = result.get("columns") or []
        if lang == "en":
            what = f"mean of {columns[0]}" if columns else "row count"
        else:
            what = f"gemiddelde van {columns[0]}" if columns else "aantal rijen"
        allowed = "allowed" if lang == "en" else "toegestaan"
        most = "at most" if lang == "en" else "ten hoogste"
        return (
            f"{what} {number(facts['previous'], lang)} → {number(facts['current'], lang)} "
            f"({percent(facts['change'], lang)}); {most} {percent(facts['max_change'], lang)} {allowed}"
        )
    if lang == "en":
        return f"{number(facts['bad'], lang)} of {number(n, lang)} rows break it"
    return f"{number(facts['bad'])} van {number(n)} rijen voldoen niet"
