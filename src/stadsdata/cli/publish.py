"""``stadsdata publish aggregate``: counts of a dataset as open data, through disclosure control.

Acts as the settings' ``user`` (see ``cli.governance``); the policy allows only the source's data
owner or steward (``publish_aggregate``). What is published and how: docs/privacy.md.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stadsdata.cli.governance import governance
from stadsdata.cli.output import out
from stadsdata.opendata.aggregates import AggregateSpec

publish_app = typer.Typer(help="Publish safe aggregates of non-public data as open data.", no_args_is_help=True)


@publish_app.command("aggregate")
def publish_aggregate(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The dataset to count.")],
    by: Annotated[list[str], typer.Option("--by", help="A column to count by (once or twice).")],
    dataset_id: Annotated[str, typer.Option("--as", help="The id of the open dataset to publish.")],
    title: Annotated[str, typer.Option("--title", help="Its Dutch title.")],
    title_en: Annotated[str | None, typer.Option("--title-en", help="Its English title.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="Its Dutch description.")] = None,
    description_en: Annotated[str | None, typer.Option("--description-en", help="Its English description.")] = None,
) -> None:
    """Count SOURCE by one or two columns, with totals, check the table (threshold, secondary
    suppression) and publish what passes as a new version of an openbaar dataset."""
    spec = AggregateSpec(
        id=dataset_id,
        source=source,
        dimensions=list(by),
        title_nl=title,
        title_en=title_en,
        description_nl=description,
        description_en=description_en,
    )
    with governance(ctx) as g:
        published = g.platform.aggregates.publish(g.actor, spec)
    out.print(
        f"{dataset_id}: version {published.result.version} published (openbaar): {published.cells} cells, "
        f"{published.suppressed} suppressed (threshold {published.threshold})"
    )
