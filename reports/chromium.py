"""Debian's Chromium: where it is and how PMF starts it (charts, tests, screenshots, benchmarks).

Nothing here downloads a browser: the machine's own package is used, and its background
network traffic is switched off because the council's servers may have no internet access.
"""

from __future__ import annotations

import os

BROWSER_ENV = "PMF_CHROMIUM"
DEFAULT_BROWSER = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """The Chromium executable: `$PMF_CHROMIUM`, or Debian's /usr/bin/chromium."""
    return os.environ.get(BROWSER_ENV, DEFAULT_BROWSER)
