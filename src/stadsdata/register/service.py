"""The algorithm register: entries in the Algoritmeregister standard v1.0, their versions, their
links to catalogue datasets, the import of the real 2022 register, export, and model cards.

Editing asks the access policy (``edit_register``: data officers and the admin) through
``governance.enforce``; every change is a version (who, when, why, per field old and new) and an
audit entry. The import and the models' self-registration are done by the platform itself (``by``
names who ran them) and ask nothing: the command that starts an import asks its caller first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from stadsdata import demo
from stadsdata.catalog import Catalog
from stadsdata.core.access import Action, Actor
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import NotFoundError, RegisterError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.enforce import enforce
from stadsdata.governance.opgaven import Opgaven
from stadsdata.metastore import Metastore
from stadsdata.metastore.register_store import DATASET, OPGAVE, EntryRecord, EntryWrite, RegisterStore
from stadsdata.register import export as export_format
from stadsdata.register.mapping import map_2022, order, slug
from stadsdata.register.search import search as search_entries
from stadsdata.register.search import search_text
from stadsdata.register.standard import BROKEN, REQUIRED, STANDARD, VERSION, FieldProblem, broken_fields, validate

#: The real register export of 8 December 2022 (96 entries), shipped with the demo data.
REGISTER_2022 = demo.DATA / "algoritmeregister_2022-12-08.json"
SOURCES = ("import-2022", "import-export", "portal", "api", "model")
MODEL_PREFIX = "stadsdata-model:"
MAX_ID = 100


@dataclass(frozen=True)
class AlgorithmEntry:
    id: str
    fields: dict[str, Any]  # v1.0 field names only, in the standard's order, no empty values
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    datasets: list[str]
    problems: list[FieldProblem]
    source: str  # import-2022, import-export, portal, api, model
    opgaven: list[int] = field(default_factory=list)  # the opgaven (analysis projects) it is linked to

    @property
    def name(self) -> str:
        return str(self.fields.get("name", ""))

    @property
    def organization(self) -> str:
        return str(self.fields.get("organization", ""))

    @property
    def status(self) -> str:
        return str(self.fields.get("status", ""))

    @property
    def categories(self) -> list[str]:
        return list(self.fields.get("category", []))

    @property
    def publication_category(self) -> str:
        return str(self.fields.get("publication_category", ""))


@dataclass(frozen=True)
class AlgorithmVersion:
    number: int
    at: dt.datetime
    by: str
    reason: str
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new); None where there was or is no value


@dataclass(frozen=True)
class EntryReport:
    id: str
    name: str
    organization: str
    missing: list[str]  # required v1.0 fields absent after mapping
    unmapped: list[str]  # source fields with a value that v1.0 has no place for
    broken_text: list[str]  # source fields whose text holds U+FFFD
    problems: list[FieldProblem]  # everything validation finds in the stored entry
    outcome: str = "imported"  # imported, updated, unchanged


@dataclass(frozen=True)
class ImportReport:
    imported: int
    updated: int
    unchanged: int
    entries: list[EntryReport]


@dataclass(frozen=True)
class RegisterSearch:
    entries: list[AlgorithmEntry]
    total: int
    facets: dict[str, list[tuple[str, int]]]  # organization, category, status, publication_category


@dataclass(frozen=True)
class ModelCard:
    """What a model of the platform says about itself; it becomes its register entry."""

    name: str
    description_short: str
    purpose: str
    data_used: list[str]  # catalogue dataset ids
    method: str
    performance: str  # measured, with how it was measured
    human_oversight: str
    organization: str
    contact_email: str
    lawful_basis: str
    status: str = "In ontwikkeling"
    publication_category: str = "Overige algoritmes"
    extra: dict[str, Any] = field(default_factory=dict)  # any other v1.0 field (tags, provider, ...)

    def fields(self) -> dict[str, Any]:
        methods = f"{self.method}\n\nGemeten prestaties: {self.performance}" if self.performance else self.method
        return order(
            {
                "name": self.name,
                "description_short": self.description_short,
                "organization": self.organization,
                "status": self.status,
                "contact_email": self.contact_email,
                "publication_category": self.publication_category,
                "goal": self.purpose,
                "human_intervention": self.human_oversight,
                "lawful_basis": self.lawful_basis,
                "methods_and_models": methods,
                "lang": "nld",
                "standard_version": VERSION,
                "source_id": f"{MODEL_PREFIX}{self.name}",
                **self.extra,
            }
        )


def _problems(stored: list[dict[str, str]]) -> list[FieldProblem]:
    return [FieldProblem(p["field"], p["message"]) for p in stored]


def _entry(record: EntryRecord) -> AlgorithmEntry:
    return AlgorithmEntry(
        id=record.id,
        fields=record.fields,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        datasets=record.links.get(DATASET, []),
        problems=_problems(record.problems),
        source=record.source,
        opgaven=sorted(int(o) for o in record.links.get(OPGAVE, [])),
    )


def _refuse(problems: list[FieldProblem], where: str = "") -> RegisterError:
    first = f"{where}{problems[0]}"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return RegisterError(first + more, problems)


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    names = list(dict.fromkeys([*STANDARD, *old, *new]))
    return {n: [old.get(n), new.get(n)] for n in names if old.get(n) != new.get(n)}


def _base(field_name: str) -> str:
    return field_name.split("[", 1)[0].split(".", 1)[0]


class AlgorithmRegister:
    def __init__(
        self, metastore: Metastore, audit: AuditLog, policy: AccessPolicy, catalog: Catalog, opgaven: Opgaven
    ) -> None:
        self.store = RegisterStore(metastore)
        self.metastore = metastore
        self.audit = audit
        self.policy = policy
        self.catalog = catalog
        self.opgaven = opgaven

    # -- reading -------------------------------------------------------------------------------
    def get(self, algorithm_id: str) -> AlgorithmEntry:
        """By the register's id, or by the v1.0 ``source_id`` when exactly one entry has it."""
        record = self.store.find(algorithm_id)
        if record is None:
            ids = self.store.ids_by_source_id(algorithm_id) if algorithm_id else []
            if len(ids) != 1:
                raise NotFoundError(f"algorithm {algorithm_id!r} not found; see `stadsdata register list`")
            record = self.store.get(ids[0])
        return _entry(record)

    def all(self) -> list[AlgorithmEntry]:
        return [_entry(r) for r in self.store.all()]

    def count(self) -> int:
        return len(self.store.ids())

    def search(
        self, q: str = "", filters: dict[str, list[str]] | None = None, *, offset: int = 0, limit: int = 50
    ) -> RegisterSearch:
        entries, total, facets = search_entries(self.all(), lambda e: e.fields, q, filters, offset=offset, limit=limit)
        return RegisterSearch(entries, total, facets)

    def history(self, algorithm_id: str) -> list[AlgorithmVersion]:
        """Newest first; version 1 is the creation or import."""
        entry = self.get(algorithm_id)
        return [
            AlgorithmVersion(v.number, v.at, v.by, v.reason, {k: (old, new) for k, (old, new) in v.changes.items()})
            for v in self.store.versions(entry.id)
        ]

    def algorithms_using(self, dataset_id: str) -> list[AlgorithmEntry]:
        return [_entry(self.store.get(i)) for i in self.store.linked_to(DATASET, dataset_id)]

    def algorithms_for_opgave(self, opgave_id: int) -> list[AlgorithmEntry]:
        return [_entry(self.store.get(i)) for i in self.store.linked_to(OPGAVE, str(opgave_id))]

    # -- editing -------------------------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        fields: dict[str, Any],
        *,
        datasets: Sequence[str] = (),
        opgaven: Sequence[int] = (),
        source: str = "portal",
    ) -> AlgorithmEntry:
        """A new entry. Asks the policy (``edit_register``); any problem against the standard, or an
        unknown dataset, refuses it with RegisterError naming the field, and nothing is stored."""
        enforce(self.policy, self.audit, actor, Action.edit_register, None, "register")
        if source not in SOURCES:
            raise RegisterError(f"source: {source!r}; expected one of {', '.join(SOURCES)}")
        new = order({"lang": "nld", "standard_version": VERSION, **fields})
        problems = validate(new)
        if problems:
            raise _refuse(problems)
        links = self._check_datasets(datasets)
        linked_opgaven = self._check_opgaven(opgaven)
        by = actor.user or "anonymous"
        record = self._add(new, links, source=source, by=by, reason="aangemaakt", opgaven=linked_opgaven)
        self.audit.append(
            by,
            "algorithm_created",
            f"algorithm/{record.id}",
            "done",
            detail={"fields": list(new), "datasets": links, "opgaven": linked_opgaven, "source": source},
        )
        return _entry(record)

    def update(
        self,
        actor: Actor,
        algorithm_id: str,
        fields: dict[str, Any],
        *,
        reason: str,
        datasets: Sequence[str] | None = None,
        opgaven: Sequence[int] | None = None,
    ) -> AlgorithmEntry:
        """A new version with the given fields changed (an empty value clears a field); the other
        fields stay. Refused (RegisterError, nothing stored) when a changed field breaks the
        standard; problems an entry already had in fields this update leaves alone do not block
        it. Nothing changed: no new version."""
        current = self.get(algorithm_id)
        enforce(self.policy, self.audit, actor, Action.edit_register, None, f"algorithm/{current.id}")
        new = order({**current.fields, **fields})
        changed = {_base(n) for n in _diff(current.fields, new)}
        before = {p.field for p in current.problems}
        blocking = [p for p in validate(new) if _base(p.field) in changed or p.field not in before]
        if blocking:
            raise _refuse(blocking)
        links = self._check_datasets(datasets) if datasets is not None else current.datasets
        linked_opgaven = self._check_opgaven(opgaven) if opgaven is not None else current.opgaven
        by = actor.user or "anonymous"
        updated = self._change(current, new, links, by=by, reason=reason, opgaven=linked_opgaven)
        if updated.version != current.version:
            changes = self.store.versions(current.id)[0].changes
            self.audit.append(
                by,
                "algorithm_updated",
                f"algorithm/{current.id}",
                "done",
                purpose=reason or None,
                detail={"fields": list(changes), "version": updated.version},
            )
        return updated

    def register_model(self, card: ModelCard, *, by: str = "system") -> AlgorithmEntry:
        """A model's own entry from its card: created the first time, updated (a new version when
        the card changed) afterwards; linked to the datasets it uses."""
        new = card.fields()
        problems = validate(new)
        if problems:
            raise _refuse(problems, f"model card {card.name!r}: ")
        links = self._check_datasets(card.data_used)
        key = f"{MODEL_PREFIX}{card.name}"
        existing = self.store.ids_by_source_key(key)
        if existing is None:
            record = self._add(new, links, source="model", by=by, reason="modelkaart geregistreerd", source_key=key)
            self.audit.append(by, "algorithm_created", f"algorithm/{record.id}", "done", detail={"model": card.name})
            return _entry(record)
        current = _entry(self.store.get(existing))
        updated = self._change(current, new, links, by=by, reason="modelkaart bijgewerkt")
        if updated.version != current.version:
            self.audit.append(by, "algorithm_updated", f"algorithm/{current.id}", "done", detail={"model": card.name})
        return updated

    # -- import and export -----------------------------------------------------------------------
    def import_2022(self, path: Path = REGISTER_2022, *, by: str) -> ImportReport:
        """The 2022 register export, mapped to v1.0 (see mapping.py). Idempotent: a record finds
        its entry again by its 2022 id (or, the real file's ids being empty or broken, by
        organisation and name). A record that did not change since the last import changes
        nothing, so edits made in the register since are kept; a changed one updates only the
        fields its change touches."""
        try:
            records = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RegisterError(f"{path}: cannot read the 2022 register export: {exc}") from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise RegisterError(f"{path}: expected a JSON list of objects, one per algorithm")
        reports: list[EntryReport] = []
        reason = f"import uit {Path(path).name} (Algoritmeregister, standaard 0.2)"
        for record in records:
            mapped = map_2022(record)
            existing = self.store.ids_by_source_key(mapped.key)
            if existing is None:
                stored = self._add(
                    mapped.fields, [], source="import-2022", by=by, reason=reason, source_key=mapped.key, raw=record
                )
                outcome = "imported"
            else:
                previous = self.store.get(existing)
                current = _entry(previous)
                old_map = map_2022(previous.raw).fields if previous.raw is not None else {}
                touched = _diff(old_map, mapped.fields)
                new = order({**current.fields, **{k: new for k, (_, new) in touched.items()}})
                after = self._change(current, new, current.datasets, by=by, reason=reason, raw=record)
                stored = self.store.get(existing)
                outcome = "updated" if after.version != current.version else "unchanged"
            reports.append(
                EntryReport(
                    id=stored.id,
                    name=str(stored.fields.get("name", "")),
                    organization=str(stored.fields.get("organization", "")),
                    missing=mapped.missing,
                    unmapped=mapped.unmapped,
                    broken_text=mapped.broken_text,
                    problems=_problems(stored.problems),
                    outcome=outcome,
                )
            )
        return self._imported(reports, by, Path(path).name)

    def export(self, fmt: Literal["json", "csv"] | str) -> bytes:
        """Every entry in the standard's download format (JSON or CSV, UTF-8)."""
        return export_format.dump([e.fields for e in self.all()], fmt)

    def import_export(self, data: bytes, fmt: str, *, by: str) -> ImportReport:
        """Read back an export (ours or another register's in the v1.0 download format). A record
        finds its entry by ``source_id`` (when exactly one entry has it and it is not broken) or by
        organisation and name; found, the entry becomes what the record says (a new version when
        it differs); not found, it is created. Names outside the standard are reported as unmapped
        and left out."""
        reports: list[EntryReport] = []
        entries = self.all()
        by_source: dict[str, list[AlgorithmEntry]] = {}
        by_name: dict[tuple[str, str], list[AlgorithmEntry]] = {}
        for e in entries:
            if e.fields.get("source_id"):
                by_source.setdefault(e.fields["source_id"], []).append(e)
            by_name.setdefault((e.organization, e.name), []).append(e)
        for position, record in enumerate(export_format.load(data, fmt), start=1):
            unmapped = [k for k in record if k not in STANDARD]
            new = order({k: v for k, v in record.items() if k in STANDARD})
            source_id = new.get("source_id")
            candidates: list[AlgorithmEntry] = []
            if isinstance(source_id, str) and source_id and BROKEN not in source_id:
                candidates = by_source.get(source_id, [])
            if len(candidates) != 1:
                candidates = by_name.get((str(new.get("organization", "")), str(new.get("name", ""))), [])
            if len(candidates) == 1:
                current = candidates[0]
                after = self._change(current, new, current.datasets, by=by, reason=f"import van een {fmt}-export")
                outcome = "updated" if after.version != current.version else "unchanged"
                stored = after
            else:
                reason = f"import van een {fmt}-export (record {position})"
                stored = _entry(self._add(new, [], source="import-export", by=by, reason=reason))
                outcome = "imported"
            reports.append(
                EntryReport(
                    id=stored.id,
                    name=stored.name,
                    organization=stored.organization,
                    missing=[n for n in REQUIRED if n not in new],
                    unmapped=unmapped,
                    broken_text=broken_fields(new),
                    problems=stored.problems,
                    outcome=outcome,
                )
            )
        return self._imported(reports, by, f"{fmt}-export")

    # -- internals -------------------------------------------------------------------------------
    def _imported(self, reports: list[EntryReport], by: str, what: str) -> ImportReport:
        counts = {o: sum(1 for r in reports if r.outcome == o) for o in ("imported", "updated", "unchanged")}
        self.audit.append(
            by,
            "register_imported",
            "register",
            "done",
            detail={
                "file": what,
                **counts,
                "created": [r.id for r in reports if r.outcome == "imported"],
                "updated": [r.id for r in reports if r.outcome == "updated"],
            },
        )
        return ImportReport(counts["imported"], counts["updated"], counts["unchanged"], reports)

    def _check_datasets(self, datasets: Sequence[str]) -> list[str]:
        if isinstance(datasets, str):
            datasets = [datasets]
        for dataset_id in datasets:
            if not self.metastore.has_dataset(dataset_id):
                raise RegisterError(
                    f"datasets: no dataset {dataset_id!r} in the catalogue; see `stadsdata catalog list`"
                )
        return sorted(dict.fromkeys(datasets))

    def _check_opgaven(self, opgaven: Sequence[int]) -> list[int]:
        """Opgave numbers that exist (an ended or destroyed opgave is still a fact to link to)."""
        numbers = []
        for value in opgaven:
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise RegisterError(f"opgaven: {value!r} is not an opgave number; expected a whole number") from None
            try:
                self.opgaven.get(number)
            except NotFoundError:
                raise RegisterError(f"opgaven: no opgave {number}; see `stadsdata opgaven list`") from None
            numbers.append(number)
        return sorted(set(numbers))

    def _new_id(self, fields: dict[str, Any]) -> str:
        base = slug(f"{fields.get('organization', '')} {fields.get('name', '')}")[:MAX_ID].strip("-") or "algoritme"
        taken = self.store.ids()
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base[: MAX_ID - len(str(n)) - 1].rstrip('-')}-{n}"
        return candidate

    def _write(self, fields: dict[str, Any], links: list[str], opgaven: Sequence[int] = ()) -> EntryWrite:
        problems = [{"field": p.field, "message": p.message} for p in validate(fields)]
        kinds: dict[str, list[str]] = {}
        if links:
            kinds[DATASET] = links
        if opgaven:
            kinds[OPGAVE] = [str(o) for o in opgaven]
        return EntryWrite(fields, problems, search_text(fields), kinds)

    def _add(
        self,
        fields: dict[str, Any],
        links: list[str],
        *,
        source: str,
        by: str,
        reason: str,
        source_key: str | None = None,
        raw: dict[str, Any] | None = None,
        opgaven: Sequence[int] = (),
    ) -> EntryRecord:
        return self.store.add(
            self._new_id(fields),
            self._write(fields, links, opgaven),
            source=source,
            by=by,
            reason=reason,
            source_key=source_key,
            raw=raw,
        )

    def _change(
        self,
        current: AlgorithmEntry,
        new: dict[str, Any],
        links: list[str],
        *,
        by: str,
        reason: str,
        raw: dict[str, Any] | None = None,
        opgaven: Sequence[int] | None = None,
    ) -> AlgorithmEntry:
        linked = list(current.opgaven if opgaven is None else opgaven)
        changes = _diff(current.fields, new)
        if links != current.datasets:
            changes["datasets"] = [current.datasets, links]
        if linked != current.opgaven:
            changes["opgaven"] = [current.opgaven, linked]
        if not changes:
            return current
        record = self.store.update(
            current.id,
            self._write(new, links, linked),
            changes,
            expected_version=current.version,
            by=by,
            reason=reason,
            raw=raw,
        )
        return _entry(record)
