"""Recognise uploaded files by their first bytes (the client's content type and name are not
trusted), and make a display name from the client's name that cannot name a path."""
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


JPEG = FileKind("image/jpeg", "jpg")
PNG = FileKind("image/png", "png")
GIF = FileKind("image/gif", "gif")
WEBP = FileKind("image/webp", "webp")
PDF = FileKind("application/pdf", "pdf")
ZIP = FileKind("application/zip", "zip")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
TEXT = FileKind("text/plain", "txt")

IMAGES = frozenset({JPEG, PNG, GIF, WEBP})
# What a business document may be: images, PDF, Office files and plain text (CSV included).
DOCUMENTS = IMAGES | {PDF, DOCX, XLSX, TEXT}


def sniff_image(data: bytes) -> FileKind | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def sniff(data: bytes) -> FileKind | None:
    """The kind of an uploaded file from its content, or None when it is none we know."""
    if image := sniff_image(data):
        return image
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        # Office files are ZIP archives naming their main part early in the central directory.
        if b"word/" in data:
            return DOCX
        if b"xl/" in data:
            return XLSX
        return ZIP
    if _is_text(data):
        return TEXT
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text[:65536])


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def display_name(client_name: str | None, kind: FileKind, *, limit: int = 120) -> str:
    """A file name to show and to send in Content-Disposition: no folders, no control characters,
    the extension of the detected kind. Storage keys are never made from it."""
    name = unicodedata.normalize("NFC", client_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("_", name.rsplit(".", 1)[0] if "." in name else name).strip(" ._") or "file"
    return f"{stem[: limit - len(kind.extension) - 1]}.{kind.extension}"
