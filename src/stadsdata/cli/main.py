"""``stadsdata``: the command line. Every command takes the home from --home or STADSDATA_HOME.

Every command acts as the settings' user (a user of the platform, or else the operator: see
``cli.governance.cli_actor``) and shows or does only what the access policy allows that actor:
listings show the datasets whose metadata it may see, a dataset it may not see answers as an
unknown one, SQL needs the rows of every dataset it names, and ingest, retry, register and release
ask ``ingest`` or ``release``. ``demo`` and ``serve`` act on no dataset: ``demo`` builds a fresh
home (so its user is the operator), and in the portal ``serve`` starts every request is judged
by its own login.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stadsdata import demo as demo_data
from stadsdata.cli.governance import audit_app, cli_actor, tokens_app, users_app
from stadsdata.cli.indicators import indicators_app
from stadsdata.cli.models import models_app
from stadsdata.cli.opgaven import datashop_app, opgaven_app, workspace_app, workspaces_app
from stadsdata.cli.output import err, kv_table, out, render_result, when
from stadsdata.cli.publish import publish_app
from stadsdata.cli.register import register_app
from stadsdata.core.access import Action, Actor
from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.governance.catalog_access import record_resource
from stadsdata.governance.enforce import enforce
from stadsdata.platform import DEMO_PASSWORD, DEMO_USERS, Platform
from stadsdata.settings import Settings

app = typer.Typer(
    name="stadsdata",
    help="Stadsdata: an urban data platform. Landing zone, versioned tables, catalogue and SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Find and inspect datasets.", no_args_is_help=True)
deliveries_app = typer.Typer(help="Deliveries in the landing zone and their states.", invoke_without_command=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(deliveries_app, name="deliveries")
quality_app = typer.Typer(help="Data quality: rules, scores and reports.", no_args_is_help=True)
app.add_typer(quality_app, name="quality")
inbox_app = typer.Typer(help="Notices to data owners (quarantined deliveries).", invoke_without_command=True)
app.add_typer(inbox_app, name="inbox")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(opgaven_app, name="opgaven")
app.add_typer(workspace_app, name="workspace")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(datashop_app, name="datashop")
app.add_typer(publish_app, name="publish")
app.add_typer(register_app, name="register")
app.add_typer(models_app, name="models")
app.add_typer(indicators_app, name="indicators")

DEMO_MARKER = ".stadsdata-demo"
#: the width of the dataset column in the demo's listing: the longest shipped id (bron_ongevallen_utrecht_2015_2018)
DEMO_ID_WIDTH = 33


class State:
    home: Path | None = None
    engine: str | None = None  # `--engine` of a command (`sql`); else the setting


state = State()


@app.callback()
def main_options(
    home: Annotated[
        Path | None, typer.Option("--home", help="Platform home (default: $STADSDATA_HOME or ~/.stadsdata).")
    ] = None,
) -> None:
    state.home = home
    state.engine = None


def settings() -> Settings:
    chosen: dict[str, object] = {"engine": state.engine} if state.engine else {}
    return Settings(home=state.home, **chosen) if state.home else Settings(**chosen)  # type: ignore[arg-type]


def open_platform() -> Platform:
    platform = Platform(settings())
    for report in platform.recover():
        err.print(f"[yellow]recovered:[/] {report.message}")
    return platform


@contextmanager
def acting() -> Iterator[tuple[Platform, Actor]]:
    """The platform and the actor the command acts as."""
    with open_platform() as platform:
        actor, _ = cli_actor(platform)
        yield platform, actor


def visible_ids(platform: Platform, actor: Actor) -> set[str]:
    """The datasets whose metadata ``actor`` may see (one audit entry for the listing)."""
    return {r.id for r in platform.access.visible(actor)}


# -- landing zone ----------------------------------------------------------------------------
@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="The delivered file: CSV, XLSX, GeoJSON, JSON or Parquet.")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset id.")],
    like: Annotated[
        str | None, typer.Option(help="Register DATASET as a new dataset with the contract of LIKE.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the new dataset (with --like).")] = None,
) -> None:
    """Deliver a file: it becomes a new version of the dataset, or is rejected with the reason."""
    with acting() as (platform, actor):
        result = platform.ingest(file, dataset, like=like, title=title, actor=actor)
        changes = ", ".join(f"{k}: {', '.join(v)}" for k, v in result.schema_changes.items())
        out.print(
            f"loaded [bold]{result.dataset_id}[/] version {result.version}: {result.row_count:,} rows "
            f"(delivery {result.delivery_id}, {result.details.get('dialect', result.details.get('format'))})"
            + (f"; schema changes: {changes}" if changes else "")
        )


# -- catalogue -------------------------------------------------------------------------------
def _dataset_table(records: list) -> Table:  # type: ignore[type-arg]
    table = Table(header_style="bold")
    for name in ("id", "title", "classification", "dienst", "version", "updated"):
        table.add_column(name, overflow="fold")
    for r in records:
        table.add_row(
            r.id, r.title, r.classification, r.owner_dienst, str(r.current_version or "-"), when(r.updated_at)
        )
    return table


@catalog_app.command("list")
def catalog_list() -> None:
    """Every dataset in the catalogue that you may see."""
    with acting() as (platform, actor):
        records = platform.access.visible(actor)
        out.print(_dataset_table(records))
        out.print(f"{len(records)} datasets", style="dim")


@catalog_app.command("search")
def catalog_search(
    text: Annotated[str, typer.Argument(help="Words to find in titles, descriptions, columns, themes, keywords.")],
) -> None:
    """Search the catalogue (the datasets you may see)."""
    with acting() as (platform, actor):
        visible = visible_ids(platform, actor)
        records = [r for r in platform.catalog.search(text) if r.id in visible]
        out.print(_dataset_table(records))
        out.print(f"{len(records)} datasets match {text!r}", style="dim")


@catalog_app.command("show")
def catalog_show(dataset_id: Annotated[str, typer.Argument(help="Dataset id.")]) -> None:
    """Everything about one dataset: contract metadata, columns, versions, deliveries, lineage."""
    with acting() as (platform, actor):
        platform.visible_dataset(actor, dataset_id)
        view = platform.catalog.show(dataset_id)
        if view.lineage["upstream"] or view.lineage["downstream"]:  # only datasets the actor may see
            visible = visible_ids(platform, actor)
            view.lineage["upstream"] = [x for x in view.lineage["upstream"] if x.source_id in visible]
            view.lineage["downstream"] = [x for x in view.lineage["downstream"] if x.dataset_id in visible]
        c = view.contract
        lang = platform.settings.lang
        current = view.current
        out.print(f"[bold]{c.title.get(lang)}[/] ({c.id})")
        out.print(c.description.get(lang))
        out.print(
            kv_table(
                [
                    ("classification", c.classification.value),
                    ("owner dienst", c.owner_dienst),
                    ("data owner", c.data_owner),
                    ("steward", c.steward),
                    ("themes", ", ".join(c.themes)),
                    ("keywords", ", ".join(c.keywords)),
                    ("licence", c.licence),
                    ("update frequency", c.update_frequency.value),
                    ("spatial coverage", c.spatial_coverage),
                    ("temporal coverage", f"{c.temporal_coverage.start or ''} .. {c.temporal_coverage.end or ''}"),
                    ("legal basis", c.legal_basis),
                    ("retention", c.retention.period + (f" ({c.retention.reason})" if c.retention.reason else "")),
                    ("schema mode", c.schema_mode.value),
                    ("key", ", ".join(c.key) or "-"),
                    ("source", f"{c.source.publisher}: {c.source.attribution}" if c.source else "-"),
                    (
                        "current version",
                        f"{current.number} ({current.row_count:,} rows, {when(current.created_at)})"
                        if current
                        else "none yet",
                    ),
                    (
                        "lineage",
                        "; ".join(
                            [f"from {x.source_id}" for x in view.lineage["upstream"]]
                            + [f"used by {x.dataset_id}" for x in view.lineage["downstream"]]
                        )
                        or "-",
                    ),
                ]
            )
        )
        columns = Table(header_style="bold", title="Columns")
        for name in ("column", "type", "unit", "nullable", "personal data", "description"):
            columns.add_column(name, overflow="fold")
        for col in c.columns:
            columns.add_row(
                col.name,
                col.type.value,
                col.unit or "",
                "yes" if col.nullable else "no",
                col.personal_data.value,
                col.description.get(lang),
            )
        out.print(columns)
        _print_versions(view.versions)


def _print_versions(versions: list) -> None:  # type: ignore[type-arg]
    table = Table(header_style="bold", title="Versions")
    for name in ("version", "rows", "loaded", "delivered by", "delivery", "content sha256", "schema changes"):
        table.add_column(name, overflow="fold")
    for v in versions:
        changes = "; ".join(f"{k}: {', '.join(x)}" for k, x in v.schema_changes.items()) or "-"
        table.add_row(
            str(v.number),
            f"{v.row_count:,}",
            when(v.created_at),
            v.delivered_by,
            str(v.delivery_id or "-"),
            v.content_sha256[:12],
            changes,
        )
    out.print(table)


@app.command()
def versions(dataset_id: Annotated[str, typer.Argument(help="Dataset id.")]) -> None:
    """The versions of a dataset, oldest first; query one as "<id>@<n>" in `stadsdata sql`."""
    with acting() as (platform, actor):
        platform.visible_dataset(actor, dataset_id)
        _print_versions(platform.catalog.versions(dataset_id))


# -- deliveries ------------------------------------------------------------------------------
@deliveries_app.callback()
def deliveries_list(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Only this dataset.")] = None,
) -> None:
    """List deliveries and their states (of the datasets you may see)."""
    if ctx.invoked_subcommand:
        return
    with acting() as (platform, actor):
        if dataset:
            platform.visible_dataset(actor, dataset)
            rows = platform.metastore.list_deliveries(dataset)
        else:
            visible = visible_ids(platform, actor)
            rows = [d for d in platform.metastore.list_deliveries() if d.dataset_id in visible]
        table = Table(header_style="bold")
        for name in ("id", "dataset", "file", "state", "since", "by", "version", "reason", "notice"):
            table.add_column(name, overflow="fold")
        notices = platform.metastore.notices_of_deliveries([d.id for d in rows if d.state in NOTICE_STATES])
        for d in rows:
            notice = notices.get(d.id)
            table.add_row(
                str(d.id),
                d.dataset_id,
                d.filename,
                d.state,
                when(d.state_at),
                d.delivered_by,
                str(d.version_number or ""),
                d.error or "",
                f"#{notice.id} to {notice.recipient} ({notice.status})" if notice else "",
            )
        out.print(table)


@deliveries_app.command("show")
def deliveries_show(delivery_id: Annotated[int, typer.Argument(help="Delivery id.")]) -> None:
    """One delivery with its history of states."""
    with acting() as (platform, actor):
        d = platform.metastore.get_delivery(delivery_id)
        platform.visible_dataset(
            actor, d.dataset_id, missing=f"delivery {delivery_id} not found; see `stadsdata deliveries`"
        )
        out.print(
            kv_table(
                [
                    ("delivery", str(d.id)),
                    ("dataset", d.dataset_id),
                    ("file", d.filename),
                    ("kept at", d.stored_path or "-"),
                    ("sha256", d.sha256 or "-"),
                    ("size", f"{d.size_bytes:,} bytes" if d.size_bytes is not None else "-"),
                    ("delivered by", d.delivered_by),
                    ("state", d.state),
                    ("version", str(d.version_number or "-")),
                    ("reason", d.error or "-"),
                ]
            )
        )
        for e in d.events:
            out.print(f"  {when(e.at)}  {e.state:<12} {e.detail or ''}")


@deliveries_app.command("retry")
def deliveries_retry(delivery_id: Annotated[int, typer.Argument(help="An interrupted or rejected delivery.")]) -> None:
    """Run an interrupted or rejected delivery again from the file kept in the landing zone."""
    with acting() as (platform, actor):
        result = platform.retry(delivery_id, actor=actor)
        out.print(
            f"loaded [bold]{result.dataset_id}[/] version {result.version}: {result.row_count:,} rows "
            f"(delivery {result.delivery_id}, retry of {delivery_id})"
        )


@deliveries_app.command("release")
def deliveries_release(
    delivery_id: Annotated[int, typer.Argument(help="A quarantined delivery.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it may be published despite its report (recorded).")],
) -> None:
    """Publish a quarantined delivery anyway, with a recorded reason (the data owner's decision)."""
    with acting() as (platform, actor):
        result = platform.release(delivery_id, reason, actor=actor)
        out.print(
            f"loaded [bold]{result.dataset_id}[/] version {result.version}: {result.row_count:,} rows "
            f"(delivery {result.delivery_id}, release of quarantined delivery {delivery_id})"
        )


# -- inbox ---------------------------------------------------------------------------------
NOTICE_STATES = ("quarantined", "released")


def _releasable(platform: Platform, actor: Actor, notices: list) -> list:  # type: ignore[type-arg]
    """The notices about datasets whose deliveries ``actor`` may release (the policy's ``release``);
    one audit entry names the non-public datasets whose notices were listed."""
    allowed: dict[str, bool] = {}
    shown = []
    for n in notices:
        if n.dataset_id not in allowed:
            resource = record_resource(platform.metastore.get_dataset(n.dataset_id))
            allowed[n.dataset_id] = platform.policy.can(actor, Action.release, resource).allowed
        if allowed[n.dataset_id]:
            shown.append(n)
    non_public = sorted({n.dataset_id for n in shown} - {r.id for r in platform.catalog.public()})
    if non_public:
        platform.audit.append(actor, Action.release, "inbox", "allowed", detail={"non_public_listed": non_public})
    return shown


@inbox_app.callback()
def inbox_list(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Only this dataset.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Resolved notices too.")] = False,
) -> None:
    """Open notices to data owners, newest first (a quarantined delivery waits for a decision): those
    of the datasets whose deliveries you may release."""
    if ctx.invoked_subcommand:
        return
    with acting() as (platform, actor):
        if dataset:
            platform.visible_dataset(actor, dataset)
        notices = platform.metastore.list_notices(dataset_id=dataset, open_only=not show_all)
        notices = _releasable(platform, actor, notices)
    if not notices:
        out.print("no open notices" if not show_all else "no notices")
        return
    table = Table(header_style="bold")
    for name in ("id", "status", "to", "dataset", "delivery", "since", "subject"):
        table.add_column(name, overflow="fold")
    for n in notices:
        status = n.status if n.resolved_at is None else f"resolved: {n.resolution}"
        table.add_row(
            str(n.id), status, n.recipient, n.dataset_id, str(n.delivery_id or ""), when(n.created_at), n.subject
        )
    out.print(table)


@inbox_app.command("show")
def inbox_show(notice_id: Annotated[int, typer.Argument(help="Notice id.")]) -> None:
    """One notice in full (for those who may release its dataset's deliveries); marks it read."""
    with acting() as (platform, actor):
        missing = f"notice {notice_id} not found; see `stadsdata inbox --all`"
        notice = next((n for n in platform.metastore.list_notices(open_only=False) if n.id == notice_id), None)
        if notice is None:
            raise NotFoundError(missing)
        record = platform.visible_dataset(actor, notice.dataset_id, missing=missing)
        enforce(platform.policy, platform.audit, actor, Action.release, record_resource(record), f"notice:{notice_id}")
        n = platform.metastore.read_notice(notice_id, actor.user or "anonymous")
    out.print(
        kv_table(
            [
                ("notice", str(n.id)),
                ("to", f"{n.recipient} ({n.role.replace('_', ' ')})"),
                ("dataset", n.dataset_id),
                ("delivery", str(n.delivery_id or "-")),
                ("sent", when(n.created_at)),
                ("read", f"{when(n.read_at)} by {n.read_by}" if n.read_at else "-"),
                ("resolved", f"{when(n.resolved_at)}: {n.resolution}" if n.resolved_at else "open"),
                ("subject", n.subject),
            ]
        )
    )
    out.print(n.body)
    if n.resolved_at is None and n.kind == "quarantine":
        out.print(
            f"decide: `stadsdata quality report {n.dataset_id} --delivery {n.delivery_id}` shows its report; "
            f"`stadsdata deliveries release {n.delivery_id} --reason ...` publishes the delivery anyway"
        )


# -- quality ---------------------------------------------------------------------------------
@quality_app.command("report")
def quality_report(
    dataset_id: Annotated[str, typer.Argument(help="Dataset id.")],
    version: Annotated[int | None, typer.Option("--version", help="Version number (default: current).")] = None,
    delivery: Annotated[
        int | None, typer.Option("--delivery", help="A delivery's report instead, e.g. a quarantined one.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as one self-contained HTML file.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="nl or en: the details and the HTML file (default: setting lang).")
    ] = None,
) -> None:
    """The quality report of a version or a delivery: score, every rule, failing counts and examples."""
    from stadsdata.core.quality_text import describe

    if version is not None and delivery is not None:
        raise StadsdataError("quality report: give --version or --delivery, not both")
    if lang not in (None, "nl", "en"):
        raise StadsdataError(f"quality report: --lang must be nl or en, not {lang!r}")
    with acting() as (platform, actor):
        platform.visible_dataset(actor, dataset_id)
        report = platform.quality_report(dataset_id, version, delivery_id=delivery)
        lang = lang or platform.settings.lang
        view = platform.catalog.show(dataset_id) if html else None
    if report["version"] is not None and delivery is None:
        subject = f"version {report['version']}"
    else:
        subject = f"delivery {report['delivery']} ({report['state']})"
    out.print(f"[bold]{dataset_id}[/] {subject}: quality score [bold]{report['score']}[/] / 100")
    if report.get("released"):
        out.print(f"released despite its report: {report['released']['reason']} ({report['released']['by']})")
    table = Table("rule", "severity", "result", "detail", "examples")
    for r in report["rules"]:
        result = "skipped" if r.get("skipped") else "pass" if r["passed"] else "FAIL"
        examples = "; ".join(f"row {e['row']}: {e['values']}" for e in r["examples"])
        table.add_row(r["rule"], r["severity"], result, describe(r, lang), examples)
    out.print(table if report["rules"] else "no quality rules in the contract")
    if html and view:
        from stadsdata.web.i18n import Translator
        from stadsdata.web.quality_report import trend_of, write_report

        t = Translator(lang)
        try:
            html.parent.mkdir(parents=True, exist_ok=True)
            written = write_report(
                html, report, title=t.text(view.contract.title).value, lang=lang, trend=trend_of(view, t)
            )
        except OSError as exc:
            raise StadsdataError(f"{html}: cannot write the report: {exc.strerror or exc}") from exc
        out.print(f"wrote {written}")


# -- SQL -------------------------------------------------------------------------------------
@app.command()
def sql(
    query: Annotated[
        str, typer.Argument(help='One SELECT; a dataset id is its current version, "<id>@<n>" version n.')
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many rows (table format: 1000 by default).")] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="duckdb or spark (default: STADSDATA_ENGINE, else duckdb).")
    ] = None,
) -> None:
    """Run SQL over the datasets whose rows you may read as stored (openbaar ones, your own as data
    owner or steward, or with a grant at level read)."""
    if fmt not in ("table", "csv", "json"):
        raise StadsdataError(f"--format {fmt!r} is not known; expected table, csv or json")
    if engine is not None and engine not in ("duckdb", "spark"):
        raise StadsdataError(f"--engine {engine!r} is not known; expected duckdb or spark")
    state.engine = engine
    with acting() as (platform, actor):
        rows = limit if limit is not None else (1000 if fmt == "table" else None)
        result = platform.sql(query, limit=rows, actor=actor)
        render_result(result, fmt)


# -- demo ------------------------------------------------------------------------------------
@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data but do not start the portal.")] = False,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")] = None,
) -> None:
    """Create a fresh platform home, load every demo dataset the repo ships (and the demo users and
    opgaven), start the portal."""
    home = (state.home or Settings().home).expanduser()
    if home.exists() and any(home.iterdir()):
        if not (home / DEMO_MARKER).exists():
            raise StadsdataError(
                f"{home} already holds a platform that the demo did not create; "
                "give another --home (or STADSDATA_HOME) for the demo"
            )
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / DEMO_MARKER).write_text("created by `stadsdata demo`; the next demo replaces this home\n")
    state.home = home
    with open_platform() as platform:
        out.print(f"Stadsdata demo in [bold]{platform.home}[/]")
        platform.load_demo(
            on_loaded=lambda r: out.print(
                f"  loaded [bold]{r.dataset_id:<{DEMO_ID_WIDTH}}[/] version {r.version}: {r.row_count:>6,} rows"
                f"  ({r.details.get('dialect', r.details.get('format'))})"
            )
        )
        computed_notes = {  # what load_demo computes from the datasets above, and where it is explained
            "indicatoren": f"values  ({len(platform.indicators.definitions())} indicators; docs/indicators.md)",
            "wmo_prognose": "rows  (the Wmo forecast per wijk, 5 years; docs/wmo-forecast.md)",
            "verkeer_hotspots": "locations  (accident hotspots per gemeente; docs/traffic-risk.md)",
        }
        for dataset_id, note in computed_notes.items():
            if platform.metastore.has_dataset(dataset_id):
                computed = platform.catalog.versions(dataset_id)[-1]
                out.print(
                    f"  computed [bold]{dataset_id:<{DEMO_ID_WIDTH - 2}}[/] version {computed.number}: "
                    f"{computed.row_count:>6,} {note}"
                )
        organisations = platform.algorithms.search(limit=0).facets.get("organization", [])
        den_haag = dict(organisations).get("Gemeente Den Haag", 0)
        total = platform.algorithms.count()
        out.print(
            f"  algorithm register: [bold]{total}[/] entries ({den_haag} of Gemeente Den Haag, "
            f"{total - den_haag} of {len(organisations) - (1 if den_haag else 0)} other organisations)"
        )
        out.print(f"Sources and licences: {demo_data.DATA / 'SOURCES.md'}")
        if platform.opgaven.list():
            out.print(
                "Demo users (demo only; password [bold]"
                + DEMO_PASSWORD
                + "[/]): "
                + ", ".join(f"{name} ({roles[0][0].value})" for name, _, _, roles in DEMO_USERS)
            )
        out.print("Next:")
        out.print(f"  stadsdata --home {platform.home} catalog list")
        out.print(f"  stadsdata --home {platform.home} catalog show cbs_kwb_2019_den_haag")
        out.print(f'  stadsdata --home {platform.home} sql "select count(*) from cbs_kwb_2019_den_haag"')
        out.print(f'  stadsdata --home {platform.home} register list --organization "Gemeente Den Haag"')
        out.print(f"  stadsdata --home {platform.home} indicators show wmo_clienten_per_1000 --region WK051802")
        out.print(f"  stadsdata --home {platform.home} models wmo evaluate   # how good the Wmo forecast is")
        out.print(
            f"  stadsdata --home {platform.home} models verkeer hotspots --gemeente GM0344   # Utrecht's hotspots"
        )
        out.print(
            "  in the portal: /datasets, /indicatoren, /indicatoren/wmo-prognose, /verkeer, /meldingen, /algoritmes"
        )
    if not no_serve:
        _serve(host, port)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")] = None,
) -> None:
    """Start the portal, the open-data API (/api/v1) and the DCAT catalogue (/catalog.ttl)."""
    _serve(host, port)


def _serve(host: str | None, port: int | None) -> None:
    import uvicorn

    from stadsdata.web import create_app

    config = settings()
    host = host or config.host
    port = port or config.port
    with open_platform() as platform:
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        out.print(f"Portal: [bold]http://{shown}:{port}/[/]   API: http://{shown}:{port}/api/v1/docs   (Ctrl+C stops)")
        uvicorn.run(create_app(platform), host=host, port=port, log_level="warning")


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit."""
    try:
        code = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as its return value
    except StadsdataError as exc:
        err.print(f"[red]error:[/] {exc}", soft_wrap=True, markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
