"""Handing a `pmf` command to the dashboard that holds the DuckDB file, so it works while the
dashboard runs (cli/channel.py is the other end; docs/operations.md, "Beside the dashboard").

The command runs in the dashboard's process and this one relays it: what it prints appears
here as it is printed, what it asks is answered from here, and its exit code is this process's.
When no dashboard answers (none runs, or one from before the channel), the command runs here
as usual, and a held warehouse ends in the one-line message of cli/errors.py.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

import click

from cli.caller import caller_environment, current
from cli.wire import VERSION, Wire, WireError, connect, ours, peer, socket_path, supported
from warehouse.engine import database_path

# Commands that run here: the server and the scheduler themselves, a restore (never beside a
# running dashboard), and those that read only the config folder
LOCAL = frozenset({"serve", "scheduler", "restore", "validate", "schema", "metrics"})
CONNECT_SECONDS = 2.0
ANSWER_SECONDS = 10.0


def hand_over(ctx: click.Context, args: list[str]) -> int | None:
    """Run `pmf ARGS` in the dashboard serving this warehouse, if one answers on its channel.

    `ctx` is the `pmf` group's context, its settings made. Returns the command's exit code, or
    None to run the command here.
    """
    if not args or args[0] in LOCAL or "--help" in args or not supported():
        return None
    if current() is not None:
        return None  # already running inside the dashboard for a caller
    settings = ctx.obj
    found = database_path(str(settings.database_url))
    if found is None:
        return None
    database = Path(os.path.abspath(found))
    wire = _greeted(
        socket_path(database),
        channel=VERSION,
        args=args,
        prog=ctx.info_name or "pmf",
        folder=os.getcwd(),
        config_dir=os.path.abspath(settings.config_dir),
        database=str(database),
        tty={"in": _tty(sys.stdin), "out": _tty(sys.stdout), "err": _tty(sys.stderr)},
        environment=caller_environment(),
    )
    if wire is None:
        return None
    try:
        return _relay(wire)
    finally:
        wire.close()


def _greeted(path: Path, **request: Any) -> Wire | None:
    """A connection whose dashboard has accepted the request, or None (then nothing ran)."""
    if not ours(path):
        return None
    try:
        sock = connect(path, CONNECT_SECONDS)
    except OSError:
        return None  # nothing listens: a socket left by a dashboard that was killed
    wire = Wire(sock)
    try:
        if peer(sock)[1] != os.getuid():
            raise WireError("another account listens there")
        sock.settimeout(ANSWER_SECONDS)
        wire.send(**request)
        answer = wire.receive()
        if answer is None or "accepted" not in answer:
            raise WireError("refused")
        wire.send(go=True)
        sock.settimeout(None)
    except (OSError, WireError):
        wire.close()
        return None
    return wire


def _relay(wire: Wire) -> int:
    """Show what the command prints, answer what it asks; its exit code."""
    while True:
        try:
            message = wire.receive()
        except (OSError, WireError):
            message = None
        if message is None:
            click.echo(
                "The dashboard stopped before the command finished, so whether it did its work "
                "is not known: check (for a pipeline, 'pmf pipelines history') before running "
                "it again.",
                err=True,
            )
            return 1
        if "out" in message:
            _write(sys.stdout, message["out"])
        elif "err" in message:
            _write(sys.stderr, message["err"])
        elif "ask" in message:
            wire.send(line=_answer(str(message["ask"]), str(message.get("prompt", ""))))
        elif "exit" in message:
            return int(message["exit"])


def _answer(kind: str, prompt: str) -> str | None:
    """Read what the command asked for from this process's input (None at its end)."""
    if kind == "hidden":
        try:
            return getpass.getpass(prompt)
        except EOFError:
            return None
    if sys.stdin is None:
        return None
    return sys.stdin.read() if kind == "all" else sys.stdin.readline()


def _write(stream: Any, text: object) -> None:
    if stream is not None:
        stream.write(str(text))
        stream.flush()


def _tty(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (OSError, ValueError):
        return False
