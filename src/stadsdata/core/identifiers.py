"""Identifiers: dataset ids double as SQL table names and folder names, so they are strict."""

from __future__ import annotations

import re

from stadsdata.errors import IdentifierError

DATASET_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
VERSIONED_NAME = re.compile(r"^(?P<id>[a-z][a-z0-9_]{1,62})@(?P<version>[1-9][0-9]*)$")


def validate_dataset_id(value: str, *, where: str = "dataset id") -> str:
    """Return ``value`` when it is a valid dataset id, else raise IdentifierError.

    A dataset id is lower-case ASCII letters, digits and underscores, starts with a letter
    and is 2 to 63 characters long, so it works unquoted as a SQL name and as a folder name
    (no ``/``, ``..``, spaces or other path characters).
    """
    if not isinstance(value, str) or not DATASET_ID_PATTERN.fullmatch(value):
        raise IdentifierError(
            f"{where} {value!r} is not valid: expected 2-63 characters of lower-case a-z, 0-9 and _, "
            "starting with a letter (no path characters such as '/', '..' or spaces)"
        )
    return value


def dataset_id_value(value: str) -> str:
    """``validate_dataset_id`` for a pydantic validator: the error as a ValueError, which pydantic
    reports with the field's location."""
    try:
        return validate_dataset_id(value)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from None


def parse_versioned_name(name: str) -> tuple[str, int | None]:
    """Split ``"id@3"`` into ``("id", 3)``; a plain id gives ``(id, None)``."""
    match = VERSIONED_NAME.fullmatch(name)
    if match:
        return match.group("id"), int(match.group("version"))
    return name, None
