"""Where a visitor may be sent back to after signing in: only a plain path on this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _plain_path(text: str) -> bool:
    # Printable ASCII only: browsers drop tabs and newlines from a URL (so "/\t/host" becomes
    # "//host") and treat a backslash as a slash, so neither may reach a Location header
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(not 0x20 < ord(char) < 0x7F for char in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    """`target` if it is a plain path on this site, else the home page ("/")."""
    if not target or not _plain_path(target):
        return "/"
    # Judge the decoded forms too, in case a proxy or browser decodes "%2F%2F" or "%09" later
    decoded = target
    for _ in range(3):
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            break
        if not _plain_path(decoded):
            return "/"
    return target
