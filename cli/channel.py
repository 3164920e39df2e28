"""The dashboard's command channel: `pmf` commands run beside `pmf serve` are handed to it and
run in its process, which holds the DuckDB file (docs/operations.md, "Beside the dashboard").

`pmf serve` opens the channel once the dashboard holds the warehouse and closes it when it
stops. Each command runs in a thread of its own, one command at a time, acting for the process
that handed it over (cli/caller.py): the caller sees what it prints, answers what it asks, and
gets its exit code. cli/forward.py is the other end.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import stat
import threading
import traceback
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from cli.caller import (
    CALLER_ENVIRONMENT,
    Caller,
    acting_for,
    installed,
    take_paths_from_caller,
)
from cli.console_log import kept_logging
from cli.wire import VERSION, Wire, WireError, address, peer, socket_path, supported
from warehouse.engine import database_path

LOG = logging.getLogger("pmf.channel")
REQUEST_SECONDS = 10.0


class ToCaller(io.TextIOBase):
    """The caller's standard output or error: each write is sent as it is made."""

    def __init__(self, wire: Wire, key: str, tty: bool) -> None:
        super().__init__()
        self._wire = wire
        self._key = key
        self._tty = tty
        self.gone = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """Text goes over the wire as UTF-8."""
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        """Characters that cannot be encoded are an error, as on a UTF-8 terminal."""
        return "strict"

    def writable(self) -> bool:
        """Always."""
        return True

    def isatty(self) -> bool:
        """Whether the caller's stream is a terminal."""
        return self._tty

    def write(self, text: str) -> int:
        """Send the text; once the caller has gone, the command finishes without an audience."""
        if not isinstance(text, str):
            # As a text file does: click probes with bytes to tell text streams from binary
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text and not self.gone:
            try:
                self._wire.send(**{self._key: text})
            except OSError:
                self.gone = True
        return len(text)


class FromCaller(io.TextIOBase):
    """The caller's standard input, read a line (or all of it) when the command asks."""

    def __init__(self, wire: Wire, tty: bool) -> None:
        super().__init__()
        self._wire = wire
        self._tty = tty

    def readable(self) -> bool:
        """Always."""
        return True

    def isatty(self) -> bool:
        """Whether the caller's standard input is a terminal."""
        return self._tty

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        """The caller's next line ('' at the end of its input)."""
        return ask(self._wire, "line") or ""

    def read(self, size: int | None = -1) -> str:
        """The rest of the caller's input."""
        return ask(self._wire, "all") or ""


def ask(wire: Wire, kind: str, prompt: str = "") -> str | None:
    """Ask the caller for a line ('line'), all its input ('all') or a password ('hidden');
    None at the end of its input, or if it has gone."""
    try:
        wire.send(ask=kind, prompt=prompt)
        answer = wire.receive()
    except (OSError, WireError):
        return None
    line = None if answer is None else answer.get("line")
    return line if isinstance(line, str) else None


def _ask_hidden(wire: Wire) -> Any:
    def hidden(prompt: str) -> str:
        line = ask(wire, "hidden", prompt)
        if line is None:
            raise EOFError
        return line

    return hidden


class Channel:
    """Hands commands from other `pmf` processes to `command` (the `pmf` group), run here."""

    def __init__(self, command: click.Command, database_url: str) -> None:
        self.command = command
        self.database_url = database_url
        found = database_path(database_url)
        self.database = Path(os.path.abspath(found)) if found is not None else None
        self.path = socket_path(self.database) if self.database is not None else None
        self._listener: socket.socket | None = None
        self._inode: int | None = None
        self._stopping = threading.Event()
        self._one_at_a_time = threading.Lock()
        self._routing = ExitStack()

    def start(self) -> None:
        """Listen for commands, once this process holds the DuckDB file (a server database
        needs no channel: other processes can use it themselves)."""
        if self.path is None or not supported():
            return
        try:
            self._listener = self._listen(self.path)
        except OSError as exc:
            LOG.warning(
                "Commands run beside the dashboard cannot be handed to it: %s (%s). They will "
                "say the warehouse is in use.",
                exc.strerror or exc,
                self.path,
            )
            return
        self._routing.enter_context(installed())
        take_paths_from_caller(self.command)
        threading.Thread(target=self._accept, name="pmf-channel", daemon=True).start()
        LOG.info("pmf commands run beside the dashboard are handed to it through %s", self.path)

    def stop(self) -> None:
        """Stop listening and remove the socket (if it is still this channel's)."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self.path is not None and self._inode is not None:
            try:
                if self.path.lstat().st_ino == self._inode:
                    self.path.unlink()
            except FileNotFoundError:
                pass
            self._inode = None
        self._routing.close()

    def _listen(self, path: Path) -> socket.socket:
        """Bind the socket under a private name, make it 0600, then put it in place.

        A socket already there was left by a server that was killed: this process holds the
        warehouse now, so nothing else can be serving it. It is replaced, never trusted.
        """
        if path.is_symlink() or (path.exists() and not stat.S_ISSOCK(path.lstat().st_mode)):
            raise OSError(f"{path} exists and is not a socket")
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with address(partial) as where:
                listener.bind(where)
            os.chmod(partial, 0o600)
            listener.listen(8)
            os.replace(partial, path)
        except OSError:
            listener.close()
            partial.unlink(missing_ok=True)
            raise
        listener.settimeout(1.0)
        self._inode = path.lstat().st_ino
        return listener

    def _accept(self) -> None:
        listener = self._listener
        while listener is not None and not self._stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(REQUEST_SECONDS)
            threading.Thread(
                target=self._serve, args=(sock,), name="pmf-channel-command", daemon=True
            ).start()

    def _serve(self, sock: socket.socket) -> None:
        """One connection: check who it is and what it asks, then run the command."""
        wire = Wire(sock)
        try:
            # Read first, so the refusal is read rather than lost to a reset connection
            request = wire.receive()
            pid, uid = peer(sock)
            if uid != os.getuid():
                LOG.warning(
                    "Refused a command from process %d of another account (uid %d)", pid, uid
                )
                wire.send(refused="this dashboard takes commands from its own account only")
                return
            problem = self._problem(request)
            if request is None or problem is not None:
                wire.send(refused=problem or "no request")
                return
            wire.send(accepted=os.getpid())
            if (wire.receive() or {}).get("go") is not True:
                return
            sock.settimeout(None)
            with self._one_at_a_time:
                if not _still_there(sock):
                    LOG.info("Process %d stopped waiting; its command was not run", pid)
                    return
                code = self._run(request, wire, pid)
            wire.send(exit=code)
        except (OSError, WireError) as exc:
            LOG.info("A command's caller went away: %s", exc)
        finally:
            wire.close()

    def _problem(self, request: dict[str, Any] | None) -> str | None:
        """Why a request cannot be run here, or None."""
        if request is None or request.get("channel") != VERSION:
            return f"this dashboard speaks channel version {VERSION}"
        args, tty = request.get("args"), request.get("tty")
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            return "no command"
        if not isinstance(tty, dict):
            return "no streams"
        for key in ("folder", "config_dir", "database", "prog"):
            if not isinstance(request.get(key), str):
                return f"no {key}"
        for key in ("folder", "config_dir", "database"):
            if not os.path.isabs(request[key]):
                return f"{key} is not an absolute path"
        try:
            same = self.database is not None and os.path.samefile(
                request["database"], self.database
            )
        except OSError:
            same = False
        return None if same else "this dashboard serves another warehouse"

    def _run(self, request: dict[str, Any], wire: Wire, pid: int) -> int:
        """Run the command as the caller's; its exit code."""
        tty = request["tty"]
        caller = Caller(
            folder=Path(request["folder"]),
            stdout=ToCaller(wire, "out", bool(tty.get("out"))),
            stderr=ToCaller(wire, "err", bool(tty.get("err"))),
            stdin=FromCaller(wire, bool(tty.get("in"))),
            ask_hidden=_ask_hidden(wire),
            environment=_environment(request.get("environment")),
        )
        args = request["args"]
        argv = ["--config", request["config_dir"], "--database-url", self.database_url, *args]
        words = " ".join(args)
        LOG.info("Running 'pmf %s' for process %d", words, pid)
        with acting_for(caller), kept_logging():
            code = _exit_code(self.command, argv, request["prog"], caller)
        LOG.info("'pmf %s' for process %d ended with exit code %d", words, pid, code)
        return code


def _environment(given: object) -> dict[str, str]:
    """The caller's values of the variables a command may read from it; nothing else."""
    if not isinstance(given, dict):
        return {}
    return {
        name: value
        for name, value in given.items()
        if name in CALLER_ENVIRONMENT and isinstance(value, str)
    }


def _still_there(sock: socket.socket) -> bool:
    """Whether the caller is still connected (it sends nothing while its command waits)."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def _exit_code(command: click.Command, argv: list[str], prog: str, caller: Caller) -> int:
    """Run the command as `pmf` would (click's standalone mode); its exit code."""
    try:
        command.main(args=argv, prog_name=prog, standalone_mode=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return int(exc.code or 0)
        caller.stderr.write(f"{exc.code}\n")
        return 1
    except Exception:
        # What the command would have printed on its own; the dashboard's log keeps it too
        LOG.exception("A command handed to the dashboard failed")
        caller.stderr.write(traceback.format_exc())
        return 1
    return 0
