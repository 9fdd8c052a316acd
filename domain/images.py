"""Recognise image uploads by their first bytes: the client's content type and name are not trusted."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageKind:
    content_type: str
    extension: str


JPEG = ImageKind("image/jpeg", "jpg")
PNG = ImageKind("image/png", "png")
GIF = ImageKind("image/gif", "gif")
WEBP = ImageKind("image/webp", "webp")


def sniff_image(data: bytes) -> ImageKind | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


CONTENT_TYPES = {k.content_type for k in (JPEG, PNG, GIF, WEBP)}
