"""Bulk writing for `flask demo --scale national`: Core executemany inserts in large chunks.

Never the ORM unit of work: rows are plain dicts handed to `insert(table)`
in chunks of `CHUNK`, so SQLite and PostgreSQL take them as executemany
batches. The two largest tables (exam attempts, lesson completions) go
through COPY on PostgreSQL instead: psycopg's executemany still costs the
server one statement per row, and measured on two cores it took 75 of the
run's 118 seconds for those 1.8 million rows (COPY: 2.7 times faster for
the same rows, foreign-key checks included). Primary keys are assigned here (from the table's current maximum)
because rows refer to each other before anything is read back; on PostgreSQL
the tables are locked for the transaction and their sequences moved past the
new ids afterwards.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy import JSON, TypeDecorator, func, select, text

CHUNK = 20_000


class RawJSON(TypeDecorator):
    """A JSON column whose values are already JSON text (serialized once, reused by many rows)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect):
        return None


def raw_json_table(table: sa.Table, columns: Iterable[str]) -> sa.TableClause:
    """The same table for inserts, with `columns` taking pre-serialized JSON text."""
    raw = set(columns)
    return sa.table(table.name, *[sa.column(c.name, RawJSON() if c.name in raw else c.type) for c in table.columns])


class BulkWriter:
    """Insert plain rows into tables on one connection, counting and timing what was written."""

    def __init__(self, conn: sa.Connection, echo: Callable[[str], None]):
        self.conn = conn
        self.echo = echo
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}   # time spent inserting, per table
        self.started = time.perf_counter()

    def lock(self, *tables: sa.Table) -> None:
        """On PostgreSQL, keep other writers out of the tables whose ids are assigned here."""
        if self.postgres:
            names = ", ".join(f'"{t.name}"' for t in tables)
            self.conn.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))

    def next_id(self, table: sa.Table) -> int:
        return (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def insert(self, table, rows: Iterable[dict], *, copy: bool = False) -> int:
        """Insert rows in chunks; return how many. `copy`: through COPY on PostgreSQL."""
        if copy and self.postgres:
            return self._copy(table, list(rows))
        batch, total = [], 0
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                total += self._execute(table, batch)
                batch = []
        if batch:
            total += self._execute(table, batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + total
        return total

    def _execute(self, table, batch: list[dict]) -> int:
        started = time.perf_counter()
        self.conn.execute(sa.insert(table), batch)
        self.seconds[table.name] = self.seconds.get(table.name, 0.0) + time.perf_counter() - started
        return len(batch)

    def _copy(self, table, rows: list[dict]) -> int:
        """COPY rows (all with the same keys) into the table, in the connection's transaction."""
        if not rows:
            return 0
        started = time.perf_counter()
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        with self.conn.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, (dict, list)) else v
                                for v in (row[c] for c in columns)])
        self.seconds[table.name] = self.seconds.get(table.name, 0.0) + time.perf_counter() - started
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        return len(rows)

    def fix_sequences(self, *tables: sa.Table) -> None:
        """Move PostgreSQL's id sequences past the ids written here."""
        if not self.postgres:
            return
        for table in tables:
            self.conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))

    def say(self, message: str) -> None:
        self.echo(f"[{time.perf_counter() - self.started:6.1f} s] {message}")
