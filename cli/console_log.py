"""Pipeline and scheduler logging on the console: one sentence a line, never a traceback."""

from __future__ import annotations

import logging
import sys
from typing import Any


class _SentenceOnly(logging.Formatter):
    """Log lines for the console: the message, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The message alone."""
        return record.getMessage()

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's own name)
        """Nothing: officers get the sentence, the traceback goes to the server log."""
        return ""


def console_logging(level: int = logging.WARNING) -> None:
    """Send the pipelines' and scheduler's log to standard error as plain sentences."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SentenceOnly())
    for name in ("pmf.pipelines", "pmf.scheduler"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
