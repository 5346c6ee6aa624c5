"""Keyset cursors of the rows API: opaque to clients, signed, and bound to one query.

A cursor is ``<payload>.<signature>`` in URL-safe base64. The payload holds the version, a
fingerprint of the filters and sort order it belongs to, and the sort values of the last row
already returned. The signature is an HMAC-SHA256 under a key kept in the platform home, so a
cursor that was edited, truncated or made up is refused (400) before anything reaches the engine.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from stadsdata.core.contract import ColumnType
from stadsdata.errors import StadsdataError

SIGNATURE_BYTES = 16
MAX_CURSOR_CHARS = 4096


class CursorError(StadsdataError):
    """A cursor that was not made by this server for this query."""

    http_status = 400


def load_key(path: Path) -> bytes:
    """The signing key: made once (random, 32 bytes, mode 0600) and shared by every worker."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker was first
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def encode(self, version: int, fingerprint: str, values: tuple[Any, ...]) -> str:
        payload = json.dumps(
            {"v": version, "q": fingerprint, "k": [_plain(v) for v in values]}, separators=(",", ":")
        ).encode("utf-8")
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(
        self, cursor: str, *, version: int, fingerprint: str, types: list[tuple[str, ColumnType]]
    ) -> tuple[Any, ...]:
        """The sort values in ``cursor``, typed per ``types`` (the sort columns and their types)."""
        if len(cursor) > MAX_CURSOR_CHARS:
            raise CursorError(f"cursor is {len(cursor)} characters long; expected a cursor from a 'next' link")
        head, sep, tail = cursor.partition(".")
        try:
            payload, signature = _unb64(head), _unb64(tail)
        except (binascii.Error, ValueError):
            payload, signature = b"", b""
        if not sep or not payload or not hmac.compare_digest(signature, self._sign(payload)):
            raise CursorError("cursor is not valid (altered or not made by this server); use the 'next' link as given")
        try:
            data = json.loads(payload)
            number, query, values = data["v"], data["q"], data["k"]
        except (ValueError, KeyError, TypeError):
            raise CursorError("cursor is not valid (unreadable); use the 'next' link as given") from None
        if number != version:
            raise CursorError(
                f"cursor belongs to version {number}, not version {version}; add version={number} or start again"
            )
        if query != fingerprint or not isinstance(values, list) or len(values) != len(types):
            raise CursorError("cursor belongs to other filters or another sort order; start again without cursor")
        return tuple(_typed(v, name, kind) for v, (name, kind) in zip(values, types, strict=True))


def _typed(value: Any, name: str, kind: ColumnType) -> Any:
    if value is None:
        return None
    try:
        if kind == ColumnType.string and isinstance(value, str):
            return value
        if kind == ColumnType.integer and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == ColumnType.number and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if kind == ColumnType.boolean and isinstance(value, bool):
            return value
        if kind == ColumnType.date and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if kind == ColumnType.datetime and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    raise CursorError(f"cursor is not valid (bad value for {name!r}); use the 'next' link as given")
