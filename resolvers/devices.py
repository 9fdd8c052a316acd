"""What the security pages show: a readable device name from a User-Agent header ('Firefox on
Windows') for the sessions list, and the QR code of a two-factor enrolment."""
import segno

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("curl/", "curl"), ("python-httpx", "Python (httpx)"),
             ("python-requests", "Python (requests)"), ("PostmanRuntime", "Postman"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_of(user_agent: str | None) -> str:
    if not user_agent:
        return "Unknown device"
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:40]


def qr_svg_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data: URI, for an <img src> (segno: pure Python, no Pillow)."""
    return segno.make(text, error="m").svg_data_uri(scale=5)
