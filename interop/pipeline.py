"""Drives arexport through its shell launcher (scripts/arexport) the way an operator would, over
the four stages of the interop matrix, and keeps what each stage must look like afterwards.

Each Pipeline owns a copy of the sample SQLite databases, a warehouse and a staging directory, so
the local warehouse and the HTTP-served one go through the same stages independently.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlite_oracle import TABLES, Expected, Flags, Partition, SourceOracle

REPO = Path(__file__).resolve().parent.parent
ARexport = REPO / "scripts" / "arexport"
SAMPLE_CORE_DB = REPO / "testdata" / "core.db"
SAMPLE_BUNDLES_DB = REPO / "testdata" / "bundles.db"
BASE_PATH = "/local/datasets/default"

# What Spark 3.5 itself passes on Java 17 (its launcher's JavaModuleOptions), for the Spark
# sessions of both matrices.
SPARK_JAVA17_OPTIONS = " ".join(["-XX:+IgnoreUnrecognizedVMOptions"] + [
    f"--add-opens={m}=ALL-UNNAMED" for m in (
        "java.base/java.lang", "java.base/java.lang.invoke", "java.base/java.lang.reflect",
        "java.base/java.io", "java.base/java.net", "java.base/java.nio", "java.base/java.util",
        "java.base/java.util.concurrent", "java.base/java.util.concurrent.atomic",
        "java.base/sun.nio.ch", "java.base/sun.nio.cs", "java.base/sun.security.action",
        "java.base/sun.util.calendar", "java.security.jgss/sun.security.krb5")
] + ["-Djdk.reflect.useDirectMethodHandle=false"])

# Wall-clock seconds of every arexport command the suite ran: (label, seconds).
TIMINGS: list[tuple[str, float]] = []


def drop_items_and_resize_block(core_db: Path, bundles_db: Path, items_height: int,
                                block_height: int, size_delta: int):
    """Changes the source so that a re-export is visible: the data items of `items_height`
    (and their tags) disappear and the block at `block_height` grows by `size_delta` bytes."""
    b = sqlite3.connect(bundles_db)
    with b:
        b.execute("DELETE FROM stable_data_item_tags WHERE data_item_id IN"
                  " (SELECT id FROM stable_data_items WHERE height = ?)", (items_height,))
        gone = b.execute("DELETE FROM stable_data_items WHERE height = ?",
                         (items_height,)).rowcount
    b.close()
    c = sqlite3.connect(core_db)
    with c:
        changed = c.execute("UPDATE stable_blocks SET block_size = block_size + ?"
                            " WHERE height = ?", (size_delta, block_height)).rowcount
    c.close()
    assert gone > 0 and changed == 1, \
        f"sample data has no rows at heights {items_height}/{block_height}"


def _mutate_for_replacement(core_db: Path, bundles_db: Path):
    """Changes the source inside partition 1400050-1400099: a reader that still saw the replaced
    files would count the old rows."""
    drop_items_and_resize_block(core_db, bundles_db, 1400077, 1400060, 1)


@dataclass(frozen=True)
class Stage:
    index: int
    name: str
    start: int
    end: int
    partition_size: int
    what: str
    before: object = None  # callable(core_db, bundles_db) run on the source before the export

    def partitions(self) -> list[Partition]:
        """Contract section 3: partitions aligned to multiples of P, cut to [start, end]."""
        p = self.partition_size
        out, k = [], self.start // p
        while k * p <= self.end:
            out.append(Partition(max(k * p, self.start), min(k * p + p - 1, self.end), p))
            k += 1
        return out


STAGES = [
    Stage(1, "1-first-export", 1400000, 1400099, 50, "first export + metadata"),
    Stage(2, "2-incremental", 1400100, 1400199, 50, "export of a new range + metadata"),
    Stage(3, "3-replace-partition", 1400050, 1400099, 50,
          "re-export of an existing partition after its source rows changed + metadata",
          before=_mutate_for_replacement),
    Stage(4, "4-spec-evolution", 1400200, 1400249, 25,
          "export of a new range with --heightPartitionSize 25 + metadata"),
]
FLAGS = Flags(include_l1_transactions=True, include_l1_tags=True)


def run_arexport(label: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    cmd = [str(ARexport), *args]
    t = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    TIMINGS.append((label, time.monotonic() - t))
    if proc.returncode != 0:
        raise AssertionError(
            f"{label}: `{' '.join(cmd)}` exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


@dataclass
class StageState:
    """What one pipeline holds after a stage, for the consumers to check."""
    stage: Stage
    warehouse: Path
    expected: Expected
    datasets_root: str | None  # URL root the metadata was written with, None for file: paths
    table_files: dict[str, dict[int, list[Path]]]  # table -> partition start -> data files

    def table_dir(self, table) -> Path:
        return self.warehouse / table

    def version(self, table) -> int:
        return int((self.table_dir(table) / "metadata" / "version-hint.text").read_text().strip())

    def metadata_file(self, table) -> Path:
        return self.table_dir(table) / "metadata" / f"v{self.version(table)}.metadata.json"

    def metadata_url(self, table) -> str:
        return f"{self.datasets_root}/{table}/metadata/v{self.version(table)}.metadata.json"

    def files(self, table) -> list[Path]:
        return [f for fs in self.table_files[table].values() for f in fs]


class Pipeline:
    def __init__(self, name: str, root: Path, datasets_root: str | None = None):
        self.name = name
        self.root = root
        self.datasets_root = datasets_root
        self.core_db = root / "sqlite" / "core.db"
        self.bundles_db = root / "sqlite" / "bundles.db"
        self.datasets = root / "datasets"  # a Spark Hadoop catalog's warehouse
        self.warehouse = self.datasets / "default"
        self.staging = root / "staging"
        self.done = 0
        self.partitions: dict[int, Partition] = {}
        self.states: dict[int, StageState] = {}
        self.broken: str | None = None
        self.server: Server | None = None  # set when the warehouse is served over HTTP
        self.core_db.parent.mkdir(parents=True)
        shutil.copyfile(SAMPLE_CORE_DB, self.core_db)
        shutil.copyfile(SAMPLE_BUNDLES_DB, self.bundles_db)
        self.warehouse.mkdir(parents=True)

    def advance_to(self, index: int) -> StageState:
        if self.broken:
            raise AssertionError(f"{self.name}: an earlier stage failed: {self.broken}")
        try:
            while self.done < index:
                self._run(STAGES[self.done])
        except BaseException as e:
            self.broken = f"stage {self.done + 1}: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
            raise
        return self.states[index]

    def _run(self, stage: Stage):
        if stage.before:
            stage.before(self.core_db, self.bundles_db)
        run_arexport(
            f"{self.name} stage {stage.index} export {stage.start}-{stage.end} P={stage.partition_size}",
            "export", "--startHeight", str(stage.start), "--endHeight", str(stage.end),
            "--heightPartitionSize", str(stage.partition_size),
            "--includeL1Transactions", "--includeL1Tags",
            "--coreDb", str(self.core_db), "--bundlesDb", str(self.bundles_db),
            "--warehouseDir", str(self.warehouse), "--stagingDir", str(self.staging))
        meta = ["metadata", "--datasets-dir", str(self.warehouse)]
        if self.datasets_root:
            meta += ["--datasets-root", self.datasets_root]
        run_arexport(f"{self.name} stage {stage.index} metadata", *meta)
        for p in stage.partitions():
            self.partitions[p.start] = p
        oracle = SourceOracle(self.core_db, self.bundles_db)
        try:
            expected = Expected.build(oracle, list(self.partitions.values()), FLAGS)
        finally:
            oracle.close()
        self.done = stage.index
        self.states[stage.index] = StageState(stage, self.warehouse, expected, self.datasets_root,
                                              self._scan_files())

    def _scan_files(self) -> dict[str, dict[int, list[Path]]]:
        out = {}
        for table in TABLES:
            per = {}
            data = self.warehouse / table / "data"
            for d in sorted(data.iterdir()) if data.is_dir() else []:
                m = re.fullmatch(r"height=(\d+)-(\d+)", d.name)
                if m and d.is_dir():
                    per[int(m.group(1))] = sorted(d.glob("*.parquet"))
            out[table] = per
        return out


class Server:
    """`arexport serve` on a warehouse: the URL it prints on stdout, its access log (stderr) in a
    file, stopped at the end."""

    def __init__(self, warehouse: Path, log_file: Path):
        self.log_file = log_file
        self._log = open(log_file, "w")
        cmd = [str(ARexport), "serve", "--warehouseDir", str(warehouse), "--port", "0",
               "--base-path", BASE_PATH]
        t = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=self._log,
                                     text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()

        def pump():
            for line in self.proc.stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 120
        url = None
        seen = []
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            m = re.search(r"https?://[^\s\"'<>]+", line)
            if m:
                url = m.group(0).rstrip("/.,;")
        if url is None:
            self.stop()
            raise AssertionError(
                f"`{' '.join(cmd)}` printed no URL (exit {self.proc.returncode});"
                f" stdout: {''.join(seen)[-2000:]!r}; stderr: {log_file.read_text()[-2000:]!r}")
        TIMINGS.append(("arexport serve start-up", time.monotonic() - t))
        m = re.match(r"(https?://[^/]+)(/.*)?$", url)
        self.origin = m.group(1)
        self.datasets_root = self.origin + BASE_PATH

    def log_text(self) -> str:
        self._log.flush()
        return self.log_file.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
