"""A benchmark's configuration folder, started from the shipped one."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shipped_config_without_measures(folder: Path) -> None:
    """`folder` made afresh: the shipped plan, settings and comparator groups, with empty
    `metrics/` and `pipelines/` for the benchmark's synthetic ones. The savings plan and the
    risk register name the shipped measures, so they are left out too."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(
        ROOT / "config",
        folder,
        ignore=shutil.ignore_patterns("metrics", "pipelines", "savings", "risks.yaml", "mtfs.yaml"),
    )
    (folder / "metrics").mkdir()
    (folder / "pipelines").mkdir()
