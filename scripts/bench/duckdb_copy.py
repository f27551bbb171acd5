"""The benchmark's peer: what a data engineer who skips arexport would type into DuckDB.

ATTACHes both gateway databases read-only through DuckDB's sqlite extension and writes each table
with one `COPY (SELECT ... ORDER BY ...) TO ... (FORMAT parquet, COMPRESSION zstd)`: the export's
own SELECTs (source/PartitionReader) over the whole range, L1 and data-item rows combined with
UNION ALL, in the contract's order.

    duckdb_copy.py CORE_DB BUNDLES_DB END_HEIGHT OUT_DIR THREADS [PARTITION_SIZE]

With PARTITION_SIZE, the same job cut as the export cuts it: per partition of that many heights
(aligned to its multiples, as --heightPartitionSize), one COPY per table with the partition's
range, into OUT_DIR/TABLE/FIRST_HEIGHT.parquet. Without it, one COPY per table over the whole
range, into OUT_DIR/TABLE.parquet (what a data engineer would type).

The extension comes from the duckdb-ext-sqlite wheel (DuckDB cannot download extensions here);
its version must match duckdb's.
"""
import importlib.metadata as md
import os
import sys
from pathlib import Path

import duckdb


def sqlite_extension() -> str:
    release = "v" + duckdb.__version__
    files = md.files("duckdb-ext-sqlite") or []
    found = [f for f in files if str(f).endswith(".duckdb_extension") and release in str(f)]
    if not found:
        sys.exit(f"duckdb-ext-sqlite ships no extension for duckdb {duckdb.__version__}")
    return str(Path(found[0].locate()).resolve())


core, bundles, end, out, threads = sys.argv[1:6]
partition_size = int(sys.argv[6]) if len(sys.argv) > 6 else None
os.makedirs(out, exist_ok=True)
con = duckdb.connect()
con.execute("SET autoinstall_known_extensions = false")
con.execute("SET autoload_known_extensions = false")
con.execute(f"SET threads = {int(threads)}")
con.execute(f"LOAD '{sqlite_extension()}'")
con.execute(f"ATTACH '{core}' AS core (TYPE sqlite, READ_ONLY)")
con.execute(f"ATTACH '{bundles}' AS bundles (TYPE sqlite, READ_ONLY)")
owner = "CASE WHEN octet_length(w.public_modulus) <= 64 THEN w.public_modulus END"
rng = "BETWEEN {first} AND {last}"
dec = "CAST({} AS DECIMAL(20,0))"
tables = {
    "blocks": f"""
SELECT indep_hash, height, previous_block, nonce, hash, block_timestamp, tx_count, block_size
FROM core.stable_blocks WHERE height {rng} ORDER BY height, indep_hash""",
    "transactions": f"""
SELECT * FROM (
  SELECT st.id, st.indexed_at, st.block_transaction_index, false AS is_data_item, st.target,
    {dec.format('st.quantity')} AS quantity, {dec.format('st.reward')} AS reward,
    st.last_tx AS anchor, st.data_size, st.content_type, st.format, st.height, st.owner_address,
    st.data_root, NULL::BLOB AS parent, st.offset, NULL::BIGINT AS size,
    NULL::BIGINT AS data_offset, NULL::BIGINT AS owner_offset, NULL::INTEGER AS owner_size,
    {owner} AS owner, NULL::BIGINT AS signature_offset, NULL::INTEGER AS signature_size,
    NULL::INTEGER AS signature_type, st.id AS root_transaction_id,
    NULL::BIGINT AS root_parent_offset
  FROM core.stable_transactions st LEFT JOIN core.wallets w ON w.address = st.owner_address
  WHERE st.height {rng}
  UNION ALL
  SELECT sdi.id, sdi.indexed_at, sdi.block_transaction_index, true, sdi.target, NULL, NULL,
    sdi.anchor, sdi.data_size, sdi.content_type, NULL, sdi.height, sdi.owner_address, NULL,
    sdi.parent_id, sdi.offset, sdi.size, sdi.data_offset, sdi.owner_offset, sdi.owner_size,
    {owner}, sdi.signature_offset, sdi.signature_size, sdi.signature_type,
    sdi.root_transaction_id, sdi.root_parent_offset
  FROM bundles.stable_data_items sdi LEFT JOIN bundles.wallets w ON w.address = sdi.owner_address
  WHERE sdi.height {rng})
ORDER BY height, id""",
    "tags": f"""
SELECT * FROM (
  SELECT st.height, st.id, stt.transaction_tag_index AS tag_index, st.indexed_at,
    tn.name AS tag_name, tv.value AS tag_value, false AS is_data_item
  FROM core.stable_transactions st
  JOIN core.stable_transaction_tags stt ON stt.transaction_id = st.id
  JOIN core.tag_names tn ON tn.hash = stt.tag_name_hash
  JOIN core.tag_values tv ON tv.hash = stt.tag_value_hash
  WHERE st.height {rng}
  UNION ALL
  SELECT sdi.height, sdi.id, sdit.data_item_tag_index, sdi.indexed_at, tn.name, tv.value, true
  FROM bundles.stable_data_items sdi
  JOIN bundles.stable_data_item_tags sdit ON sdit.data_item_id = sdi.id
  JOIN bundles.tag_names tn ON tn.hash = sdit.tag_name_hash
  JOIN bundles.tag_values tv ON tv.hash = sdit.tag_value_hash
  WHERE sdi.height {rng})
ORDER BY height, id, tag_index""",
}


def copy(sql: str, first: int, last: int, target: str) -> None:
    query = sql.replace("{first}", str(first)).replace("{last}", str(last))
    con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")


for name, sql in tables.items():
    if partition_size is None:
        copy(sql, 0, int(end), f"{out}/{name}.parquet")
        continue
    os.makedirs(f"{out}/{name}", exist_ok=True)
    for first in range(0, int(end) + 1, partition_size):
        copy(sql, first, min(first + partition_size - 1, int(end)), f"{out}/{name}/{first}.parquet")
