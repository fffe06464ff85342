"""A throw-away PostgreSQL for the DuckLake catalog in tests and benchmarks.

Debian's server binaries (``apt-get install postgresql``: /usr/lib/postgresql/<v>/bin), a temporary
data directory, a free port on 127.0.0.1 only, trust authentication (nothing listens beyond loopback).
As root the server runs as the ``postgres`` user through ``runuser``, since PostgreSQL refuses root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL bin directory (or ``METRICS_PG_BIN``), when initdb and pg_ctl are there."""
    configured = os.environ.get("METRICS_PG_BIN")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    return None


def missing_requirements() -> str | None:
    """Why a DuckLake-on-PostgreSQL run cannot happen here, or None when it can."""
    from queries.engine import missing_extensions

    if postgres_bin() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as the postgres user"
    missing = missing_extensions("ducklake")
    if missing:
        return f"DuckLake extension wheels not installed: pip install {' '.join(p + '==1.5.5' for p in missing)}"
    return None


def postgres_available() -> bool:
    return missing_requirements() is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalPostgres:
    """A running server: its data directory, port and binaries."""

    root: Path
    port: int
    bin: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def start(cls) -> LocalPostgres:
        """initdb in a fresh directory of the system temp folder (the postgres user must reach it), then start."""
        root = Path(tempfile.mkdtemp(prefix="metrics-pg-"))
        server = cls(root, free_port(), postgres_bin())
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server.run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        server.launch()
        return server

    def as_owner(self, *command: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            self.as_owner(str(self.bin / tool), *args), capture_output=True, text=True, timeout=START_TIMEOUT
        )
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, tool, done.stdout, done.stderr[-2000:])
        return done

    def launch(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def halt(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.halt()
        self.launch()

    def create_database(self, name: str) -> None:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def lake_dsn(self, database: str) -> str:
        """METRICS_DB for a DuckLake whose catalog is ``database`` on this server (created here)."""
        self.create_database(database)
        return f"ducklake:postgres:host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=5"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        with contextlib.suppress(subprocess.SubprocessError):
            self.halt()
        shutil.rmtree(self.root, ignore_errors=True)
