"""Reading a PDF back in tests: its text, and the fonts it uses without embedding them."""
import io
import re

import pypdf


def text_of(data: bytes) -> str:
    """The PDF's text with every kind of space as one plain space (Babel writes no-break spaces)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"[\s\u00a0\u202f]+", " ", " ".join(page.extract_text() for page in reader.pages))


def unembedded_fonts(data: bytes) -> list[str]:
    """Names of the fonts the PDF uses without carrying their glyphs."""
    out = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = f.get("/FontDescriptor")
                if font.get("/Subtype") == "/Type0" and f is font:
                    continue  # a composite font: its descendant carries the glyphs
                if descriptor is None or not any(k in descriptor.get_object()
                                                 for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    out.append(str(f.get("/BaseFont")))
    return out
