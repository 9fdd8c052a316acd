import io
import zipfile

import pytest

from domain.file_types import DOCX, JPEG, PDF, TEXT, XLSX, ZIP, display_name, sniff


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(name, "<x/>")
    return buf.getvalue()


def test_kinds_come_from_content_not_name() -> None:
    assert sniff(b"%PDF-1.7\n...") is PDF
    assert sniff(b"\xff\xd8\xff\xe0rest") is JPEG
    assert sniff(_zip("word/document.xml")) is DOCX
    assert sniff(_zip("xl/workbook.xml")) is XLSX
    assert sniff(_zip("other.txt")) is ZIP
    assert sniff("sku,qty\nA-1,3\nÄ-2,1\n".encode()) is TEXT
    assert sniff(b"MZ\x90\x00\x03\x00") is None          # a Windows executable
    assert sniff(b"\xfe\xed\xfa\xce binary") is None     # not UTF-8
    assert sniff(b"text with \x1b escape") is None


@pytest.mark.parametrize(("given", "expected"), [
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\me\\contract v2.PDF", "contract v2.pdf"),
    ("invoice.exe", "invoice.pdf"),
    ("", "file.pdf"),
    ("..", "file.pdf"),
    ("a\x00b\nc.pdf", "a_b_c.pdf"),
])
def test_display_names_cannot_name_a_path(given: str, expected: str) -> None:
    assert display_name(given, PDF) == expected


def test_display_names_are_bounded() -> None:
    assert len(display_name("x" * 500 + ".pdf", PDF)) == 120
