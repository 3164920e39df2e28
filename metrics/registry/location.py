"""Where the configuration folder is, without loading anything from it."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG_DIR = Path("config")


def config_dir_from_env() -> Path:
    """The config folder: `PMF_CONFIG` if set, else `./config`."""
    return Path(os.environ.get("PMF_CONFIG", str(DEFAULT_CONFIG_DIR)))
