"""Every bad input of the landing zone: one clear line (file, row, column, what was expected),
a rejected delivery that is kept, and the previous version untouched.

The broken files are built from real rows (CBS KWB 2019 gemeenten, CBS gemeente boundaries
2024, Assen meldingen) with one deliberate defect each.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from stadsdata import demo
from stadsdata.errors import DeliveryError, IdentifierError, QuarantinedError
from stadsdata.platform import Platform

GEMEENTEN = "cbs_kwb_2019_gemeenten"
REAL = demo.data_path(GEMEENTEN)


def real_rows() -> list[list[str]]:
    with open(REAL, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def loaded(platform: Platform) -> Platform:
    """The real gemeenten table, loaded once as version 1."""
    platform.register(demo.contract_path(GEMEENTEN))
    platform.ingest(REAL, GEMEENTEN)
    return platform


def assert_rejected(platform: Platform, file: Path, *parts: str, dataset: str = GEMEENTEN) -> str:
    """The delivery fails with a one-line message containing ``parts``; nothing is lost."""
    before = platform.catalog.versions(dataset)
    with pytest.raises(DeliveryError) as info:
        platform.ingest(file, dataset)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(file.name), message
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    after = platform.catalog.versions(dataset)
    assert [v.number for v in after] == [v.number for v in before]  # no new version
    if before:  # the previous version is still readable, whole
        count = platform.sql(f"select count(*) from {dataset}").rows[0][0]
        assert count == before[-1].row_count
    delivery = platform.metastore.list_deliveries(dataset)[-1]
    assert delivery.state == "rejected"
    assert delivery.error == message
    assert delivery.stored_path and Path(delivery.stored_path).read_bytes() == file.read_bytes()  # kept as received
    return message


def test_zero_byte_file(loaded: Platform, tmp_path: Path) -> None:
    file = tmp_path / "leeg.csv"
    file.write_bytes(b"")
    assert_rejected(loaded, file, "empty (0 bytes)", "expected")


def test_empty_file_with_only_blank_lines(loaded: Platform, tmp_path: Path) -> None:
    file = tmp_path / "witregels.csv"
    file.write_text("\n\n  \n")
    assert_rejected(loaded, file, "no header line", "expected a header row")


def test_header_only(loaded: Platform, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "alleen_kop.csv", real_rows()[:1])
    assert_rejected(loaded, file, "header but no data rows", "expected at least one row")


def test_ragged_row(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()[:30]
    rows[7] = rows[7] + ["999"]
    file = write_csv(tmp_path / "rafelig.csv", rows)
    assert_rejected(loaded, file, "line 8 (row 7)", "more fields than the 14 in the header")


def test_ragged_row_too_few_fields(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()[:30]
    rows[12] = rows[12][:10]
    file = write_csv(tmp_path / "kort.csv", rows)
    assert_rejected(loaded, file, "line 13 (row 12)", "fewer fields")


def test_delimiter_that_cannot_be_told(loaded: Platform, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "pipes.csv", real_rows()[:20], delimiter="|")
    assert_rejected(loaded, file, "line 1", "cannot tell the delimiter", "expected")


def test_hard_delimiter_is_told_by_the_contract(platform: Platform, tmp_path: Path) -> None:
    """A ';' file with decimal commas has more commas than semicolons in its rows; the header decides."""
    dataset = "cbs_kwb_2019_den_haag"
    platform.register(demo.contract_path(dataset))
    with open(demo.data_path(dataset), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    dutch = [rows[0]] + [[v.replace(".", ",") for v in row] for row in rows[1:]]
    file = write_csv(tmp_path / "excel_export.csv", dutch, delimiter=";", encoding="cp1252")
    result = platform.ingest(file, dataset)
    assert result.row_count == 159
    assert result.details["dialect"].startswith("semicolon-separated, decimal ','")
    got = platform.sql(
        "select GemiddeldeHuishoudensgrootte_32, Gemeentenaam_1 from cbs_kwb_2019_den_haag where Codering_3 = 'GM0518'"
    ).rows
    original = next(r for r in rows if r[rows[0].index("Codering_3")] == "GM0518")
    expected = float(original[rows[0].index("GemiddeldeHuishoudensgrootte_32")])
    assert got == [(expected, "'s-Gravenhage")]


def test_cp1252_with_diaeresis(platform: Platform, tmp_path: Path) -> None:
    platform.register(Path(__file__).parents[1] / "data" / "contracts" / "test_meldingen_assen.yaml")
    source = Path(__file__).parents[1] / "data" / "meldingen_assen_extract.csv"
    text = source.read_text(encoding="utf-8")
    file = tmp_path / "meldingen_cp1252.csv"
    file.write_bytes(text.replace(",", ";").encode("cp1252") if False else text.encode("cp1252"))
    result = platform.ingest(file, "test_meldingen_assen")
    assert result.details["encoding"] == "cp1252"
    streets = {r[0] for r in platform.sql("select straat from test_meldingen_assen").rows}
    assert {"Peeloërweg", "Henriëtte Ronnerpad", "Jozef Israëlsweg"} <= streets
    typed = platform.sql(
        "select created_at, resolved_date, days_open, lat from test_meldingen_assen order by created_at limit 1"
    ).rows[0]
    assert str(typed[0]).startswith("2025-04-30 11:56:09") and str(typed[1]) == "2026-05-20"
    assert typed[2] == 384 and typed[3] == pytest.approx(52.99146999)


def test_utf8_with_bom(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()
    file = tmp_path / "bom.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    file.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    result = loaded.ingest(file, GEMEENTEN)
    assert result.version == 2 and result.details["encoding"] == "utf-8-sig"
    assert loaded.sql("select region from cbs_kwb_2019_gemeenten where unique_id = 'GM1900'").rows == [
        ("Súdwest-Fryslân",)
    ]


def test_neither_utf8_nor_cp1252(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()[:10]
    data = io.StringIO()
    csv.writer(data, lineterminator="\n").writerows(rows)
    raw = data.getvalue().encode("utf-8").replace(b"Appingedam", b"Appinged\x81m")  # 0x81: undefined in cp1252
    file = tmp_path / "kapot.csv"
    file.write_bytes(raw)
    assert_rejected(loaded, file, "line 2", "neither UTF-8 nor Windows-1252", "expected a text file in UTF-8 or cp1252")


def test_decimal_comma_in_comma_separated_numeric_column(platform: Platform, tmp_path: Path) -> None:
    dataset = "cbs_kwb_2019_den_haag"
    platform.register(demo.contract_path(dataset))
    with open(demo.data_path(dataset), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("GemiddeldeHuishoudensgrootte_32")
    row = next(i for i, r in enumerate(rows) if "." in r[column])
    rows[row][column] = rows[row][column].replace(".", ",")
    file = write_csv(tmp_path / "komma.csv", rows)
    value = rows[row][column]
    assert_rejected(
        platform,
        file,
        f"line {row + 1} (row {row})",
        "column GemiddeldeHuishoudensgrootte_32",
        f"value {value!r} is not a number",
        dataset=dataset,
    )


def test_value_that_breaks_the_type(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()
    rows[41][2] = "veel"  # population
    file = write_csv(tmp_path / "type.csv", rows)
    assert_rejected(loaded, file, "line 42 (row 41)", "column population", "value 'veel' is not a whole number")


@pytest.mark.parametrize("nullable", [False, True])
def test_a_bad_datetime_is_refused_never_read_as_empty(platform: Platform, tmp_path: Path, nullable: bool) -> None:
    """DuckDB's CSV reader turns a bad TIMESTAMPTZ into NULL without a reject; the engine reads the
    column as text and casts it, so the value is named, also where the column may be empty."""
    contract = yaml.safe_load(
        (Path(__file__).parents[1] / "data" / "contracts" / "test_meldingen_assen.yaml").read_text()
    )
    for column in contract["columns"]:
        if column["name"] == "created_at":
            column["nullable"] = nullable
    path = tmp_path / "test_meldingen_assen.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True), encoding="utf-8")
    platform.register(path)
    source = Path(__file__).parents[1] / "data" / "meldingen_assen_extract.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    platform.ingest(write_csv(tmp_path / "goed.csv", rows), "test_meldingen_assen")
    rows[4][1] = "gisteren om vier uur"
    file = write_csv(tmp_path / "datum.csv", rows)
    assert_rejected(
        platform,
        file,
        "line 5 (row 4)",
        "column created_at",
        "value 'gisteren om vier uur' is not a date and time (ISO 8601)",
        dataset="test_meldingen_assen",
    )


def test_unknown_column_rejected(loaded: Platform, tmp_path: Path) -> None:
    rows = [row + [value] for row, value in zip(real_rows(), ["extra"] + ["1"] * 355, strict=True)]
    file = write_csv(tmp_path / "extra.csv", rows)
    assert_rejected(loaded, file, "unknown column extra", "schema_mode: reject")


def test_unknown_column_evolves(platform: Platform, tmp_path: Path) -> None:
    contract = demo.contract_path(GEMEENTEN).read_text().replace("schema_mode: reject", "schema_mode: evolve")
    assert "schema_mode: evolve" in contract
    path = tmp_path / f"{GEMEENTEN}.yaml"
    path.write_text(contract)
    platform.register(path)
    platform.ingest(REAL, GEMEENTEN)
    rows = real_rows()
    population = [r[2] for r in rows[1:]]
    grown = [rows[0] + ["inwoners_x2"]] + [r + [str(int(p) * 2)] for r, p in zip(rows[1:], population, strict=True)]
    result = platform.ingest(write_csv(tmp_path / "gegroeid.csv", grown), GEMEENTEN)
    assert result.version == 2 and result.schema_changes == {"added": ["inwoners_x2"]}
    column = platform.contracts.load(GEMEENTEN).column("inwoners_x2")
    assert column.type.value == "integer" and column.personal_data.value == "quasi_identifier"
    assert platform.sql("select sum(inwoners_x2) = 2 * sum(population) from cbs_kwb_2019_gemeenten").rows == [(True,)]
    # time travel: version 1 has no such column and still reads
    assert platform.sql(f'select count(*) from "{GEMEENTEN}@1"').rows == [(355,)]
    with pytest.raises(Exception, match="inwoners_x2"):
        platform.sql(f'select inwoners_x2 from "{GEMEENTEN}@1"')


def test_missing_required_column(loaded: Platform, tmp_path: Path) -> None:
    rows = [row[:1] + row[2:] for row in real_rows()]  # drop unique_id (the key)
    file = write_csv(tmp_path / "zonder_code.csv", rows)
    assert_rejected(loaded, file, "missing required column unique_id", "expected the contract's columns")


def test_duplicate_key(platform: Platform, tmp_path: Path) -> None:
    """Without a unique rule on the key, a repeated key is rejected naming both rows."""
    data = yaml.safe_load(demo.contract_path(GEMEENTEN).read_text(encoding="utf-8"))
    data["quality"] = [r for r in data["quality"] if r["rule"] != "unique"]
    contract = tmp_path / f"{GEMEENTEN}.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    platform.register(contract)
    platform.ingest(REAL, GEMEENTEN)
    rows = real_rows()
    rows[100][1] = rows[5][1]
    file = write_csv(tmp_path / "dubbel.csv", rows)
    assert_rejected(
        platform, file, "line 101 (row 100)", "column unique_id", f"duplicate key '{rows[5][1]}'", "also in row 5"
    )


def test_duplicate_key_under_a_unique_rule_is_quarantined(loaded: Platform, tmp_path: Path) -> None:
    """The shipped contract has a blocking unique rule on its key: the delivery is quarantined."""
    rows = real_rows()
    rows[100][1] = rows[5][1]
    file = write_csv(tmp_path / "dubbel.csv", rows)
    with pytest.raises(QuarantinedError) as info:
        loaded.ingest(file, GEMEENTEN)
    message = str(info.value)
    assert message.startswith("dubbel.csv: quarantined: unique(unique_id) 2 of 355 rows break it (first at row 5)")
    assert "\n" not in message and "the current version is unchanged" in message
    assert loaded.metastore.list_deliveries(GEMEENTEN)[-1].state == "quarantined"
    assert [v.number for v in loaded.catalog.versions(GEMEENTEN)] == [1]


def test_empty_value_in_required_column(loaded: Platform, tmp_path: Path) -> None:
    rows = real_rows()
    rows[17][1] = ""
    file = write_csv(tmp_path / "leeg_veld.csv", rows)
    assert_rejected(loaded, file, "line 18 (row 17)", "column unique_id", "nullable: false")


# -- GeoJSON, XLSX, content that is not what the extension says ---------------------------
BOUNDARIES = "cbs_gemeenten_2024"


@pytest.fixture
def boundaries(platform: Platform) -> Platform:
    platform.register(demo.contract_path(BOUNDARIES))
    platform.ingest(demo.data_path(BOUNDARIES), BOUNDARIES)
    return platform


def test_geojson_with_invalid_geometry(boundaries: Platform, tmp_path: Path) -> None:
    data = json.loads(demo.data_path(BOUNDARIES).read_text(encoding="utf-8"))
    feature = data["features"][10]
    points = [p for polygon in feature["geometry"]["coordinates"] for p in polygon[0]]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    west, south, east, north = min(xs), min(ys), max(xs), max(ys)
    # the gemeente's own bounding box drawn as a bow tie: a ring that crosses itself
    bowtie = [[west, south], [east, north], [east, south], [west, north], [west, south]]
    feature["geometry"] = {"type": "MultiPolygon", "coordinates": [[bowtie]]}
    name = feature["properties"]["statcode"]
    file = tmp_path / "grenzen.geojson"
    file.write_text(json.dumps(data))
    assert_rejected(
        boundaries,
        file,
        f"feature 11 ({name})",
        "column geometry",
        "invalid geometry",
        "expected a valid geometry",
        dataset=BOUNDARIES,
    )


def test_xlsx_with_merged_header_cells(loaded: Platform, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Gemeenten"
    for row in real_rows()[:50]:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    sheet.merge_cells("D1:E1")
    file = tmp_path / "gemeenten.xlsx"
    workbook.save(file)
    assert_rejected(
        loaded, file, "sheet 'Gemeenten', cells D1:E1", "merged header cells", "expected one header cell per column"
    )


def test_xlsx_that_is_fine_loads(loaded: Platform, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    for row in real_rows():
        workbook.active.append([int(v) if v.isdigit() else v for v in row])
    file = tmp_path / "gemeenten.xlsx"
    workbook.save(file)
    result = loaded.ingest(file, GEMEENTEN)
    assert (result.version, result.row_count) == (2, 355)
    assert loaded.sql("select population from cbs_kwb_2019_gemeenten where unique_id = 'GM0518'").rows == [(537833,)]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("gemeenten.xlsx", b"region,unique_id\nAppingedam,GM0003\n", "the content is plain text (CSV)"),
        ("gemeenten.parquet", b"region,unique_id\nAppingedam,GM0003\n", "the content is plain text (CSV)"),
        ("gemeenten.csv", b"PK\x03\x04" + b"\x00" * 64, "the content is a ZIP/XLSX workbook"),
        ("gemeenten.json", b"region,unique_id\nAppingedam,GM0003\n", "the content is plain text (CSV)"),
        ("gemeenten.csv", b"%PDF-1.7\n" + b"\x00" * 32, "the content is a PDF document"),
    ],
)
def test_content_is_not_what_the_extension_says(
    loaded: Platform, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    file = tmp_path / name
    file.write_bytes(content)
    assert_rejected(loaded, file, says, "expected content that matches the extension")


@pytest.mark.parametrize("bad_id", ["../etc", "a/b", "..", "Cbs_Kwb", "kwb-2019", "x", "kwb 2019", "kwb;drop"])
def test_dataset_id_with_path_characters(platform: Platform, tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(IdentifierError, match="not valid"):
        platform.ingest(REAL, bad_id)
    with pytest.raises(IdentifierError):
        platform.ingest(REAL, "cbs_copy", like=bad_id)
    assert platform.metastore.list_deliveries() == []
    assert not any((platform.home / "tables").iterdir())
    assert not (platform.home.parent / "etc").exists()


def test_missing_file(loaded: Platform, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="file not found"):
        loaded.ingest(tmp_path / "bestaat_niet.csv", GEMEENTEN)
