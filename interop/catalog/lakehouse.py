"""The two catalogs of the catalog matrix and the pipeline that exports into them.

  rest  Iceberg REST catalog server (backed by PostgreSQL) + S3 (s3proxy); arexport gets every
        setting as options: --catalog-type rest --catalog-uri ... --catalog-property ...
  jdbc  Iceberg JdbcCatalog on PostgreSQL + S3; arexport gets its settings from a
        --catalog-config properties file (secrets in a file, as an operator would do), only
        --namespace on the command line

Each CatalogPipeline owns a copy of the sample SQLite databases and goes through the stages of
the directory matrix (pipeline.STAGES: first export, incremental, re-export of a partition,
partition-size change), then MAINTENANCE: Spark runs rewrite_data_files, expire_snapshots and
rewrite_manifests on every table, and arexport re-exports a partition that Spark compacted (its
source rows changed) and exports a new range. After every stage the readers compare the tables
with the SQLite source, and `arexport verify --deep` must pass.
"""

from __future__ import annotations

import decimal
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import (FLAGS, SAMPLE_BUNDLES_DB, SAMPLE_CORE_DB, STAGES, Stage,
                      drop_items_and_resize_block, run_arexport)
from sqlite_oracle import SCHEMAS, TABLES, Expected, Partition, SourceOracle

CATALOG_NAME = "ar_io"
NAMESPACE = "default"


def _mutate_compacted_partition(core_db: Path, bundles_db: Path):
    """Changes the source inside 1400100-1400149 (compacted by Spark in MAINTENANCE)."""
    drop_items_and_resize_block(core_db, bundles_db, 1400123, 1400111, 7)


@dataclass(frozen=True)
class Export:
    start: int
    end: int
    partition_size: int


@dataclass(frozen=True)
class CatalogStage:
    """A stage: what another engine does first (maintenance), then arexport's exports."""
    index: int
    name: str
    exports: tuple[Export, ...]
    what: str
    before: object = None        # callable(core_db, bundles_db): source change
    maintenance: bool = False    # Spark's rewrite_data_files / expire_snapshots / rewrite_manifests


CATALOG_STAGES = [
    CatalogStage(s.index, s.name, (Export(s.start, s.end, s.partition_size),), s.what, s.before)
    for s in STAGES
] + [
    CatalogStage(len(STAGES) + 1, f"{len(STAGES) + 1}-spark-maintenance",
                 (Export(1400100, 1400149, 50), Export(1400250, 1400299, 25)),
                 "Spark rewrite_data_files + expire_snapshots + rewrite_manifests, then a"
                 " re-export of a compacted partition and an export of a new range",
                 before=_mutate_compacted_partition, maintenance=True),
]


@dataclass
class Catalog:
    """One catalog under test and how each party reaches it."""
    kind: str
    arexport_args: list[str]         # catalog options for export / verify
    spark_name: str                  # its name in the Spark session
    spark_conf: dict[str, str]       # spark.sql.catalog.<spark_name>.* (without the prefix)
    pyiceberg_factory: object        # () -> pyiceberg Catalog
    bucket: str
    secrets: tuple[str, ...]         # must never appear in arexport's output
    duckdb_attach: str | None = None  # ATTACH statement (REST), or None: scan metadata files

    def pyiceberg(self):
        return self.pyiceberg_factory()

    def load(self, table: str):
        return self.pyiceberg().load_table(f"{NAMESPACE}.{table}")


@dataclass
class CatalogStageState:
    stage: CatalogStage
    catalog: Catalog
    expected: Expected
    # table -> {data file: (lowest height, highest height)} the current snapshot listed right
    # before arexport's exports of the stage (after Spark's maintenance, if any)
    files_before_exports: dict[str, dict[str, tuple[int, int]]]
    outputs: list[str] = field(default_factory=list)  # arexport's stdout + stderr of the stage


class CatalogPipeline:
    def __init__(self, catalog: Catalog, root: Path, spark_factory):
        self.catalog = catalog
        self.root = root
        self.core_db = root / "sqlite" / "core.db"
        self.bundles_db = root / "sqlite" / "bundles.db"
        self.staging = root / "staging"
        self.core_db.parent.mkdir(parents=True)
        shutil.copyfile(SAMPLE_CORE_DB, self.core_db)
        shutil.copyfile(SAMPLE_BUNDLES_DB, self.bundles_db)
        self.spark_factory = spark_factory
        self.done = 0
        self.partitions: dict[int, Partition] = {}
        self.states: dict[int, CatalogStageState] = {}
        self.broken: str | None = None

    def advance_to(self, index: int) -> CatalogStageState:
        if self.broken:
            raise AssertionError(f"{self.catalog.kind}: an earlier stage failed: {self.broken}")
        if index < self.done:
            # The tables only move forward: checking an earlier stage now would compare the
            # later tables with the earlier expectations.
            raise AssertionError(f"{self.catalog.kind}: asked for stage {index}, the tables are"
                                 f" at stage {self.done} already")
        try:
            while self.done < index:
                self._run(CATALOG_STAGES[self.done])
        except BaseException as e:
            self.broken = (f"stage {self.done + 1}: "
                           f"{str(e).splitlines()[0] if str(e) else type(e).__name__}")
            raise
        return self.states[index]

    def source_args(self) -> list[str]:
        return ["--includeL1Transactions", "--includeL1Tags", "--coreDb", str(self.core_db),
                "--bundlesDb", str(self.bundles_db)]

    def export(self, e: Export, label: str):
        return run_arexport(
            f"{self.catalog.kind} {label} export {e.start}-{e.end} P={e.partition_size}",
            "export", "--startHeight", str(e.start), "--endHeight", str(e.end),
            "--heightPartitionSize", str(e.partition_size), *self.source_args(),
            "--stagingDir", str(self.staging), *self.catalog.arexport_args)

    def verify_deep(self, e: Export, label: str):
        return run_arexport(
            f"{self.catalog.kind} {label} verify --deep {e.start}-{e.end} P={e.partition_size}",
            "verify", "--startHeight", str(e.start), "--endHeight", str(e.end),
            "--heightPartitionSize", str(e.partition_size), *self.source_args(), "--deep",
            *self.catalog.arexport_args)

    def _run(self, stage: CatalogStage):
        if stage.maintenance:
            run_spark_maintenance(self.spark_factory(), self.catalog)
        files_before_exports = {t: self.files_by_height_range(t) for t in TABLES}
        if stage.before:
            stage.before(self.core_db, self.bundles_db)
        outputs = []
        for e in stage.exports:
            proc = self.export(e, f"stage {stage.index}")
            outputs.append(proc.stdout + proc.stderr)
            for p in Stage(0, "", e.start, e.end, e.partition_size, "").partitions():
                self.partitions[p.start] = p
        oracle = SourceOracle(self.core_db, self.bundles_db)
        try:
            expected = Expected.build(oracle, list(self.partitions.values()), FLAGS)
        finally:
            oracle.close()
        self.done = stage.index
        self.states[stage.index] = CatalogStageState(stage, self.catalog, expected,
                                                     files_before_exports, outputs)

    def files_by_height_range(self, table: str) -> dict[str, tuple[int, int]]:
        """{data file: (lowest, highest height)} of the current snapshot; {} before the table exists."""
        from pyiceberg.exceptions import NoSuchTableError

        try:
            t = self.catalog.load(table)
        except NoSuchTableError:
            return {}
        return {task.file.file_path: height_range(table, task.file) for task in t.scan().plan_files()}

    def exported_ranges(self) -> list[Export]:
        """Maximal runs of exported partitions with one partition size (what verify takes)."""
        out: list[Export] = []
        for p in sorted(self.partitions.values(), key=lambda p: p.start):
            if out and out[-1].partition_size == p.size and out[-1].end + 1 == p.start:
                out[-1] = Export(out[-1].start, p.end, p.size)
            else:
                out.append(Export(p.start, p.end, p.size))
        return out


HEIGHT_FIELD_ID = {t: [c for c, _ in cols].index("height") + 1 for t, cols in SCHEMAS.items()}


def height_range(table: str, data_file) -> tuple[int, int]:
    """A data file's height bounds from its manifest entry (every writer keeps full metrics for
    a long column: arexport from the Parquet footers, Spark and PyIceberg by default)."""
    fid = HEIGHT_FIELD_ID[table]
    lo, hi = data_file.lower_bounds.get(fid), data_file.upper_bounds.get(fid)
    assert lo is not None and hi is not None, f"{data_file.file_path} has no height bounds"
    return struct.unpack("<q", lo)[0], struct.unpack("<q", hi)[0]


def live_files(table) -> dict[str, tuple]:
    """{file path: (partition, record count)} of the table's current snapshot (PyIceberg)."""
    return {t.file.file_path: (str(t.file.partition), t.file.record_count)
            for t in table.scan().plan_files()}


def run_spark_maintenance(spark, catalog: Catalog, namespace: str = NAMESPACE):
    """What an analyst's Spark job does between two exports (issue 7): compaction of every
    partition with more than one file, expiry of every snapshot but the current one, and a
    manifest rewrite; then checks that each did something."""
    c = catalog.spark_name
    for table in TABLES:
        ident = f"{namespace}.{table}"
        rewritten = spark.sql(
            f"CALL {c}.system.rewrite_data_files(table => '{ident}',"
            " options => map('min-input-files', '2', 'rewrite-all', 'true'))").collect()
        assert rewritten[0]["rewritten_data_files_count"] > 0, (
            f"{catalog.kind}: Spark compacted nothing in {table}: {rewritten}")
        # Every snapshot but the current one (which expire_snapshots never removes).
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 1))
        expired = spark.sql(
            f"CALL {c}.system.expire_snapshots(table => '{ident}',"
            f" older_than => TIMESTAMP '{now}', retain_last => 1)").collect()
        assert expired[0]["deleted_data_files_count"] > 0, (
            f"{catalog.kind}: expire_snapshots deleted no data file of {table}: {expired}")
        spark.sql(f"CALL {c}.system.rewrite_manifests('{ident}')").collect()


def arrow_schema(table):
    import pyarrow as pa

    types = {"binary": pa.binary(), "long": pa.int64(), "int": pa.int32(), "boolean": pa.bool_(),
             "string": pa.string(), "decimal(20, 0)": pa.decimal128(20, 0)}
    return pa.schema([pa.field(c, types[t], nullable=(c != "height")) for c, t in SCHEMAS[table]])


def raw_value(value, iceberg_type):
    """A canonical oracle value back to what PyIceberg writes."""
    if value is None:
        return None
    if iceberg_type == "binary":
        return bytes.fromhex(value)
    if iceberg_type.startswith("decimal"):
        return decimal.Decimal(value)
    if iceberg_type == "boolean":
        return value == "true"
    return value


def write_with_pyiceberg(catalogs, namespace: str, start: int, end: int, batches: int = 1):
    """Every table of [start, end] written by PyIceberg into `namespace` of each catalog, with the
    contract's column names and types, in `batches` appends; returns the expected rows."""
    import pyarrow as pa

    oracle = SourceOracle(SAMPLE_CORE_DB, SAMPLE_BUNDLES_DB)
    try:
        want = {t: oracle.rows(t, start, end, FLAGS) for t in TABLES}
    finally:
        oracle.close()
    for catalog in catalogs.values():
        cat = catalog.pyiceberg()
        cat.create_namespace_if_not_exists(namespace)
        for table in TABLES:
            schema = arrow_schema(table)
            rows = [{c: raw_value(v, t) for (c, t), v in zip(SCHEMAS[table], row)} for row in want[table]]
            t = cat.create_table(f"{namespace}.{table}", schema=schema)
            for i in range(batches):
                t.append(pa.Table.from_pylist(rows[i::batches], schema=schema))
    return want
