"""The computation: one SQL query over the source datasets that yields the indicator table.

Every definition is evaluated on every value source it binds to, per region row, as SQL the
engine runs (``engine.query_to_parquet``; one scan per source, crossed with the list of its
definitions): no pandas, no Python rows, so that another engine (Spark, issue #9) can run the
same text. Column names in a definition are replaced by the
source's columns, cast to DOUBLE (``TRY_CAST``: a text cell that is no number is NULL, never 0);
every divisor is wrapped in ``NULLIF(.., 0)``, so a division by zero is NULL, not infinity. An
empty cell in the source (CBS keeps the figure secret) stays NULL all the way.

The table has one row per indicator, region and period: ``indicator, regio, regionaam, niveau,
gemeente, wijk, periode, waarde, bron`` (``bron`` = ``dataset@version``). Where several sources
give the same indicator, region and period, a value beats a NULL, then ``sources.order_sources``
decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from stadsdata.indicators.definitions import Binding, IndicatorSet, base_name
from stadsdata.indicators.model import IndicatorDef
from stadsdata.indicators.sources import INDICATOR_DATASET, BoundarySource, ValueSource

COLUMNS = ("indicator", "regio", "regionaam", "niveau", "gemeente", "wijk", "periode", "waarde", "bron")
_ALL = Binding()  # a definition without sources/exclude_sources
LEVEL_SQL = (
    "CASE substr(regio, 1, 2) WHEN 'NL' THEN 'land' WHEN 'GM' THEN 'gemeente' WHEN 'WK' THEN 'wijk' ELSE 'buurt' END"
)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def bind_expression(definition: IndicatorDef, columns: dict[str, str]) -> str:
    """The definition's expression over one source: its columns, cast to DOUBLE, safe divisions."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(definition.expression, read="duckdb")
    for div in list(tree.find_all(exp.Div)):
        divisor = div.args["expression"]
        div.set("expression", exp.Nullif(this=divisor.copy(), expression=exp.Literal.number(0)))
    for column in list(tree.find_all(exp.Column)):
        actual = exp.column(columns[base_name(column.name)], quoted=True)
        cast = exp.TryCast(this=actual, to=exp.DataType.build("DOUBLE"))
        if column is tree:  # the expression is one column
            return cast.sql(dialect="duckdb")
        column.replace(cast)
    return tree.sql(dialect="duckdb")


@dataclass(frozen=True)
class Plan:
    """What one computation evaluates: per source, the definitions it binds."""

    sources: list[tuple[ValueSource, list[IndicatorDef]]]
    boundaries: list[BoundarySource]
    skipped: dict[str, str]

    @property
    def indicators(self) -> list[str]:
        return sorted({d.id for _, defs in self.sources for d in defs})

    @property
    def labels(self) -> list[str]:
        return [s.label for s, defs in self.sources if defs] + [b.label for b in self.boundaries]


def plan(indicators: IndicatorSet, sources: list[ValueSource], boundaries: list[BoundarySource]) -> Plan:
    from stadsdata.indicators.sources import order_sources

    bound: dict[str, list[IndicatorDef]] = {s.dataset_id: [] for s in sources}
    skipped: dict[str, str] = {}
    for definition in indicators.definitions.values():
        binding = indicators.bindings.get(definition.id)
        for source in sources:
            ok, why = source.binds(definition, binding) if binding else source.binds(definition, _ALL)
            if ok:
                bound[source.dataset_id].append(definition)
            else:
                skipped[f"{definition.id}/{source.dataset_id}"] = why
    counts = {k: len(v) for k, v in bound.items()}
    ordered = [s for s in order_sources(sources, counts) if bound[s.dataset_id]]
    return Plan([(s, bound[s.dataset_id]) for s in ordered], boundaries, skipped)


def _source_sql(index: int, source: ValueSource, definitions: list[IndicatorDef]) -> tuple[str, str]:
    """A CTE over one source (its region rows with code, level and period), and the long SELECT:
    one scan of the source, crossed with the list of its definitions, each row evaluating only its
    own definition (``CASE``) and kept where the definition applies to the row's level."""
    code = f"CAST({q(source.code)} AS VARCHAR)"
    period = f"TRY_CAST({q(source.period_column)} AS INTEGER)" if source.period_column else str(source.period)
    level = LEVEL_SQL.replace("regio", code)
    cte = (
        f"s{index} AS (SELECT {code} AS _regio, {level} AS _niveau, {period} AS _periode, * "
        f"FROM {q(source.label)} WHERE substr({code}, 1, 2) IN ('NL', 'GM', 'WK', 'BU'))"
    )
    cases = " ".join(f"WHEN {i} THEN {bind_expression(d, source.columns)}" for i, d in enumerate(definitions))
    rows = ", ".join(
        f"({i}, {lit(d.id)}, {lit(',' + ','.join(level.value for level in d.levels) + ',')})"
        for i, d in enumerate(definitions)
    )
    long = (
        f"SELECT d.indicator AS indicator, s._regio AS regio, s._niveau AS niveau, s._periode AS periode, "
        f"CAST(CASE d.k {cases} END AS DOUBLE) AS waarde, {lit(source.label)} AS bron, {index} AS prio "
        f"FROM s{index} AS s CROSS JOIN (VALUES {rows}) AS d(k, indicator, levels) "
        "WHERE d.levels LIKE '%,' || s._niveau || ',%'"
    )
    return cte, long


def _names_sql(p: Plan) -> str:
    """Region names: boundary files first (official names; wijk and buurt names exist only there),
    then the gemeente name in a value source (its latest period first)."""
    parts = []
    for b in p.boundaries:
        parts.append(
            f"SELECT CAST({q(b.code)} AS VARCHAR) AS code, CAST({q(b.name)} AS VARCHAR) AS name, 0 AS prio, "
            f"0 AS periode FROM {q(b.label)}"
        )
    for index, (s, _) in enumerate(p.sources, start=1):
        code = f"CAST({q(s.code)} AS VARCHAR)"
        period = f"TRY_CAST({q(s.period_column)} AS INTEGER)" if s.period_column else str(s.period)
        name = f"CASE WHEN {code} = 'NL00' THEN 'Nederland' ELSE " + (
            f"CAST({q(s.name)} AS VARCHAR) END" if s.name else "NULL END"
        )
        parts.append(
            f"SELECT {code} AS code, {name} AS name, {index} AS prio, {period} AS periode FROM {q(s.label)} "
            f"WHERE substr({code}, 1, 2) IN ('NL', 'GM')"
        )
    union = " UNION ALL ".join(parts)
    return (
        "names AS (SELECT code, name FROM (SELECT code, name, row_number() OVER "
        f"(PARTITION BY code ORDER BY prio, periode DESC) AS n FROM ({union}) WHERE name IS NOT NULL) WHERE n = 1)"
    )


def build_sql(p: Plan, *, names: bool = True) -> str:
    """The whole computation as one query (``names=False``: codes as names, for the benchmark)."""
    ctes, longs = [], []
    for index, (source, definitions) in enumerate(p.sources, start=1):
        cte, long = _source_sql(index, source, definitions)
        ctes.append(cte)
        longs.append(long)
    if not longs:
        raise ValueError("nothing to compute: no definition binds to a source")
    merged = " UNION ALL ".join(longs)
    if len(longs) > 1:  # a value beats a NULL, then the source's precedence
        merged = (
            "SELECT indicator, regio, niveau, periode, waarde, bron FROM (SELECT *, row_number() OVER (PARTITION BY "
            "indicator, regio, periode ORDER BY CASE WHEN waarde IS NULL THEN 1 ELSE 0 END, prio) AS n "
            f"FROM ({merged})) WHERE n = 1"
        )
    ctes.append(f"vals AS ({merged})")
    if names:
        ctes.append(_names_sql(p))
    name = "COALESCE(names.name, vals.regio)" if names else "vals.regio"
    join = " LEFT JOIN names ON names.code = vals.regio" if names else ""
    return (
        f"WITH {', '.join(ctes)} SELECT vals.indicator AS indicator, vals.regio AS regio, "
        f"CAST({name} AS VARCHAR) AS regionaam, vals.niveau AS niveau, "
        "CASE WHEN substr(vals.regio, 1, 2) = 'NL' THEN NULL ELSE 'GM' || substr(vals.regio, 3, 4) END AS gemeente, "
        "CASE WHEN substr(vals.regio, 1, 2) = 'BU' THEN 'WK' || substr(vals.regio, 3, 6) END AS wijk, "
        "CAST(vals.periode AS INTEGER) AS periode, CAST(vals.waarde AS DOUBLE) AS waarde, "
        f"CAST(vals.bron AS VARCHAR) AS bron FROM vals{join}"
    )


def summary_sql(*, compare: bool) -> str:
    """Counts of the new table and (``compare``) how many rows differ from the old one, both ways
    (0: the same table, whatever the row order)."""
    cols = ", ".join(q(c) for c in COLUMNS)
    differ = (
        f"(SELECT count(*) FROM (SELECT {cols} FROM new EXCEPT ALL SELECT {cols} FROM old)) + "
        f"(SELECT count(*) FROM (SELECT {cols} FROM old EXCEPT ALL SELECT {cols} FROM new))"
        if compare
        else "NULL"
    )
    return (
        "SELECT count(*) AS n, count(*) - count(waarde) AS secret, count(DISTINCT regio) AS regions, "
        f"list(DISTINCT periode ORDER BY periode) AS periods, {differ} AS differ FROM new"
    )


def indicator_contract(owner_dienst: str = "Bestuursdienst (BSD)") -> dict[str, object]:
    """The generated contract of the indicator table: openbaar, one row per indicator/region/period."""

    def col(name: str, kind: str, nullable: bool, nl: str, en: str, unit: str | None = None) -> dict[str, object]:
        return {"name": name, "type": kind, "unit": unit, "nullable": nullable, "description": {"nl": nl, "en": en}}

    return {
        "id": INDICATOR_DATASET,
        "title": {"nl": "Indicatoren per regio en jaar (berekend)", "en": "Indicators per region and year (computed)"},
        "description": {
            "nl": (
                "Elke indicator (definities in indicators/<id>.yaml) voor elke regio (land, gemeente, wijk, buurt) en "
                "elk jaar, berekend met SQL uit de openbare brondatasets van de catalogus (zie de herkomst). Wordt "
                "opnieuw berekend als een bron een nieuwe versie krijgt; een ongewijzigde uitkomst geeft geen nieuwe "
                "versie. Een lege waarde betekent dat CBS het cijfer geheim houdt of niet heeft; het is nooit 0. "
                "Kolom bron zegt uit welke versie van welke dataset de waarde komt."
            ),
            "en": (
                "Every indicator (definitions in indicators/<id>.yaml) for every region (country, gemeente, wijk, "
                "buurt) and year, computed with SQL from the catalogue's open source datasets (see the lineage). "
                "Recomputed when a source gets a new version; an unchanged result makes no new version. An empty value "
                "means CBS keeps the figure secret or does not have it; it is never 0. Column bron says which version "
                "of which dataset the value came from."
            ),
        },
        "owner_dienst": owner_dienst,
        "data_owner": "Manager Data en Analyse, BSD",
        "steward": "Datasteward Basisstatistiek, BSD",
        "themes": ["bevolking", "wonen", "inkomen", "zorg-en-welzijn", "voorzieningen"],
        "keywords": ["indicatoren", "waarstaatjegemeente", "wijkprofiel", "CBS", "stadsdata-indicatoren"],
        "classification": "openbaar",
        "licence": "CC-BY-4.0",
        "update_frequency": "irregular",
        "spatial_coverage": "Nederland: land, gemeenten, wijken en buurten waarvoor een bron cijfers heeft",
        "temporal_coverage": {},
        "legal_basis": (
            "Geen persoonsgegevens: berekend uit openbare, geaggregeerde statistiek (CBS, CC BY 4.0, met "
            "bronvermelding)."
        ),
        "retention": {"period": "permanent", "reason": "Open data: vergelijkingen over jaren heen."},
        "source": {
            "publisher": "Stadsdata (berekend uit CBS-cijfers)",
            "attribution": "Bron: CBS (Kerncijfers wijken en buurten en andere tabellen, zie de herkomst), CC BY 4.0.",
            "retrieved_from": "computed by stadsdata indicators compute",
        },
        "schema_mode": "reject",
        "key": ["indicator", "regio", "periode"],
        "columns": [
            col("indicator", "string", False, "Id van de indicator (indicators/<id>.yaml).", "Indicator id."),
            col("regio", "string", False, "CBS-regiocode (NL00, GMxxxx, WKxxxxxx, BUxxxxxxxx).", "CBS region code."),
            col("regionaam", "string", False, "Naam van de regio (anders de code).", "Region name (else the code)."),
            col("niveau", "string", False, "land, gemeente, wijk of buurt.", "land, gemeente, wijk or buurt."),
            col("gemeente", "string", True, "Gemeentecode van de regio (leeg voor het land).", "Gemeente code."),
            col("wijk", "string", True, "Wijkcode van een buurt.", "Wijk code of a buurt."),
            col("periode", "integer", False, "Verslagjaar.", "Reference year."),
            col(
                "waarde",
                "number",
                True,
                "Waarde van de indicator; leeg: geheim of niet beschikbaar (nooit 0).",
                "Value; empty: secret or not available (never 0).",
            ),
            col("bron", "string", False, "Dataset en versie (dataset@versie).", "Dataset and version."),
        ],
        "quality": [
            {
                "rule": "unique",
                "columns": ["indicator", "regio", "periode"],
                "severity": "blocking",
                "description": "Eén waarde per indicator, regio en jaar.",
            },
            {
                "rule": "allowed_values",
                "column": "niveau",
                "values": ["land", "gemeente", "wijk", "buurt"],
                "severity": "blocking",
            },
        ],
    }
