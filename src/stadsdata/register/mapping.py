"""From the 2022 register export (metadata standard 0.2) to the standard v1.0.

Pure functions: ``map_2022(record)`` answers the v1.0 fields of one 2022 record and what could not
be carried over. The table (also in docs/register.md):

- copied as they are: name, organization, description_short, website, url, proportionality,
  risks, lawful_basis, source_data, publiccode, contact_email; ``id`` -> ``source_id``;
- ``status`` when it is one of v1.0's values ('' is left out, and reported missing);
- ``category`` (one text) -> the v1.0 ``category`` list where the meaning matches (``CATEGORIES``);
  a theme v1.0 lacks (Basisregistratie) is reported as unmapped;
- labelled paragraphs ("Label: text", with the 2022 field's Dutch label): goal (+ impact,
  decision_making_process), human_intervention (+ objection_procedure), methods_and_models
  (+ description, type, monitoring, performance_standard), impacttoetsen (IAMA, IAMA_description,
  DPIA, DPIA_description); a DPIA or IAMA answered "Ja" also becomes an ``impacttoetsen_grouping``
  item with the standard's recommended title;
- ``lang`` 'Nederlands' -> 'nld'; ``standard_version`` '1.0';
- the fields v1.0 lacks (``UNMAPPED``) are reported as unmapped when they hold a value; the raw
  record is kept with the entry for reference.

Text is never changed: U+FFFD stays and is reported (per entry and 2022 field) and flagged by
validation. ``publication_category`` has no 2022 counterpart, so every imported entry misses it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stadsdata.register.standard import BROKEN, REQUIRED, STANDARD, VERSION, is_empty

FIELDS_2022_FILE = Path(__file__).parent / "data" / "algoritmeregister_2022_velden.csv"


def _labels() -> dict[str, str]:
    with FIELDS_2022_FILE.open(encoding="utf-8", newline="") as f:
        return {row["veld"]: row["label"] for row in csv.DictReader(f)}


#: The 37 fields of the 2022 export with their Dutch labels, in the export's order.
LABELS_2022: dict[str, str] = _labels()

DIRECT = {
    "name": "name",
    "organization": "organization",
    "description_short": "description_short",
    "website": "website",
    "url": "url",
    "proportionality": "proportionality",
    "risks": "risks",
    "lawful_basis": "lawful_basis",
    "source_data": "source_data",
    "publiccode": "publiccode",
    "contact_email": "contact_email",
    "id": "source_id",
}
#: v1.0 field -> the 2022 fields that make it up: the first as it is, the others as labelled paragraphs
COMPOSED: dict[str, tuple[str, ...]] = {
    "goal": ("goal", "impact", "decision_making_process"),
    "human_intervention": ("human_intervention", "objection_procedure"),
    "methods_and_models": ("methods_and_models", "description", "type", "monitoring", "performance_standard"),
}
#: every part labelled: there is no 2022 field of the same name
IMPACT_PARTS = ("IAMA", "IAMA_description", "DPIA", "DPIA_description")
#: 2022 theme -> v1.0 theme, where the meaning matches
CATEGORIES = {
    "Sociale zekerheid": "Sociale zekerheid",
    "Veiligheid en handhaving": "Openbare orde en veiligheid",
    "Infrastructuur": "Ruimte en infrastructuur",
}
LANGUAGES = {"Nederlands": "nld"}
#: 2022 fields that v1.0 has no place for
UNMAPPED = (
    "department",
    "area",
    "competent_authority",
    "MPRD",
    "schema",
    "revision_date",
    "application_url",
    "documentation",
)
HANDLED = set(DIRECT) | {p for parts in COMPOSED.values() for p in parts} | set(IMPACT_PARTS)
HANDLED |= {"status", "category", "lang"} | set(UNMAPPED)


def _recommended(marker: str) -> str:
    titles = STANDARD["impacttoetsen_grouping"].items["title"].recommended or []  # type: ignore[index]
    return next(t for t in titles if marker in t)


DPIA_TITLE = _recommended("(DPIA)")
IAMA_TITLE = _recommended("(IAMA)")


@dataclass(frozen=True)
class Mapped:
    fields: dict[str, Any]  # v1.0 names, in the standard's order, empty values left out
    key: str  # what makes a re-import of the same record find its entry
    missing: list[str]  # required v1.0 fields absent after mapping
    unmapped: list[str]  # 2022 fields with a value that v1.0 has no place for (or no matching value)
    broken_text: list[str]  # 2022 fields whose text holds U+FFFD


def slug(text: str) -> str:
    """Lower case ASCII words joined by hyphens ('Gemeente Den Haag' -> 'gemeente-den-haag')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return value if isinstance(value, str) else "" if value is None else str(value)


def _paragraphs(record: dict[str, Any], parts: tuple[str, ...], *, label_first: bool) -> str:
    out = []
    for position, part in enumerate(parts):
        value = _text(record, part).strip()
        if not value:
            continue
        labelled = label_first or position > 0
        out.append(f"{LABELS_2022.get(part, part)}: {value}" if labelled else value)
    return "\n\n".join(out)


def import_key(record: dict[str, Any]) -> str:
    """The 2022 ``id`` when it is a UUID; else (the 2022 export's ids are empty or U+FFFD)
    organisation and name."""
    raw_id = _text(record, "id").strip()
    try:
        return f"import-2022:{uuid.UUID(raw_id)}"
    except ValueError:
        return f"import-2022:{slug(_text(record, 'organization'))}/{slug(_text(record, 'name'))}"


def order(fields: dict[str, Any]) -> dict[str, Any]:
    """Without empty values, in the standard's order (names outside the standard last)."""
    known = {name: fields[name] for name in STANDARD if name in fields and not is_empty(fields[name])}
    return known | {k: v for k, v in fields.items() if k not in STANDARD and not is_empty(v)}


def map_2022(record: dict[str, Any]) -> Mapped:
    fields: dict[str, Any] = {}
    unmapped: list[str] = []
    for old, new in DIRECT.items():
        fields[new] = _text(record, old)
    for new, parts in COMPOSED.items():
        fields[new] = _paragraphs(record, parts, label_first=False)
    fields["impacttoetsen"] = _paragraphs(record, IMPACT_PARTS, label_first=True)
    done = [
        {"title": title}
        for title, part in ((IAMA_TITLE, "IAMA"), (DPIA_TITLE, "DPIA"))
        if _text(record, part).strip().lower() == "ja"
    ]
    fields["impacttoetsen_grouping"] = done
    status = _text(record, "status").strip()
    if status in (STANDARD["status"].permitted_values or []):
        fields["status"] = status
    elif status:
        unmapped.append("status")
    category = _text(record, "category").strip()
    if category in CATEGORIES:
        fields["category"] = [CATEGORIES[category]]
    elif category:
        unmapped.append("category")
    lang = _text(record, "lang").strip()
    if lang in LANGUAGES:
        fields["lang"] = LANGUAGES[lang]
    elif lang:
        unmapped.append("lang")
    fields["standard_version"] = VERSION
    unmapped += [name for name in UNMAPPED if _text(record, name).strip()]
    unmapped += [name for name in record if name not in HANDLED and not is_empty(record[name])]
    fields = order(fields)
    return Mapped(
        fields=fields,
        key=import_key(record),
        missing=[name for name in REQUIRED if name not in fields],
        unmapped=sorted(set(unmapped), key=lambda n: list(LABELS_2022).index(n) if n in LABELS_2022 else 99),
        broken_text=[name for name in record if BROKEN in _text(record, name)],
    )
