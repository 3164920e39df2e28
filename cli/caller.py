"""Inside the dashboard's process, a `pmf` command handed over by another process runs as if it
were that process: what it prints goes to the caller, what it reads comes from the caller, and
relative paths are the caller's.

Only the thread running the handed-over command sees the caller; every other thread (pages,
the scheduler, the log) keeps the process's own streams. `install` puts the routing in place
while the channel is open; `acting_for` marks the thread that runs a command.
"""

from __future__ import annotations

import getpass
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TextIO

import click

# A standard stream: the process's own, or one of the caller's
Stream = TextIO | io.TextIOBase
# Environment variables a command reads as its caller has them: the dashboard was started
# elsewhere, perhaps long ago, and its own may differ (or be unset)
CALLER_ENVIRONMENT = ("PMF_SMTP_URL",)


@dataclass(frozen=True)
class Caller:
    """The process a command was handed over by: its folder, its streams, how it asks for a
    password."""

    folder: Path
    stdout: Stream
    stderr: Stream
    stdin: Stream
    ask_hidden: Callable[[str], str]
    environment: Mapping[str, str] = field(default_factory=dict)  # of CALLER_ENVIRONMENT


_HERE = threading.local()


def current() -> Caller | None:
    """The caller this thread runs a command for, or None in the process's own threads."""
    return getattr(_HERE, "caller", None)


def environment_variable(name: str) -> str | None:
    """One of CALLER_ENVIRONMENT as the process that ran the command has it (the caller's, for a
    command handed to the dashboard); None when unset or empty."""
    caller = current()
    found = caller.environment.get(name) if caller is not None else os.environ.get(name)
    return (found or "").strip() or None


def caller_environment() -> dict[str, str]:
    """This process's values of CALLER_ENVIRONMENT, to hand over with a command."""
    return {name: os.environ[name] for name in CALLER_ENVIRONMENT if name in os.environ}


@contextmanager
def acting_for(caller: Caller) -> Iterator[None]:
    """Run the block in this thread as `caller`'s command."""
    _HERE.caller = caller
    try:
        yield
    finally:
        _HERE.caller = None


class Routed(io.TextIOBase):
    """A standard stream that is the caller's in a thread acting for one, else the process's."""

    def __init__(self, own: Stream, pick: Callable[[Caller], Stream]) -> None:
        super().__init__()
        self.own = own
        self._pick = pick

    def _stream(self) -> Stream:
        caller = current()
        return self.own if caller is None else self._pick(caller)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The stream's encoding (click checks it before writing)."""
        return getattr(self._stream(), "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        """The stream's error handling."""
        return getattr(self._stream(), "errors", None) or "strict"

    def write(self, text: str) -> int:
        """Write to this thread's stream."""
        return self._stream().write(text)

    def flush(self) -> None:
        """Flush this thread's stream."""
        self._stream().flush()

    def isatty(self) -> bool:
        """Whether this thread's stream is a terminal."""
        return self._stream().isatty()

    def fileno(self) -> int:
        """The descriptor of this thread's stream (a caller's stream has none)."""
        return self._stream().fileno()

    def readable(self) -> bool:
        """Whether this thread's stream can be read."""
        return self._stream().readable()

    def writable(self) -> bool:
        """Whether this thread's stream can be written."""
        return self._stream().writable()

    def read(self, size: int | None = -1) -> str:
        """Read from this thread's stream."""
        return self._stream().read(-1 if size is None else size)

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        """Read a line from this thread's stream."""
        return self._stream().readline(-1 if size is None else size)


class FromCallerFolder(click.ParamType):
    """A `click.Path` whose relative value is taken from the caller's folder, not this one's."""

    envvar_list_splitter: ClassVar[str] = os.path.pathsep  # as click.Path's

    def __init__(self, inner: click.ParamType) -> None:
        self.inner = inner
        self.name = inner.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Join a relative path to the caller's folder, then check it as the Path would."""
        caller = current()
        if caller is not None and isinstance(value, str | os.PathLike) and str(value) != "-":
            value = os.path.join(caller.folder, value)  # an absolute value is kept as it is
        return self.inner.convert(value, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        """The inner type's metavar, so usage lines read the same."""
        return self.inner.get_metavar(param, ctx)


def take_paths_from_caller(command: click.Command) -> None:
    """Make every `click.Path` parameter of `command` and its subcommands read relative paths
    from the caller's folder (a process's own commands are not affected)."""
    for param in command.params:
        if isinstance(param.type, click.Path):
            param.type = FromCallerFolder(param.type)
    if isinstance(command, click.Group):
        # Asked through the group, so commands imported only when run are included
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                take_paths_from_caller(sub)


def _hidden_prompt(original: Callable[..., str]) -> Callable[..., str]:
    def ask(prompt: str = "Password: ", stream: TextIO | None = None) -> str:
        caller = current()
        if caller is None:
            return original(prompt, stream)
        return caller.ask_hidden(prompt)

    return ask


@contextmanager
def installed() -> Iterator[None]:
    """Route the standard streams and password prompts by thread while the block runs."""
    saved = (sys.stdout, sys.stderr, sys.stdin, getpass.getpass)
    # A service may run without standard streams; its own threads then write nowhere
    nowhere = open(os.devnull, "r+", encoding="utf-8")
    sys.stdout = Routed(sys.stdout or nowhere, lambda caller: caller.stdout)
    sys.stderr = Routed(sys.stderr or nowhere, lambda caller: caller.stderr)
    sys.stdin = Routed(sys.stdin or nowhere, lambda caller: caller.stdin)
    getpass.getpass = _hidden_prompt(getpass.getpass)
    try:
        yield
    finally:
        sys.stdout, sys.stderr, sys.stdin, getpass.getpass = saved
        nowhere.close()
