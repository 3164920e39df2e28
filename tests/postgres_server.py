"""A throwaway PostgreSQL for the tests and the load benchmark.

`PMF_TEST_POSTGRES_URL` (an account that may create databases) is used when it is set.
Otherwise a private cluster is made with Debian's `postgresql` package in a temporary folder,
listening on 127.0.0.1 only, and removed afterwards. `initdb` refuses to run as root, so
when the tests run as root the cluster runs as the `postgres` account (or `nobody`).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ENV = "PMF_TEST_POSTGRES_URL"
DRIVER = "postgresql+psycopg"
# Durability is not what the tests check: these make a test cluster several times faster
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    return versions[-1].parent if versions else None


def _version(path: Path) -> int:
    name = path.parent.parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unprivileged_account() -> str | None:
    """The account to run the cluster as when we are root (None when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, with neither a 'postgres' nor a 'nobody' account")


class ThrowawayPostgres:
    """A PostgreSQL server for tests: `start()`, `database()` as often as needed, `stop()`."""

    def __init__(self) -> None:
        self.admin_url: str | None = os.environ.get(ENV) or None
        self._own = self.admin_url is None
        self._folder: Path | None = None
        self._account: str | None = None
        self._made: list[str] = []

    def start(self) -> str:
        """Start the cluster (unless PMF_TEST_POSTGRES_URL names one); return its admin URL."""
        if self.admin_url:
            return self.admin_url
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError(
                "PostgreSQL is not installed: run 'make system-deps' (Debian package "
                f"postgresql), or set {ENV} to a server the tests may create databases on"
            )
        self._account = _unprivileged_account()
        folder = Path(tempfile.mkdtemp(prefix="pmf-postgres-"))
        self._folder = folder
        # Stopped however the run ends, so no cluster outlives the tests that made it
        atexit.register(self.stop)
        data = folder / "data"
        data.mkdir()
        if self._account:
            entry = pwd.getpwnam(self._account)
            for path in (folder, data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        port = _free_port()
        self._run(
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "pmf",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        options = " ".join(f"-c {setting}" for setting in FAST)
        self._run(
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            f"-p {port} -k {folder} -h 127.0.0.1 {options}",
            "start",
        )
        self.admin_url = f"{DRIVER}://pmf@127.0.0.1:{port}/postgres"
        return self.admin_url

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self._account:
            command = ["runuser", "-u", self._account, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:1])} failed: {done.stderr or done.stdout}")

    def database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of `template`); its URL."""
        assert self.admin_url, "start() first"
        name = f"pmf_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                copy = f" TEMPLATE {template}" if template else ""
                conn.exec_driver_sql(f"CREATE DATABASE {name}{copy}")
        finally:
            admin.dispose()
        self._made.append(name)
        return sa.engine.make_url(self.admin_url).set(database=name).render_as_string(False)

    def drop(self, url: str) -> None:
        """Drop a database made by `database()` (its connections are ended first)."""
        name = sa.engine.make_url(url).database
        admin = sa.create_engine(self.admin_url or "", isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            admin.dispose()
        if name in self._made:
            self._made.remove(name)

    def stop(self) -> None:
        """Drop what was made on a shared server; stop and remove a private cluster."""
        if not self._own:
            for url_name in list(self._made):
                self.drop(
                    sa.engine.make_url(self.admin_url or "")
                    .set(database=url_name)
                    .render_as_string(False)
                )
            return
        if self._folder is None:
            return
        binaries = postgres_bin()
        if binaries is not None and (self._folder / "data" / "postmaster.pid").exists():
            self._run(
                str(binaries / "pg_ctl"),
                "-D",
                str(self._folder / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        for _ in range(20):
            try:
                shutil.rmtree(self._folder)
                break
            except OSError:
                time.sleep(0.1)
        self._folder = None
