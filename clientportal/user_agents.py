"""A short, human description of a browser from its User-Agent header."""

import re

# Order matters: Edge and Opera also claim Chrome, Chrome also claims Safari.
BROWSERS = [
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"OPR/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|Chromium|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+).*Safari/")),
]
SYSTEMS = [
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
]


def describe_browser(user_agent: str) -> str:
    """Return a description such as "Firefox 128 on Windows", or "Unknown browser"."""
    browser = next(
        (
            f"{name} {match.group(1)}"
            for name, pattern in BROWSERS
            if (match := pattern.search(user_agent))
        ),
        None,
    )
    system = next(
        (name for name, pattern in SYSTEMS if pattern.search(user_agent)), None
    )
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
