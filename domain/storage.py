"""Where uploaded files live. Domain code sees this interface; integrations/ has the adapters."""
from typing import Protocol


class FileStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (a name we made, never the client's)."""

    async def get(self, key: str) -> bytes | None:
        """The stored bytes, or None when there is no such file."""

    async def delete(self, key: str) -> None:
        """Remove the file if it exists."""
