"""What an exported warehouse must contain, computed straight from the gateway's SQLite databases.

The SQL follows the column mapping of export-contract.md section 2 (not arexport's code): core.db
with bundles.db attached, L1 rows and data-item rows side by side. Every value is rendered in one
canonical form (see ``canon``) so that rows coming back from any consumer (DuckDB, Spark, PyIceberg,
ClickHouse) compare equal to these with plain ``==``:

  binary -> upper-case hex string     long/int -> int     decimal(20,0) -> digits as a string
  boolean -> 'true' / 'false'         string -> str       null -> None
"""

from __future__ import annotations

import collections
import decimal
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# Contract section 2: (column, Iceberg type), in field-id order 1..n.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "blocks": [
        ("indep_hash", "binary"), ("height", "long"), ("previous_block", "binary"),
        ("nonce", "binary"), ("hash", "binary"), ("block_timestamp", "long"),
        ("tx_count", "int"), ("block_size", "long"),
    ],
    "transactions": [
        ("id", "binary"), ("indexed_at", "long"), ("block_transaction_index", "int"),
        ("is_data_item", "boolean"), ("target", "binary"), ("quantity", "decimal(20, 0)"),
        ("reward", "decimal(20, 0)"), ("anchor", "binary"), ("data_size", "long"),
        ("content_type", "string"), ("format", "int"), ("height", "long"),
        ("owner_address", "binary"), ("data_root", "binary"), ("parent", "binary"),
        ("offset", "long"), ("size", "long"), ("data_offset", "long"), ("owner_offset", "long"),
        ("owner_size", "int"), ("owner", "binary"), ("signature_offset", "long"),
        ("signature_size", "int"), ("signature_type", "int"), ("root_transaction_id", "binary"),
        ("root_parent_offset", "long"),
    ],
    "tags": [
        ("height", "long"), ("id", "binary"), ("tag_index", "int"), ("indexed_at", "long"),
        ("tag_name", "binary"), ("tag_value", "binary"), ("is_data_item", "boolean"),
    ],
}
TABLES = tuple(SCHEMAS)
HEIGHT_INDEX = {table: [c for c, _ in cols].index("height") for table, cols in SCHEMAS.items()}


def columns(table: str) -> list[str]:
    return [c for c, _ in SCHEMAS[table]]


def canon(value, iceberg_type: str):
    """One value in canonical form, whatever the consumer returned it as."""
    if value is None:
        return None
    if iceberg_type == "binary":
        if isinstance(value, str):  # a consumer that was asked for hex(...)
            return value.upper()
        return bytes(value).hex().upper()
    if iceberg_type in ("long", "int"):
        if isinstance(value, bool):
            raise TypeError(f"boolean {value!r} where an integer was expected")
        return int(value)
    if iceberg_type.startswith("decimal"):
        d = decimal.Decimal(str(value))
        if d != d.to_integral_value():
            raise ValueError(f"decimal(20,0) value with a fraction: {value!r}")
        return str(int(d))
    if iceberg_type == "boolean":
        if isinstance(value, str):
            if value.lower() not in ("true", "false"):
                raise ValueError(f"not a boolean: {value!r}")
            return value.lower()
        return "true" if bool(value) else "false"
    if iceberg_type == "string":
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).decode("utf-8")
        return str(value)
    raise ValueError(f"unknown type {iceberg_type}")


def canon_row(table: str, row) -> tuple:
    schema = SCHEMAS[table]
    if len(row) != len(schema):
        raise ValueError(f"{table}: {len(row)} values for {len(schema)} columns: {row!r}")
    return tuple(canon(v, t) for v, (_, t) in zip(row, schema))


def canon_rows(table: str, rows) -> list[tuple]:
    return [canon_row(table, r) for r in rows]


def sort_key(table: str):
    """Contract section 3 order: blocks (height, indep_hash), transactions (height, id),
    tags (height, id, tag_index); hex of the same length sorts as the bytes do."""
    cols = columns(table)
    keys = {"blocks": ("height", "indep_hash"), "transactions": ("height", "id"),
            "tags": ("height", "id", "tag_index")}[table]
    idx = [cols.index(k) for k in keys]
    return lambda row: tuple(row[i] for i in idx)


def _decimal_text(text):
    """quantity/reward are decimal text in SQLite (contract: at most 20 digits)."""
    if text is None:
        return None
    text = text.decode() if isinstance(text, bytes) else str(text)
    if not text.isdigit() or len(text.lstrip("0")) > 20:
        raise ValueError(f"not a decimal(20,0): {text!r}")
    return str(int(text))


def _owner(modulus):
    return modulus if modulus is not None and len(modulus) <= 64 else None


@dataclass(frozen=True)
class Flags:
    include_l1_transactions: bool = True
    include_l1_tags: bool = True


class SourceOracle:
    """Reads core.db + bundles.db read-only and yields canonical rows per table and height range."""

    def __init__(self, core_db: Path, bundles_db: Path):
        self.db = sqlite3.connect(f"file:{core_db}?mode=ro", uri=True)
        self.db.execute("ATTACH DATABASE ? AS b", (f"file:{bundles_db}?mode=ro",))

    def close(self):
        self.db.close()

    def _q(self, sql, lo, hi):
        return self.db.execute(sql, {"lo": lo, "hi": hi}).fetchall()

    def blocks(self, lo, hi, flags: Flags):
        return canon_rows("blocks", self._q(
            "SELECT indep_hash, height, previous_block, nonce, hash, block_timestamp, tx_count,"
            " block_size FROM main.stable_blocks WHERE height BETWEEN :lo AND :hi", lo, hi))

    def transactions(self, lo, hi, flags: Flags):
        rows = []
        if flags.include_l1_transactions:
            for r in self._q(
                    "SELECT st.id, st.indexed_at, st.block_transaction_index, st.target,"
                    " st.quantity, st.reward, st.last_tx, st.data_size, st.content_type,"
                    " st.format, st.height, st.owner_address, st.data_root, st.offset,"
                    " w.public_modulus"
                    " FROM main.stable_transactions st"
                    " LEFT JOIN main.wallets w ON w.address = st.owner_address"
                    " WHERE st.height BETWEEN :lo AND :hi", lo, hi):
                (id_, indexed_at, bti, target, quantity, reward, last_tx, data_size,
                 content_type, fmt, height, owner_address, data_root, offset, modulus) = r
                rows.append((id_, indexed_at, bti, False, target, _decimal_text(quantity),
                             _decimal_text(reward), last_tx, data_size, content_type, fmt, height,
                             owner_address, data_root, None, offset, None, None, None, None,
                             _owner(modulus), None, None, None, id_, None))
        for r in self._q(
                "SELECT sdi.id, sdi.indexed_at, sdi.block_transaction_index, sdi.target,"
                " sdi.anchor, sdi.data_size, sdi.content_type, sdi.height, sdi.owner_address,"
                " sdi.parent_id, sdi.offset, sdi.size, sdi.data_offset, sdi.owner_offset,"
                " sdi.owner_size, w.public_modulus, sdi.signature_offset, sdi.signature_size,"
                " sdi.signature_type, sdi.root_transaction_id, sdi.root_parent_offset"
                " FROM b.stable_data_items sdi"
                " LEFT JOIN b.wallets w ON w.address = sdi.owner_address"
                " WHERE sdi.height BETWEEN :lo AND :hi", lo, hi):
            (id_, indexed_at, bti, target, anchor, data_size, content_type, height,
             owner_address, parent_id, offset, size, data_offset, owner_offset, owner_size,
             modulus, sig_offset, sig_size, sig_type, root_tx, root_parent_offset) = r
            rows.append((id_, indexed_at, bti, True, target, None, None, anchor, data_size,
                         content_type, None, height, owner_address, None, parent_id, offset,
                         size, data_offset, owner_offset, owner_size, _owner(modulus),
                         sig_offset, sig_size, sig_type, root_tx, root_parent_offset))
        return canon_rows("transactions", rows)

    def tags(self, lo, hi, flags: Flags):
        rows = []
        if flags.include_l1_tags:
            rows += [r + (False,) for r in self._q(
                "SELECT st.height, st.id, stt.transaction_tag_index, st.indexed_at, tn.name,"
                " tv.value FROM main.stable_transaction_tags stt"
                " JOIN main.stable_transactions st ON st.id = stt.transaction_id"
                " JOIN main.tag_names tn ON tn.hash = stt.tag_name_hash"
                " JOIN main.tag_values tv ON tv.hash = stt.tag_value_hash"
                " WHERE st.height BETWEEN :lo AND :hi", lo, hi)]
        rows += [r + (True,) for r in self._q(
            "SELECT sdi.height, sdi.id, sdit.data_item_tag_index, sdi.indexed_at, tn.name,"
            " tv.value FROM b.stable_data_item_tags sdit"
            " JOIN b.stable_data_items sdi ON sdi.id = sdit.data_item_id"
            " JOIN b.tag_names tn ON tn.hash = sdit.tag_name_hash"
            " JOIN b.tag_values tv ON tv.hash = sdit.tag_value_hash"
            " WHERE sdi.height BETWEEN :lo AND :hi", lo, hi)]
        return canon_rows("tags", rows)

    def rows(self, table, lo, hi, flags: Flags):
        return sorted(getattr(self, table)(lo, hi, flags), key=sort_key(table))


@dataclass(frozen=True)
class Partition:
    start: int
    end: int
    size: int  # --heightPartitionSize it was exported with


class Expected:
    """Expected content of each table: the source rows of every exported partition."""

    def __init__(self, rows: dict[str, list[tuple]], partitions: list[Partition]):
        self.rows = rows
        self.partitions = sorted(partitions, key=lambda p: p.start)

    @classmethod
    def build(cls, oracle: SourceOracle, partitions: list[Partition], flags: Flags):
        rows = {t: [] for t in TABLES}
        for p in sorted(partitions, key=lambda p: p.start):
            for t in TABLES:
                rows[t] += oracle.rows(t, p.start, p.end, flags)
        return cls(rows, partitions)

    def count(self, table):
        return len(self.rows[table])

    def partition_of(self, height) -> Partition:
        for p in self.partitions:
            if p.start <= height <= p.end:
                return p
        raise KeyError(f"height {height} is in no exported partition")

    def counts_by_partition(self, table) -> dict[int, int]:
        """{partition start: row count}; partitions without rows are left out (they have no file)."""
        h = HEIGHT_INDEX[table]
        counts = collections.Counter(self.partition_of(r[h]).start for r in self.rows[table])
        return dict(sorted(counts.items()))

    def counts_by_height(self, table) -> dict[int, int]:
        h = HEIGHT_INDEX[table]
        return dict(sorted(collections.Counter(r[h] for r in self.rows[table]).items()))

    def height_range(self):
        return self.partitions[0].start, self.partitions[-1].end


def assert_same_rows(table: str, got: list[tuple], want: list[tuple], who: str):
    """Multiset equality with a readable difference (first few missing / unexpected rows)."""
    if len(got) == len(want) and collections.Counter(got) == collections.Counter(want):
        return
    g, w = collections.Counter(got), collections.Counter(want)
    missing = list((w - g).elements())[:3]
    extra = list((g - w).elements())[:3]
    cols = columns(table)

    def show(rows):
        return "\n".join("    " + ", ".join(f"{c}={v!r}" for c, v in zip(cols, r)) for r in rows)

    raise AssertionError(
        f"{who}: {table} differs from the SQLite source: {len(got)} rows, expected {len(want)};"
        f" {sum((w - g).values())} missing, {sum((g - w).values())} unexpected."
        f"\n  missing (first 3):\n{show(missing)}\n  unexpected (first 3):\n{show(extra)}")
