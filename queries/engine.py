"""Choosing and opening the database engine named by ``METRICS_DB`` (hosted mode, issue #8).

One code path for three engines; the query layer above never knows which one it talks to:

- a **file** path: plain DuckDB (one writer process; see :func:`open_file` for the lock policy);
- ``ducklake:postgres:<libpq dsn>`` with ``METRICS_DATA_PATH``: a DuckLake whose catalog is in PostgreSQL
  and whose data files are in a shared folder, so several processes and machines read and write it;
- ``md:<database>``: MotherDuck (token in ``motherduck_token``); same path as DuckLake, not testable offline.

A remote engine is opened once per process (one DuckDB instance; DuckLake and MotherDuck become its
*default* database, so the ``con.cursor()`` every query opens lands on them), and every caller gets a
cursor of it: closing that cursor never closes the instance other sessions use.

DuckLake has no primary keys, unique constraints, indexes, sequences or ``RETURNING``. The numbered
migrations still run, translated by :func:`translate_for_lake`: constraints and indexes are dropped (the
writers already keep documents unique by content hash), and ``nextval('<sequence>')`` becomes
``lake_next_id()``, a per-process function giving ids that grow with time across replicas (see
:class:`IdClock`). Extensions come from the pip packages ``duckdb-extension-*`` of DuckDB's own version,
installed into a private extension directory, because DuckDB cannot download them here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from queries.connection import DatabaseError, DatabaseInUseError, describe_lock_error

EngineKind = Literal["file", "ducklake", "motherduck"]
REMOTE_PREFIXES: dict[str, EngineKind] = {"ducklake:": "ducklake", "md:": "motherduck", "motherduck:": "motherduck"}
# pip package -> the extension file it ships; keep in sync with requirements.txt
EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
    "motherduck": "duckdb_extension_motherduck",
}
NEEDED_EXTENSIONS: dict[EngineKind, tuple[str, ...]] = {
    "file": (),
    "ducklake": ("ducklake", "postgres_scanner"),
    "motherduck": ("motherduck",),
}
LOCK_RETRY_SECONDS = 0.2
_PASSWORD = re.compile(r"(password\s*=\s*)(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """Where the data lives, as parsed from METRICS_DB / METRICS_DATA_PATH / METRICS_READ_ONLY."""

    kind: EngineKind
    dsn: str  # what duckdb.connect gets: a file path, "ducklake:postgres:…" or "md:…"
    data_path: str | None = None
    read_only: bool = False

    @property
    def is_remote(self) -> bool:
        return self.kind != "file"

    @property
    def label(self) -> str:
        """The DSN with any password hidden, for messages and logs."""
        return hide_password(self.dsn)


def hide_password(dsn: str) -> str:
    """Mask ``password=…`` in a libpq DSN.

    >>> hide_password("ducklake:postgres:host=db password=s3cret dbname=kpi")
    'ducklake:postgres:host=db password=*** dbname=kpi'
    """
    return _PASSWORD.sub(r"\1***", dsn)


def env_flag(name: str) -> bool:
    """A boolean environment variable: 1/true/yes/on (any case) is true."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def engine_kind(dsn: str) -> EngineKind:
    """Which engine a METRICS_DB value names.

    >>> engine_kind("data/metrics.duckdb"), engine_kind("ducklake:postgres:dbname=kpi"), engine_kind("md:kpi")
    ('file', 'ducklake', 'motherduck')
    """
    lowered = dsn.strip().lower()
    for prefix, kind in REMOTE_PREFIXES.items():
        if lowered.startswith(prefix):
            return kind
    return "file"


def is_remote_target(dsn: str) -> bool:
    """True for a DuckLake or MotherDuck DSN (opened here), False for a DuckDB file."""
    return engine_kind(dsn) != "file"


def parse_target(dsn: str, read_only: bool = False) -> Target:
    """Read the engine, the DuckLake data folder (``METRICS_DATA_PATH``) and read-only mode for ``dsn``."""
    kind = engine_kind(dsn)
    data_path = os.environ.get("METRICS_DATA_PATH", "").strip() or None
    if kind == "ducklake" and data_path and "://" not in data_path:
        data_path = str(Path(data_path).resolve()) + os.sep  # replicas must agree on one absolute folder
    return Target(kind, dsn.strip(), data_path if kind == "ducklake" else None, read_only)


def is_read_only(target_dsn: str, configured_dsn: str) -> bool:
    """METRICS_READ_ONLY=1 makes the configured database read-only (a build's temporary file stays writable)."""
    return env_flag("METRICS_READ_ONLY") and target_dsn == configured_dsn


# ---------------------------------------------------------------------------- files


def open_file(path: str, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file; while another process holds its lock, retry for ``wait`` seconds, then refuse.

    The file policy (docs/hosting.md): a DuckDB file admits one writing process or several read-only ones,
    never both. The dashboard is normally that writer; a command-line ingest meanwhile is refused at
    once with the holder's PID (nothing written, the dashboard unaffected). ``METRICS_LOCK_WAIT`` lets a
    process wait for a short job to finish instead. Concurrent writers need the DuckLake engine.
    """
    wait = float(os.environ.get("METRICS_LOCK_WAIT", "0") or 0) if wait is None else wait
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config={"autoinstall_known_extensions": "false"})
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_RETRY_SECONDS)


# ---------------------------------------------------------------------------- extensions


def extension_file(name: str) -> Path | None:
    """The ``<name>.duckdb_extension`` shipped by its pip package for this DuckDB version, if installed."""
    spec = importlib.util.find_spec(EXTENSION_PACKAGES[name])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = (
        Path(spec.submodule_search_locations[0]) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    )
    return path if path.is_file() else None


def missing_extensions(kind: EngineKind) -> list[str]:
    """The pip packages an engine needs that are not installed (empty when it can open)."""
    return [EXTENSION_PACKAGES[n].replace("_", "-") for n in NEEDED_EXTENSIONS[kind] if extension_file(n) is None]


def extension_directory() -> Path:
    """A private DuckDB extension directory (``METRICS_EXTENSION_DIR``), so nothing is written to ~/.duckdb."""
    configured = os.environ.get("METRICS_EXTENSION_DIR", "").strip()
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"metrics-duckdb-ext-{os.getuid()}"


_INSTALL_LOCK = threading.Lock()


def install_extensions(directory: Path) -> Path:
    """INSTALL every packaged extension file into ``directory`` once, so DuckDB can autoload it there.

    Autoloading (rather than LOAD by path) is what lets ``duckdb.connect("ducklake:…")`` open the lake as
    the default database.
    """
    with _INSTALL_LOCK:
        con = duckdb.connect(":memory:", config={"extension_directory": str(directory)})
        try:
            platform = con.execute("pragma platform").fetchone()[0]
            for name in EXTENSION_PACKAGES:
                source = extension_file(name)
                installed = directory / f"v{duckdb.__version__}" / platform / f"{name}.duckdb_extension"
                if source is not None and not installed.is_file():
                    con.execute(f"install '{source}'")  # a path, not a value: INSTALL takes no parameters
        finally:
            con.close()
    return directory


def remote_config() -> dict[str, str]:
    """DuckDB settings for remote engines: extensions from the private directory, never downloaded."""
    return {
        "extension_directory": str(install_extensions(extension_directory())),
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "true",
    }


# ---------------------------------------------------------------------------- ids without sequences


class IdClock:
    """Ids for a catalog without sequences: ``seconds since 2024 | node | counter`` in 53 bits.

    They grow with time across replicas (an editor's latest change has the highest id on whichever
    replica it was made) and stay below 2**53, so they survive a trip through JavaScript. ``node`` is
    allocated once per process from the lake (:func:`allocate_node`); 8192 ids a second per process,
    borrowing the next second when a bulk insert needs more.
    """

    EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z
    NODE_BITS, COUNTER_BITS = 8, 13

    def __init__(self, node: int, clock: Callable[[], float] = time.time) -> None:
        self.node = node % (1 << self.NODE_BITS)
        self.clock = clock
        self.second = 0
        self.counter = 0
        self.lock = threading.Lock()

    def next_id(self) -> int:
        with self.lock:
            now = int(self.clock()) - self.EPOCH
            if now > self.second:
                self.second, self.counter = now, 0
            elif self.counter >= (1 << self.COUNTER_BITS) - 1:
                self.second, self.counter = self.second + 1, 0
            else:
                self.counter += 1
            return (
                (self.second << (self.NODE_BITS + self.COUNTER_BITS)) | (self.node << self.COUNTER_BITS) | self.counter
            )


def ensure_state_table(con: duckdb.DuckDBPyConnection) -> None:
    """The engine's own row in the lake: a node counter whose update makes concurrent claimants conflict."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = 'lake_state'").fetchone()[0]
    if not exists:
        with_conflict_retry(lambda: _create_state_table(con))


def _create_state_table(con: duckdb.DuckDBPyConnection) -> None:
    cur = con.cursor()
    try:
        cur.execute("begin transaction")
        cur.execute("create table if not exists lake_state (next_node bigint not null)")
        if cur.execute("select count(*) from lake_state").fetchone()[0] == 0:
            cur.execute("insert into lake_state values (0)")
        cur.execute("commit")
    except BaseException:
        _rollback(cur)
        raise
    finally:
        cur.close()


def allocate_node(con: duckdb.DuckDBPyConnection) -> int:
    """A node number no other live process holds: DuckLake makes two updates of one table conflict."""
    ensure_state_table(con)
    return with_conflict_retry(lambda: _claim_node(con))


def _claim_node(con: duckdb.DuckDBPyConnection) -> int:
    cur = con.cursor()
    try:
        cur.execute("begin transaction")
        cur.execute("update lake_state set next_node = next_node + 1")
        node = cur.execute("select next_node from lake_state").fetchone()[0]
        cur.execute("commit")
        return node
    except BaseException:
        _rollback(cur)
        raise
    finally:
        cur.close()


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # a failed commit has already ended the transaction
        cur.execute("rollback")


def with_conflict_retry(action: Callable[[], object], attempts: int = 10):
    """Run a transaction again after a write-write conflict (another replica committed first)."""
    from queries.store import with_retry

    return with_retry(action, attempts)


# ---------------------------------------------------------------------------- migrations on the lake

_LAKE_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # sequences do not exist: ids come from lake_next_id()
    (re.compile(r"create\s+sequence\s+(if\s+not\s+exists\s+)?[\w.]+\s*;", re.I), ""),
    (re.compile(r"nextval\(\s*'[\w.]+'\s*\)", re.I), "lake_next_id()"),
    # no indexes, primary keys or unique constraints: uniqueness is kept by the writers
    (re.compile(r"create\s+(unique\s+)?index\s+[^;]*;", re.I), ""),
    (re.compile(r",\s*(primary\s+key|unique)\s*\([^)]*\)", re.I), ""),
    (re.compile(r"\s+primary\s+key\b", re.I), ""),
    (re.compile(r"\s+unique\b(?!\s*\()", re.I), ""),
)


def translate_for_lake(sql: str) -> str:
    """Rewrite a migration for DuckLake, which has no sequences, indexes, primary keys or unique constraints.

    >>> translate_for_lake("create sequence s; create table t (id bigint default nextval('s'), k varchar primary key);")
    ' create table t (id bigint default lake_next_id(), k varchar);'
    """
    for pattern, replacement in _LAKE_REWRITES:
        sql = pattern.sub(replacement, sql)
    return sql


def migrate_lake(con: duckdb.DuckDBPyConnection) -> int:
    """queries.schema.migrate for DuckLake: the same numbered files, translated, one transaction each."""
    from queries import schema

    version = schema.current_version(con)
    for number, path in schema.list_migrations():
        if number > version:
            with_conflict_retry(lambda n=number, p=path: _apply_lake_migration(con, n, p))
            version = max(version, schema.current_version(con))
    return version


def _apply_lake_migration(con: duckdb.DuckDBPyConnection, number: int, path: Path) -> None:
    """Apply one migration unless another replica did; the version row and the claim commit with it."""
    from queries import schema

    cur = con.cursor()
    try:
        cur.execute("begin transaction")
        cur.execute("update lake_state set next_node = next_node")  # claim: concurrent migrators conflict
        cur.execute("create table if not exists schema_version (version integer, applied_at timestamp)")
        if schema.current_version(cur) < number:
            cur.execute(translate_for_lake(path.read_text(encoding="utf-8")))
            cur.execute("insert into schema_version values ($v, current_timestamp)", {"v": number})
        cur.execute("commit")
    except BaseException:
        _rollback(cur)
        raise
    finally:
        cur.close()


# ---------------------------------------------------------------------------- opening remote engines

_INSTANCES: dict[Target, duckdb.DuckDBPyConnection] = {}
_OPEN_LOCK = threading.Lock()


def open_remote(target: Target) -> duckdb.DuckDBPyConnection:
    """A cursor on this process's one instance of a DuckLake or MotherDuck target (opened on first use)."""
    with _OPEN_LOCK:
        instance = _INSTANCES.get(target)
        if instance is None:
            instance = _open_instance(target)
            _INSTANCES[target] = instance
    return instance.cursor()


def _open_instance(target: Target) -> duckdb.DuckDBPyConnection:
    missing = missing_extensions(target.kind)
    if missing:
        raise DatabaseError(
            f"METRICS_DB names a {target.kind} target, which needs the pip packages "
            f"{', '.join(p + '==' + duckdb.__version__ for p in missing)}; install them (see docs/hosting.md)"
        )
    config = remote_config()
    if target.read_only and target.kind == "motherduck":
        config["access_mode"] = "read_only"
    try:
        if target.kind == "ducklake":
            create_lake(target, config)
        con = duckdb.connect(target.dsn, config=config)
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot open {target.label}: {first_line(exc)}") from exc
    if target.kind == "ducklake":
        clock = IdClock(allocate_node(con))
        con.create_function("lake_next_id", clock.next_id, [], "BIGINT", side_effects=True)
    return con


def create_lake(target: Target, config: dict[str, str]) -> None:
    """Create (or check) the lake's catalog with its data folder; later opens read the folder from the catalog."""
    if not target.data_path:
        return  # an existing lake knows its data path
    if "://" not in target.data_path:
        Path(target.data_path).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute(f"attach '{_quote(target.dsn)}' as lake_setup (data_path '{_quote(target.data_path)}')")
    finally:
        con.close()


def _quote(text: str) -> str:
    """ATTACH takes literals, not parameters: double any single quote."""
    return text.replace("'", "''")


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def open_engine(dsn: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open whatever ``dsn`` names; DatabaseError subclasses carry a message meant for the user."""
    target = parse_target(dsn, read_only)
    if target.is_remote:
        return open_remote(target)
    try:
        return open_file(target.dsn, read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseInUseError(describe_lock_error(str(exc), target.dsn)) from exc
        raise


def ensure_remote(dsn: str, progress: Callable[[float, str], None] | None = None):
    """Migrate a remote engine and load the bundled data/ into it when it is empty (the file build's twin).

    Returns a ``BuildReport`` when data was loaded, else None. Safe to run from several replicas at once:
    the loading transaction claims ``lake_state``, so a second loader conflicts, retries and finds data.
    """
    progress = progress or (lambda fraction, message: None)
    target = parse_target(dsn)
    con = open_remote(target)
    try:
        if target.kind == "ducklake":
            migrate_lake(con)
        else:
            from queries import schema

            schema.migrate(con)
        return seed_remote(con, target, progress)
    finally:
        con.close()


def seed_remote(con: duckdb.DuckDBPyConnection, target: Target, progress: Callable[[float, str], None]):
    """Load companies, FX rates and curated facts in one transaction, then the sample releases."""
    from queries.build import DATA_DIR, BuildReport, _ingest_releases

    report = BuildReport()
    if not with_conflict_retry(lambda: _seed_tables(con, target, report, progress)):
        return None
    progress(0.6, "Reading the sample releases")
    _ingest_releases(con, DATA_DIR / "releases", report, progress)
    progress(1.0, "Database ready")
    return report


def _seed_tables(con: duckdb.DuckDBPyConnection, target: Target, report, progress) -> bool:
    from queries.build import DATA_DIR, load_companies_table, load_curated_facts, load_fx_rates
    from queries.series import sync_series

    cur = con.cursor()
    try:
        cur.execute("begin transaction")
        if target.kind == "ducklake":
            cur.execute("update lake_state set next_node = next_node")  # claim: a second loader conflicts
        if cur.execute("select count(*) from companies").fetchone()[0]:
            cur.execute("rollback")
            return False
        progress(0.15, "Loading the company registry")
        report.companies = load_companies_table(cur, DATA_DIR)
        report.fx_rates = load_fx_rates(cur, DATA_DIR)
        progress(0.4, "Loading curated facts")
        report.curated_facts = load_curated_facts(cur, DATA_DIR / "kpi_facts.csv", report)
        sync_series(cur)
        cur.execute("commit")
        return True
    except BaseException:
        _rollback(cur)
        raise
    finally:
        cur.close()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A DuckLake's latest snapshot id: it changes with every commit by any replica, and costs one catalog query.

    Meant as part of a read cache's key, so a replica never serves results older than the last write of
    another. Raises duckdb.Error when the catalog cannot be reached (or ``con`` is not on a DuckLake).
    """
    with con.cursor() as cur:
        return cur.execute("select id from ducklake_current_snapshot(current_database())").fetchone()[0]


_UNREACHABLE = (
    "unable to connect to postgres",
    "connection refused",
    "server closed the connection",
    "could not connect",
)


def explain_error(exc: BaseException, dsn: str | None = None) -> str:
    """One line for the user about a failed query; a lost DuckLake catalog says so and that it will retry.

    Pages can show this instead of a traceback; the next query reconnects by itself once PostgreSQL is back.
    """
    text = first_line(exc)
    if any(marker in str(exc).lower() for marker in _UNREACHABLE):
        where = hide_password(dsn) if dsn else "its PostgreSQL server"
        return f"The data catalog ({where}) cannot be reached right now; reload in a moment. ({text})"
    return f"The database could not answer: {text}"
