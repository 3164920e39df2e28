"""How `pmf` and a running dashboard talk: a Unix socket beside the DuckDB file, only between
processes of the same operating-system account, one JSON message a line.

The socket (`pmf.duckdb.sock` for `pmf.duckdb`) is made with mode 0600, so only its owner can
connect; each end also asks the kernel who is at the other end (SO_PEERCRED) and talks only to
its own account. A socket file owned by another account, or not a socket at all, is ignored.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

VERSION = 1
MAX_LINE = 64 * 1024 * 1024  # a message, e.g. standard input read whole
# sun_path holds 108 bytes; longer paths are reached through the folder's descriptor
_MAX_ADDRESS = 100


class WireError(Exception):
    """A message that is not one: too long, not JSON, or not an object."""


def socket_path(database: Path) -> Path:
    """Where the dashboard serving `database` listens: beside it, `<file>.sock`."""
    return database.with_name(database.name + ".sock")


def supported() -> bool:
    """Whether this system can tell who is at the other end of a Unix socket (Linux can)."""
    return hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED")


def peer(sock: socket.socket) -> tuple[int, int]:
    """The process id and operating-system account at the other end, as the kernel says."""
    packed = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", packed)
    return int(pid), int(uid)


def ours(path: Path) -> bool:
    """Whether `path` is a socket owned by this account, so it may be connected to."""
    try:
        found = path.lstat()
    except OSError:
        return False
    return stat.S_ISSOCK(found.st_mode) and found.st_uid == os.getuid()


@contextmanager
def address(path: Path) -> Iterator[str]:
    """The address to bind or connect to for `path`, however long its folder's name."""
    text = os.fspath(path)
    if len(text.encode()) <= _MAX_ADDRESS:
        yield text
        return
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{folder}/{path.name}"
    finally:
        os.close(folder)


def connect(path: Path, timeout: float) -> socket.socket:
    """A connection to the socket at `path`; raises OSError if nothing listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        with address(path) as where:
            sock.connect(where)
    except OSError:
        sock.close()
        raise
    return sock


class Wire:
    """Messages over a connected socket: dictionaries, one JSON line each."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._reader = sock.makefile("rb")
        self._sending = threading.Lock()

    def send(self, **message: Any) -> None:
        """Send one message; raises OSError if the other end has gone."""
        data = (json.dumps(message) + "\n").encode("utf-8")
        with self._sending:
            self.sock.sendall(data)

    def receive(self) -> dict[str, Any] | None:
        """The next message, or None when the other end has closed the connection."""
        line = self._reader.readline(MAX_LINE + 1)
        if not line:
            return None
        if not line.endswith(b"\n"):
            raise WireError("message too long or cut off")
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise WireError("not JSON") from exc
        if not isinstance(message, dict):
            raise WireError("not an object")
        return message

    def close(self) -> None:
        """Close the connection."""
        self._reader.close()
        self.sock.close()
