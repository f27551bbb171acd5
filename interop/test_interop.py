"""Interop matrix (issue 3): real consumers, installed from PyPI / Maven Central by
interop/setup.sh, read the Iceberg tables that `arexport export` + `arexport metadata` write, and
their results are compared with the SQLite source.

Every test is parametrized by the module-scoped ``stage`` fixture, so pytest runs the whole
matrix after each of four stages (see pipeline.STAGES): a first export, an incremental export of
a new range, a re-export that replaces a partition, and a partition-size change (spec evolution).

Consumers: DuckDB + iceberg extension (local paths, and over HTTP against `arexport serve` with
httpfs), Spark local mode with iceberg-spark-runtime (Hadoop catalog and path load), PyIceberg
StaticTable, ClickHouse through chdb (icebergLocal). Pruning is shown from DuckDB's own profile
(Total Files Read of ICEBERG_SCAN), from the server's access log for an HTTP scan, and from
PyIceberg's plan_files().
"""

from __future__ import annotations

import collections
import json
import re
import time
from pathlib import Path

import pytest

from pipeline import SPARK_JAVA17_OPTIONS
from sqlite_oracle import SCHEMAS, TABLES, assert_same_rows, canon_rows, columns

INTEROP = Path(__file__).resolve().parent
EXTDIR = INTEROP / ".duckdb_extensions"
VENV = INTEROP / ".venv"
JARS = INTEROP / ".jars"  # iceberg-spark-runtime-3.5_2.12-<version>.jar, version set in setup.sh
SETUP_HINT = "run interop/setup.sh (or scripts/run-interop) first"


def sql_str(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def partition_start_of(path: str) -> int:
    """Partition of a data file from its directory name height=<S>-<E> (contract section 3)."""
    m = re.search(r"/height=(\d+)-(\d+)/[^/]+\.parquet$", path)
    assert m, f"data file outside a height=<S>-<E> directory: {path}"
    return int(m.group(1))


# Stages whose commit removes files a re-export replaced: that commit also expires every
# snapshot that lists them (contract section 5: every listed snapshot is readable), so only the
# snapshots from the latest such stage on are kept.
REPLACING_STAGES = (3,)


def expected_snapshots(index: int) -> int:
    """How many snapshots a table lists after stage `index` (one per stage since the last
    replacing stage, inclusive)."""
    since = max((s for s in REPLACING_STAGES if s <= index), default=1)
    return index - since + 1


def check_files_read(who, table, state, counts_by_file: dict[str, int]):
    """A consumer's per-file row counts: exactly the warehouse's current files (no replaced file
    still referenced, none missing) and per-partition counts equal to the source's."""
    on_disk = sorted(f.name for f in state.files(table))
    read = sorted(Path(re.sub(r"^file:(//)?", "", p)).name for p in counts_by_file)
    assert read == on_disk, f"{who}: {table} read files {read}, the warehouse has {on_disk}"
    per_partition = collections.Counter()
    for path, n in counts_by_file.items():
        per_partition[partition_start_of(path)] += n
    assert dict(sorted(per_partition.items())) == state.expected.counts_by_partition(table), (
        f"{who}: {table} rows per partition differ from the source")


# --------------------------------------------------------------------------------------------
# Warehouse layout the consumers rely on
# --------------------------------------------------------------------------------------------

def test_layout_matches_contract(stage):
    """Partition directories as contract section 3 says; version-hint.text holds just N and
    vN.metadata.json exists (DuckDB and PyIceberg resolve the version from it)."""
    for table in TABLES:
        want = stage.expected.counts_by_partition(table)
        assert sorted(stage.table_files[table]) == sorted(want), (
            f"{table}: partition directories {sorted(stage.table_files[table])}, expected {sorted(want)}")
        for start, files in stage.table_files[table].items():
            assert files, f"{table}: partition {start} has a directory but no Parquet file"
        hint = (stage.table_dir(table) / "metadata" / "version-hint.text").read_text()
        assert re.fullmatch(r"[1-9]\d*", hint), f"{table}: version-hint.text holds {hint!r}"
        assert stage.metadata_file(table).is_file()


# --------------------------------------------------------------------------------------------
# DuckDB + iceberg extension (extensions installed offline from the duckdb-ext-* wheels)
# --------------------------------------------------------------------------------------------

DUCKDB_TYPES = {"binary": "BLOB", "long": "BIGINT", "int": "INTEGER", "boolean": "BOOLEAN",
                "string": "VARCHAR", "decimal(20, 0)": "DECIMAL(20,0)"}


def duck_connect():
    """A new in-memory DuckDB with iceberg + httpfs loaded from the offline extension directory
    (nothing is downloaded: autoinstall is off)."""
    import duckdb

    if not (EXTDIR / ".installed").is_file():
        pytest.fail(f"DuckDB extensions are not installed in {EXTDIR}: {SETUP_HINT}")
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET extension_directory = ?", [str(EXTDIR)])
    con.execute("LOAD iceberg")
    con.execute("LOAD httpfs")
    return con


@pytest.fixture
def duck():
    """A fresh DuckDB per test (no file or metadata cache carried across stages)."""
    con = duck_connect()
    yield con
    con.close()


def duck_rows(con, source: str, table: str, where: str = ""):
    cols = ", ".join(f'"{c}"' for c in columns(table))
    return canon_rows(table, con.execute(f"SELECT {cols} FROM {source} {where}").fetchall())


def duck_profiled(con, sql: str, out: Path):
    """Runs sql with JSON profiling; returns (rows, extra_info of the ICEBERG_SCAN operator)."""
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = {sql_str(out)}")
    con.execute("SET custom_profiling_settings = '"
                '{"OPERATOR_NAME": "true", "OPERATOR_CARDINALITY": "true", "EXTRA_INFO": "true"}\'')
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.execute("PRAGMA disable_profiling")
    profile = json.loads(out.read_text())
    scans = []

    def walk(node):
        info = node.get("extra_info") or {}
        if info.get("Function") == "ICEBERG_SCAN" or str(node.get("operator_name", "")).startswith("ICEBERG_SCAN"):
            scans.append(info)
        for child in node.get("children", []):
            walk(child)

    walk(profile)
    assert len(scans) == 1, f"expected one ICEBERG_SCAN operator in the profile: {profile}"
    return rows, scans[0]


def files_read(info) -> int:
    assert "Total Files Read" in info, (
        f"DuckDB's ICEBERG_SCAN profile has no 'Total Files Read'; it exposes {sorted(info)}")
    return int(info["Total Files Read"])


def test_duckdb_read_parquet(stage, duck):
    """The raw Parquet files (no Iceberg): every row equals the source, each column carries its
    Iceberg field id (1..n, contract section 2). hive_partitioning=false, or DuckDB turns the
    height=S-E directory into a VARCHAR `height` that shadows the real column."""
    for table in TABLES:
        glob = sql_str(stage.table_dir(table) / "data" / "*" / "*.parquet")
        src = f"read_parquet({glob}, hive_partitioning = false)"
        assert_same_rows(table, duck_rows(duck, src, table), stage.expected.rows[table],
                         "DuckDB read_parquet")
        counts = dict(duck.execute(f"SELECT filename, COUNT(*) FROM read_parquet({glob},"
                                   " hive_partitioning = false, filename = true)"
                                   " GROUP BY filename").fetchall())
        check_files_read("DuckDB read_parquet", table, stage, counts)
        for f in stage.files(table):
            ids = duck.execute(f"SELECT name, field_id FROM parquet_schema({sql_str(f)})"
                               " WHERE num_children IS NULL OR num_children = 0").fetchall()
            assert ids == [(c, i + 1) for i, c in enumerate(columns(table))], f"{f.name}: {ids}"


def test_duckdb_seed_queries(stage, duck):
    """The design document's queries, literally, against the table directories."""
    wh = stage.warehouse
    exp = stage.expected
    for table in TABLES:
        (n,) = duck.execute(f"SELECT COUNT(*) FROM iceberg_scan({sql_str(wh / table)})").fetchone()
        assert n == exp.count(table), f"{table}: DuckDB counts {n}, SQLite has {exp.count(table)}"

    got = duck.execute(
        "SELECT height, COUNT(*) AS tx_count, SUM(data_size) AS total_data_size"
        f" FROM iceberg_scan({sql_str(wh / 'transactions')}) GROUP BY height ORDER BY height").fetchall()
    h, size = columns("transactions").index("height"), columns("transactions").index("data_size")
    by_height = collections.defaultdict(lambda: [0, 0])
    for r in exp.rows["transactions"]:
        by_height[r[h]][0] += 1
        by_height[r[h]][1] += r[size] or 0
    assert [(a, b, int(c)) for a, b, c in got] == [(k, v[0], v[1]) for k, v in sorted(by_height.items())]

    name, value = columns("tags").index("tag_name"), columns("tags").index("tag_value")
    app_name = b"App-Name".hex().upper()
    tags = sql_str(wh / "tags")
    got = canon_rows("tags", duck.execute(
        f"SELECT * FROM iceberg_scan({tags}) WHERE CAST(tag_name AS VARCHAR) = 'App-Name'").fetchall())
    want = [r for r in exp.rows["tags"] if r[name] == app_name]
    assert want, "the sample has App-Name tags"
    assert_same_rows("tags", got, want, "DuckDB App-Name filter")
    got = canon_rows("tags", duck.execute(
        f"SELECT * FROM iceberg_scan({tags}) WHERE CAST(tag_name AS VARCHAR) = 'App-Name'"
        " AND CAST(tag_value AS VARCHAR) LIKE 'ArDrive%'").fetchall())
    want = [r for r in want if bytes.fromhex(r[value]).startswith(b"ArDrive")]
    assert want, "the sample has ArDrive App-Name values"
    assert_same_rows("tags", got, want, "DuckDB App-Name/ArDrive% filter")


def test_duckdb_rows_types_snapshots(stage, duck):
    """Every row of every table equals the source; column names and types per contract
    section 2; one snapshot per stage."""
    for table in TABLES:
        src = f"iceberg_scan({sql_str(stage.table_dir(table))})"
        described = [(r[0], r[1]) for r in duck.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        assert described == [(c, DUCKDB_TYPES[t]) for c, t in SCHEMAS[table]], f"{table}: {described}"
        assert_same_rows(table, duck_rows(duck, src, table), stage.expected.rows[table], "DuckDB")
        counts = dict(duck.execute(f"SELECT filename, COUNT(*) FROM {src} GROUP BY filename").fetchall())
        check_files_read("DuckDB", table, stage, counts)
        snaps = duck.execute(f"SELECT count(*) FROM iceberg_snapshots({sql_str(stage.table_dir(table))})").fetchone()[0]
        assert snaps == expected_snapshots(stage.stage.index), (
            f"{table}: {snaps} snapshots after stage {stage.stage.index}")


def test_duckdb_prunes_to_one_partition(stage, duck, tmp_path):
    """A query restricted to one height partition reads only that partition's files: DuckDB's
    own profile of ICEBERG_SCAN reports 'Total Files Read', checked against the files of that
    partition directory, for every partition of every table; the unrestricted scan reads all."""
    n = 0
    for table in TABLES:
        src = f"iceberg_scan({sql_str(stage.table_dir(table))})"
        all_files = stage.files(table)
        _, info = duck_profiled(duck, f"SELECT COUNT(*) FROM {src}", tmp_path / f"p{n}.json")
        n += 1
        assert files_read(info) == len(all_files), f"{table}: full scan {info}"
        counts = stage.expected.counts_by_partition(table)
        for p in stage.expected.partitions:
            rows, info = duck_profiled(
                duck, f"SELECT COUNT(*) FROM {src} WHERE height BETWEEN {p.start} AND {p.end}",
                tmp_path / f"p{n}.json")
            n += 1
            want_files = stage.table_files[table].get(p.start, [])
            assert rows[0][0] == counts.get(p.start, 0), f"{table} {p}: count {rows[0][0]}"
            assert files_read(info) == len(want_files), (
                f"{table} {p}: DuckDB read {files_read(info)} files, the partition has"
                f" {len(want_files)} of the table's {len(all_files)}: {info}")
        if len(stage.table_files[table]) > 1:
            assert len(all_files) > max(len(f) for f in stage.table_files[table].values())


def test_duckdb_over_http(http_stage, http_pipeline, duck):
    """Metadata written with --datasets-root http://127.0.0.1:PORT/local/datasets/default and
    served by `arexport serve`: httpfs reads vN.metadata.json and everything it points to; a
    one-partition query fetches only that partition's data files (server access log)."""
    state = http_stage
    server_log = http_pipeline.server.log_text
    for table in TABLES:
        meta = json.loads(state.metadata_file(table).read_text())
        assert meta["location"] == f"{state.datasets_root}/{table}", meta["location"]
        url = state.metadata_url(table)
        (n,) = duck.execute(f"SELECT COUNT(*) FROM iceberg_scan({sql_str(url)})").fetchone()
        assert n == state.expected.count(table), f"{table} over HTTP: {n}"
        # The table URL alone works too: DuckDB fetches version-hint.text over HTTP.
        (n,) = duck.execute(
            f"SELECT COUNT(*) FROM iceberg_scan({sql_str(f'{state.datasets_root}/{table}')})").fetchone()
        assert n == state.expected.count(table), f"{table} over HTTP via version-hint.text: {n}"
        src = f"iceberg_scan({sql_str(url)})"
        assert_same_rows(table, duck_rows(duck, src, table), state.expected.rows[table], "DuckDB/HTTP")
        counts = dict(duck.execute(f"SELECT filename, COUNT(*) FROM {src} GROUP BY filename").fetchall())
        assert all(f.startswith(state.datasets_root + f"/{table}/data/") for f in counts), list(counts)
        check_files_read("DuckDB/HTTP", table, state, counts)

    # Pruning seen from the server: a fresh DuckDB (empty caches) asks for one partition.
    con = duck_connect()
    p = state.expected.partitions[-1]
    before = len(server_log())
    (n,) = con.execute(
        f"SELECT COUNT(*) FROM iceberg_scan({sql_str(state.metadata_url('transactions'))})"
        f" WHERE height BETWEEN {p.start} AND {p.end}").fetchone()
    con.close()
    time.sleep(0.2)  # let the server flush its access log
    requested = set(re.findall(r"/transactions/data/(height=\d+-\d+/[^\s\"?]+\.parquet)",
                               server_log()[before:]))
    want = {f"{f.parent.name}/{f.name}" for f in state.table_files["transactions"][p.start]}
    assert n == state.expected.counts_by_partition("transactions")[p.start]
    assert requested == want, (
        f"one-partition HTTP scan fetched {sorted(requested)}; that partition's files are {sorted(want)}")


# --------------------------------------------------------------------------------------------
# PyIceberg
# --------------------------------------------------------------------------------------------

PYICEBERG_TABLE_UUIDS: dict[str, str] = {}


def test_pyiceberg_static_table(stage):
    """StaticTable.from_metadata(<table dir>) (version-hint.text) scans each table: schema with
    field ids 1..n, every row equal to the source, files and record counts per partition."""
    from pyiceberg.table import StaticTable

    for table in TABLES:
        tbl = StaticTable.from_metadata(str(stage.table_dir(table)))
        fields = [(f.field_id, f.name, str(f.field_type)) for f in tbl.schema().fields]
        assert fields == [(i + 1, c, t) for i, (c, t) in enumerate(SCHEMAS[table])], fields
        arrow = tbl.scan().to_arrow()
        rows = list(zip(*(arrow.column(c).to_pylist() for c in columns(table))))
        assert_same_rows(table, canon_rows(table, rows), stage.expected.rows[table], "PyIceberg")
        counts = {t.file.file_path: t.file.record_count for t in tbl.scan().plan_files()}
        check_files_read("PyIceberg plan_files", table, stage, counts)
        for task in tbl.scan().plan_files():
            path = Path(re.sub(r"^file:(//)?", "", task.file.file_path))
            assert task.file.file_size_in_bytes == path.stat().st_size, (
                f"{table}: {path.name} recorded size {task.file.file_size_in_bytes},"
                f" on disk {path.stat().st_size} (DuckDB trusts the recorded size)")


def test_pyiceberg_snapshots_specs_pruning(stage):
    """One snapshot per stage with the stage's difference (adds; removals on a re-export, which
    expire the snapshots that listed the removed files), every listed snapshot readable, the
    table UUID kept, a second partition spec after the partition-size change, and
    plan_files() with a height filter limited to that partition's files."""
    from pyiceberg.expressions import And, GreaterThanOrEqual, LessThanOrEqual
    from pyiceberg.table import StaticTable

    index = stage.stage.index
    for table in TABLES:
        tbl = StaticTable.from_metadata(str(stage.metadata_file(table)))
        meta = tbl.metadata
        uuid = str(meta.table_uuid)
        assert meta.format_version == 2
        if index == 1:
            PYICEBERG_TABLE_UUIDS[table] = uuid
        elif table in PYICEBERG_TABLE_UUIDS:
            assert uuid == PYICEBERG_TABLE_UUIDS[table], f"{table}: table UUID changed"
        snaps = meta.snapshots
        assert len(snaps) == expected_snapshots(index), (
            f"{table}: {len(snaps)} snapshots after stage {index}")
        assert meta.current_snapshot_id == snaps[-1].snapshot_id
        # Every snapshot the metadata lists is readable: time travel plans only files on disk.
        for snap in snaps:
            for task in tbl.scan(snapshot_id=snap.snapshot_id).plan_files():
                path = Path(re.sub(r"^file:(//)?", "", task.file.file_path))
                assert path.is_file(), (
                    f"{table}: snapshot {snap.snapshot_id} lists {path.name}, which is gone")
        summary = snaps[-1].summary

        def number(key):
            value = summary[key]
            return 0 if value is None else int(value)

        assert number("total-records") == stage.expected.count(table), summary
        assert number("total-data-files") == len(stage.files(table)), summary
        if index == 3:  # replacement: the partition's old files out, its new files in
            replaced = len(stage.table_files[table].get(stage.stage.start, []))
            assert number("deleted-data-files") >= 1, summary
            assert number("added-data-files") == replaced, summary
        else:
            assert number("deleted-data-files") == 0, summary
            new = [s for s in stage.table_files[table] if stage.stage.start <= s <= stage.stage.end]
            assert number("added-data-files") == sum(
                len(stage.table_files[table][s]) for s in new), summary

        # Partition specs: truncate(height, P) on field 2/12/1, evolving when P changes.
        height_id = columns(table).index("height") + 1
        specs = tbl.specs()
        widths = {}
        for spec_id, spec in specs.items():
            live = [f for f in spec.fields if str(f.transform) != "void"]
            assert len(live) == 1 and live[0].source_id == height_id, f"{table}: spec {spec}"
            widths[spec_id] = int(re.fullmatch(r"truncate\[(\d+)\]", str(live[0].transform)).group(1))
        assert widths[meta.default_spec_id] == stage.stage.partition_size, widths
        assert sorted(set(widths.values())) == sorted({p.size for p in stage.expected.partitions}), widths
        for task in tbl.scan().plan_files():
            p = stage.expected.partition_of(partition_start_of(task.file.file_path))
            assert widths[task.file.spec_id] == p.size, (
                f"{table}: {task.file.file_path} has spec {task.file.spec_id} (truncate"
                f" {widths[task.file.spec_id]}) but was exported with P={p.size}")

        # Sort order: contract section 3.
        keys = {"blocks": ["height", "indep_hash"], "transactions": ["height", "id"],
                "tags": ["height", "id", "tag_index"]}[table]
        order = tbl.sort_order()
        assert [tbl.schema().find_column_name(f.source_id) for f in order.fields] == keys, order

        # plan_files() with a height filter: only that partition's files.
        for p in stage.expected.partitions:
            planned = {Path(t.file.file_path).name for t in tbl.scan(row_filter=And(
                GreaterThanOrEqual("height", p.start), LessThanOrEqual("height", p.end))).plan_files()}
            want = {f.name for f in stage.table_files[table].get(p.start, [])}
            assert planned == want, f"{table} {p}: planned {sorted(planned)}, partition has {sorted(want)}"


# --------------------------------------------------------------------------------------------
# Spark local mode + iceberg-spark-runtime (one SparkSession for the module)
# --------------------------------------------------------------------------------------------

SPARK_TYPES = {"binary": "binary", "long": "bigint", "int": "int", "boolean": "boolean",
               "string": "string", "decimal(20, 0)": "decimal(20,0)"}
SPARK_CATALOG = "ar_io"


@pytest.fixture(scope="module")
def spark(local_pipeline, tmp_path_factory):
    import os

    from pyspark.sql import SparkSession

    jars = sorted(JARS.glob("iceberg-spark-runtime-3.5_2.12-*.jar"))
    if len(jars) != 1:
        pytest.fail(f"expected one iceberg-spark-runtime jar in {JARS}, found {jars}: {SETUP_HINT}")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    t = time.monotonic()
    catalog = f"spark.sql.catalog.{SPARK_CATALOG}"
    session = (
        SparkSession.builder.master("local[2]").appName("arexport-interop")
        .config("spark.jars", str(jars[0]))
        .config("spark.driver.extraJavaOptions", SPARK_JAVA17_OPTIONS)
        .config("spark.driver.memory", "2g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        # Hadoop catalog rooted at the warehouse's parent: namespace `default`.
        .config(catalog, "org.apache.iceberg.spark.SparkCatalog")
        .config(f"{catalog}.type", "hadoop")
        .config(f"{catalog}.warehouse", local_pipeline.datasets.as_uri())
        .config(f"{catalog}.cache-enabled", "false")
        # spark.read.format("iceberg").load(path) goes through this catalog; without it, Hive.
        .config("spark.sql.catalog.default_iceberg", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.default_iceberg.type", "hadoop")
        .config("spark.sql.catalog.default_iceberg.warehouse",
                tmp_path_factory.mktemp("spark-default").as_uri())
        .config("spark.sql.catalog.default_iceberg.cache-enabled", "false")
        .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    from pipeline import TIMINGS

    TIMINGS.append(("SparkSession start-up (not arexport)", time.monotonic() - t))
    yield session
    session.stop()


def spark_rows(df, table):
    from pyspark.sql import functions as F

    return canon_rows(table, [tuple(r) for r in df.select(*[F.col(c) for c in columns(table)]).collect()])


def test_spark_hadoop_catalog(stage, spark):
    """`ar_io.default.<table>` through a Hadoop catalog at the warehouse's parent: schema, every
    row, rows per Iceberg partition (_spec_id, _partition) and per data file (_file)."""
    for table in TABLES:
        name = f"{SPARK_CATALOG}.default.{table}"
        df = spark.table(name)
        assert [(f.name, f.dataType.simpleString()) for f in df.schema.fields] == [
            (c, SPARK_TYPES[t]) for c, t in SCHEMAS[table]], df.schema
        assert_same_rows(table, spark_rows(df, table), stage.expected.rows[table], "Spark catalog")

        per_file = {r["f"]: r["n"] for r in spark.sql(
            f"SELECT _file AS f, COUNT(*) AS n FROM {name} GROUP BY _file").collect()}
        check_files_read("Spark", table, stage, per_file)

        got = collections.Counter()
        spec_of_size = {}
        for r in spark.sql(f"SELECT _spec_id AS s, _partition AS p, COUNT(*) AS n FROM {name}"
                           " GROUP BY _spec_id, _partition").collect():
            values = [v for v in r["p"] if v is not None]
            assert len(values) == 1, f"{table}: partition tuple {r['p']}"
            got[values[0]] += r["n"]
            size = stage.expected.partition_of(values[0]).size
            assert spec_of_size.setdefault(size, r["s"]) == r["s"], (
                f"{table}: partitions exported with P={size} carry different spec ids")
        assert dict(sorted(got.items())) == stage.expected.counts_by_partition(table)
        assert len(set(spec_of_size.values())) == len(spec_of_size), (
            f"{table}: different partition sizes share one spec id: {spec_of_size}")


def test_spark_load_path(stage, spark):
    """spark.read.format("iceberg").load(<table path>)."""
    for table in TABLES:
        df = spark.read.format("iceberg").load(str(stage.table_dir(table)))
        assert df.count() == stage.expected.count(table)
        assert_same_rows(table, spark_rows(df, table), stage.expected.rows[table], "Spark load(path)")


# --------------------------------------------------------------------------------------------
# ClickHouse via chdb
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chdb():
    reason_file = VENV / "chdb-unavailable.txt"
    if reason_file.is_file():
        pytest.skip("chdb could not be installed on this machine: "
                    + " ".join(reason_file.read_text().split())[:600])
    import chdb as module

    return module


def chdb_query(chdb, sql):
    return chdb.query(sql, "ArrowTable")


def test_chdb_iceberg_local(stage, chdb, monkeypatch):
    """icebergLocal(<table dir>): counts per table and per data file / partition, and every row
    (binaries read through hex(), decimals through toString())."""
    # chdb is clickhouse-local: it reads only files under its user_files directory, which is the
    # current directory (the user_files_path option is not honoured), so run from the warehouse.
    monkeypatch.chdir(stage.warehouse)
    for table in TABLES:
        src = f"icebergLocal({sql_str(stage.table_dir(table))})"
        arrow = chdb_query(chdb, f"SELECT COUNT(*) AS n FROM {src}")
        assert arrow.column("n").to_pylist() == [stage.expected.count(table)], f"{table}: {arrow}"
        arrow = chdb_query(chdb, f"SELECT _path AS f, COUNT(*) AS n FROM {src} GROUP BY _path")
        check_files_read("chdb", table, stage, dict(zip(arrow.column("f").to_pylist(),
                                                        arrow.column("n").to_pylist())))
        select = []
        for i, (c, t) in enumerate(SCHEMAS[table]):
            expr = f"hex(`{c}`)" if t == "binary" else f"toString(`{c}`)" if t.startswith("decimal") else f"`{c}`"
            select.append(f"{expr} AS c{i}")
        arrow = chdb_query(chdb, f"SELECT {', '.join(select)} FROM {src}")
        rows = list(zip(*(arrow.column(f"c{i}").to_pylist() for i in range(len(select)))))
        assert_same_rows(table, canon_rows(table, rows), stage.expected.rows[table], "chdb")

