"""A cap on request bodies: uploads are parsed (and spooled to disk) before any resolver could
check their size, so an endless upload is refused here, at the door, with 413."""
from typing import Any

from starlette.responses import JSONResponse

# Six photos of 8 MB each (domain.returns) and room for the rest of the multipart request.
MAX_BODY_BYTES = 6 * 8 * 1024 * 1024 + 1024 * 1024


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        response = JSONResponse({"errors": [{"message": f"The request is larger than {self.max_bytes} bytes",
                                             "extensions": {"code": "BAD_USER_INPUT"}}]}, status_code=413)
        await response(scope, receive, send)
