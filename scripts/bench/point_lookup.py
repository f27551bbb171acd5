"""Point lookup over a whole warehouse: what `WHERE id = X` costs DuckDB, by its own accounting.

    point_lookup.py WAREHOUSE TABLE ID_HEX

Prints the rows found, the Parquet files the scan opened, and the bytes the process read
(/proc/self/io rchar around the query: footers, bloom filters and whatever data pages DuckDB
fetched), plus DuckDB's EXPLAIN ANALYZE of the scan.
"""
import sys

import duckdb

warehouse, table, id_hex = sys.argv[1:4]
glob = f"{warehouse}/{table}/data/*/*.parquet"
con = duckdb.connect()
con.execute("SET threads = 1")
con.execute("SET enable_object_cache = false")


def rchar() -> int:
    for line in open("/proc/self/io"):
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise SystemExit("no rchar in /proc/self/io")


files = con.execute(f"SELECT count(*) FROM glob('{glob}')").fetchone()[0]
total = con.execute(f"SELECT sum(size) FROM read_blob('{glob}')").fetchone()[0]
before = rchar()
rows = con.execute(f"SELECT count(*) FROM read_parquet('{glob}') WHERE id = from_hex('{id_hex}')").fetchone()[0]
read = rchar() - before
print(f"{table}: {files} files, {total} bytes; WHERE id = X found {rows} rows, read {read} bytes")
plan = con.execute(
    f"EXPLAIN ANALYZE SELECT count(*) FROM read_parquet('{glob}') WHERE id = from_hex('{id_hex}')"
).fetchall()
print(plan[0][1])
