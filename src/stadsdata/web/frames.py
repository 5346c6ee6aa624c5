"""Who may show our pages in a frame: ``/embed/...`` anyone (that is what it is for), everything
else nobody (clickjacking). A small ASGI middleware that sets the headers on every response:

- ``/embed/...``: ``Content-Security-Policy: frame-ancestors *``;
- any other path: ``Content-Security-Policy: frame-ancestors 'none'`` and ``X-Frame-Options: DENY``
  (for browsers that do not read CSP), unless the response set its own.
"""

from __future__ import annotations

from typing import Any

EMBED_PREFIX = "/embed/"
ANYONE = b"frame-ancestors *"
NOBODY = b"frame-ancestors 'none'"


class FramePolicy:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embeddable = str(scope.get("path", "")).startswith(EMBED_PREFIX)

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", ANYONE if embeddable else NOBODY))
                if not embeddable and b"x-frame-options" not in names:
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
