"""The engine: one in-memory DuckDB instance per process, the store file attached per operation.

DuckDB lets one process at a time hold a database file, even for reading. Both the dashboard
and the command line work on the same file, so every operation attaches the file for the
moment it runs and detaches it at once; attaching retries for a bounded time while another
process holds the file and then raises :class:`StoreBusyError` with a plain message, never a
raw lock error. Pages key their caches to :meth:`Store.fingerprint` (the file's size and
modification time, read without opening it), so a write by any process is seen on the next
rerun.

Starting a DuckDB database instance costs about 15-20 ms, even in memory; attaching a file to
a running one costs about 1 ms. So each process keeps one in-memory instance (no file, no
lock) and attaches store files to it per operation, counting the users of each file so that
concurrent operations (Streamlit sessions run in threads) share one attachment and the last
one out detaches it, releasing the file for other processes.

This module knows nothing of tables: the schema is in :mod:`metrics.store.schema` and each
area's statements in its own module, as functions taking a :class:`Store`.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

LOCK_WAIT_SECONDS = 10.0  # how long an operation waits for another process to release the file
LOCK_RETRY_SECONDS = 0.1
_LOCK_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")

Connection = duckdb.DuckDBPyConnection


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why and what to do."""


class StoreBusyError(StoreError):
    """Another program holds the store file for longer than we wait."""


class _Engine:
    """The process's in-memory DuckDB instance and the store files attached to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instance: Connection | None = None
        self._attached: dict[str, tuple[str, int]] = {}  # file -> (alias, operations using it)
        self._aliases = itertools.count(1)

    def open(self, path: Path) -> Connection:
        """A new connection whose default database is ``path``; raises duckdb.IOException if
        another process holds the file."""
        key = str(path.resolve())
        with self._lock:
            if self._instance is None:
                self._instance = duckdb.connect()
            alias, users = self._attached.get(key, ("", 0))
            if not users:
                alias = f"store_{next(self._aliases)}"
                quoted = key.replace("'", "''")
                self._instance.execute(f"ATTACH '{quoted}' AS {alias}")
            self._attached[key] = (alias, users + 1)
            con = self._instance.cursor()
        try:
            con.execute(f"USE {alias}")
        except BaseException:
            con.close()
            self.release(path)
            raise
        return con

    def release(self, path: Path) -> None:
        key = str(path.resolve())
        with self._lock:
            alias, users = self._attached[key]
            if users > 1:
                self._attached[key] = (alias, users - 1)
                return
            del self._attached[key]
            assert self._instance is not None
            self._instance.execute(f"DETACH {alias}")


_ENGINE = _Engine()


def now() -> datetime:
    """The time stamps the store records: UTC, without a zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """One DuckDB file. Cheap to create: it opens the file only while an operation runs."""

    def __init__(self, path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.path = Path(path)
        self.wait_seconds = wait_seconds
        self._held: Connection | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def session(self) -> Iterator[Store]:
        """Hold one connection for a batch of operations, e.g. the demo returns at first start.
        Other processes wait until the block ends."""
        if self._held is not None:
            yield self
            return
        with self.connect() as con:
            self._held = con
            try:
                yield self
            finally:
                self._held = None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection held only for the ``with`` block; waits while another process writes."""
        if self._held is not None:
            yield self._held
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        wait_seconds = self.wait_seconds
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                con = _ENGINE.open(self.path)
                break
            except duckdb.IOException as exc:
                message = str(exc)
                if "lock" not in message.lower():
                    raise StoreError(f"The data store {self.path} cannot be opened: {message}") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusyError(self._busy_message(message, wait_seconds)) from exc
                time.sleep(LOCK_RETRY_SECONDS)
        try:
            yield con
        finally:
            con.close()
            _ENGINE.release(self.path)

    def _busy_message(self, raw: str, waited: float) -> str:
        holder = _LOCK_HOLDER.search(raw)
        who = (
            f"another program ({Path(holder['program']).name}, process {holder['pid']})"
            if holder
            else "another program"
        )
        return (
            f"The data store {self.path} is in use by {who} and stayed busy for {waited:.0f} s. "
            "It is probably importing or initialising data: wait for it to finish and try again. "
            "If nothing should be running, close other dashboards or commands using this file."
        )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything inside is stored, or (on any error) nothing is."""
        with self.connect() as con:
            with in_transaction(con):
                yield con

    def checkpoint(self) -> None:
        """Write everything in the file's write-ahead log into the file itself, so that the file
        alone holds the store (before it is copied or moved into place)."""
        if self.path.exists():
            with self.connect() as con:
                con.execute("CHECKPOINT")

    def fingerprint(self) -> tuple[int, int, int]:
        """Changes whenever any process writes the store; read without opening the file, so a
        page can key its caches to it on every rerun for nothing."""
        parts = []
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = p.stat()
                parts.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                parts.append((0, 0))
        return (parts[0][0], parts[0][1], parts[1][0] + parts[1][1])


@contextmanager
def in_transaction(con: Connection) -> Iterator[Connection]:
    """Run the block in one transaction on an open connection: committed if it ends normally,
    rolled back on any error (for work that must first do something outside a transaction on
    the same connection, such as staging files or applying migrations one by one)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
