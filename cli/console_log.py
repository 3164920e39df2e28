"""Pipeline and scheduler logging on the console: one sentence a line, never a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The loggers a command puts on the console
CONSOLE_LOGGERS = ("pmf.pipelines", "pmf.scheduler")


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
    for name in CONSOLE_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


@contextmanager
def kept_logging() -> Iterator[None]:
    """Put the console loggers back as they were when the block ends: a command handed to the
    dashboard (cli/channel.py) sends its log to its caller only while it runs."""
    loggers = [logging.getLogger(name) for name in CONSOLE_LOGGERS]
    saved = [(list(log.handlers), log.level, log.propagate) for log in loggers]
    try:
        yield
    finally:
        for log, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            log.handlers = handlers
            log.setLevel(level)
            log.propagate = propagate
