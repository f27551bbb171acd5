#!/usr/bin/env bash
# Installs the consumers of the interop matrix (interop/test_interop.py), all from the package
# registries, into folders that git ignores:
#   interop/.venv                Python venv: duckdb + extension wheels, pyiceberg, pyarrow, pyspark,
#                                pytest, chdb (requirements.txt, pinned by constraints.txt)
#   interop/.jars                iceberg-spark-runtime + iceberg-aws-bundle for Spark, and the jars of
#                                the catalog matrix's services: s3proxy, iceberg-open-api (REST
#                                catalog server), the PostgreSQL driver (Maven Central)
#   interop/.duckdb_extensions   DuckDB extension directory: iceberg, avro, httpfs installed offline
#                                from the duckdb-ext-* wheels (DuckDB cannot download them here)
# Idempotent: each step is skipped when its stamp says it is already done with the same inputs.
# Fails loudly (non-zero exit, one FAILED line naming the step) when anything cannot be installed;
# the one exception is chdb, whose failure is recorded in interop/.venv/chdb-unavailable.txt and
# turns its tests into skips that quote the reason.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
jars="$here/.jars"
extdir="$here/.duckdb_extensions"

SPARK_RUNTIME="org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.1"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

step="start"
started=$SECONDS
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "interop/setup.sh: FAILED during: $step (exit $rc)" >&2; fi' EXIT
fail() { echo "interop/setup.sh: FAILED: $*" >&2; exit 1; }
say() { echo "interop/setup.sh: $*" >&2; }

step="checking tools"
command -v python3 >/dev/null || fail "python3 is not on PATH (Python >= 3.11 is needed)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "python3 is $(python3 -V 2>&1); Python >= 3.11 is needed (pyarrow 26, pinned in constraints.txt)"
command -v java >/dev/null || fail "java is not on PATH (Java 17 is needed for Spark and arexport)"
command -v mvn >/dev/null || fail "mvn is not on PATH (Maven fetches the Spark runtime jar)"

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# 1. Python venv with the pinned consumers.
step="Python venv"
req="$here/requirements.txt"
con="$here/constraints.txt"
want="$(hash_of "$req" "$con")"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  t=$SECONDS
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed (Debian: apt-get install python3-venv)"
  fi
  rm -f "$venv/.installed" "$venv/chdb-unavailable.txt"
  pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input)
  step="pip install of requirements.txt (without chdb)"
  main_req="$(mktemp)"
  grep -v -E '^chdb([^a-zA-Z0-9_-]|$)' "$req" > "$main_req"
  if ! "${pip[@]}" install -q -r "$main_req" -c "$con"; then
    rm -f "$main_req"
    fail "pip could not install interop/requirements.txt (see pip's messages above)"
  fi
  rm -f "$main_req"
  step="checking the installed consumers"
  "$venv/bin/python" - <<'EOF' || fail "the installed consumers do not import (see above)"
import duckdb, pyarrow, pyiceberg, pyspark, pytest  # noqa: F401
import psycopg2, sqlalchemy  # noqa: F401  (PyIceberg's SqlCatalog on PostgreSQL)
from pyiceberg.catalog.sql import SqlCatalog  # noqa: F401
from pyiceberg.table import StaticTable  # noqa: F401
EOF
  step="pip install of chdb"
  chdb_spec="$(grep -E '^chdb([^a-zA-Z0-9_-]|$)' "$req" | head -n 1 | sed 's/[[:space:]]*#.*//')"
  chdb_log="$(mktemp)"
  if "${pip[@]}" install -q "$chdb_spec" -c "$con" >"$chdb_log" 2>&1 \
      && "$venv/bin/python" -c 'import chdb; chdb.query("SELECT 1", "CSV")' >>"$chdb_log" 2>&1; then
    :
  else
    {
      echo "$chdb_spec could not be installed or imported on $(uname -sm), Python $(python3 -V 2>&1 | cut -d' ' -f2):"
      tail -n 5 "$chdb_log"
    } > "$venv/chdb-unavailable.txt"
    say "WARNING: chdb is unavailable; its tests will be skipped. Reason:"
    sed 's/^/    /' "$venv/chdb-unavailable.txt" >&2
  fi
  rm -f "$chdb_log"
  echo "$want" > "$venv/.installed"
  say "Python consumers installed in $((SECONDS - t)) s"
fi

# 2. The Iceberg runtime for Spark, from Maven Central.
step="mvn dependency:copy of $SPARK_RUNTIME"
IFS=: read -r _group artifact version <<<"$SPARK_RUNTIME"
jar="$jars/$artifact-$version.jar"
if [ ! -s "$jar" ]; then
  t=$SECONDS
  mkdir -p "$jars"
  rm -f "$jars/$artifact-"*.jar  # the tests load the one runtime jar found here
  # Run outside the project so Maven does not resolve the project's own build.
  mvn_log="$(mktemp)"
  if ! (cd "$here" && mvn -q -B -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" \
      -Dartifact="$SPARK_RUNTIME" -DoutputDirectory="$jars" -Dmdep.overWriteReleases=true) \
      >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -f "$mvn_log"
    fail "Maven could not fetch $SPARK_RUNTIME into $jars (Maven's output is above)"
  fi
  rm -f "$mvn_log"
  [ -s "$jar" ] || fail "Maven ran but $jar is missing"
  say "Spark runtime jar fetched in $((SECONDS - t)) s"
fi

# 2b. The catalog matrix (interop/catalog): Iceberg's S3 client bundle for Spark, and the test
# services' jars (run as child processes by interop/services.py, never on a classpath together):
# s3proxy, Iceberg's REST catalog server (212 MB, fetched once into the Maven cache) and the
# PostgreSQL JDBC driver that server needs.
for coords in "org.apache.iceberg:iceberg-aws-bundle:1.10.1" \
              "org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies" \
              "org.apache.iceberg:iceberg-open-api:1.10.1" \
              "org.postgresql:postgresql:42.7.8"; do
  IFS=: read -r _group artifact version _packaging classifier <<<"$coords"
  jar="$jars/$artifact-$version${classifier:+-$classifier}.jar"
  step="mvn dependency:copy of $coords"
  if [ ! -s "$jar" ]; then
    t=$SECONDS
    mkdir -p "$jars"
    mvn_log="$(mktemp)"
    if ! (cd "$here" && mvn -q -B -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" \
        -Dartifact="$coords" -DoutputDirectory="$jars" -Dmdep.overWriteReleases=true) \
        >"$mvn_log" 2>&1; then
      cat "$mvn_log" >&2
      rm -f "$mvn_log"
      fail "Maven could not fetch $coords into $jars (Maven's output is above)"
    fi
    rm -f "$mvn_log"
    [ -s "$jar" ] || fail "Maven ran but $jar is missing"
    say "$artifact fetched in $((SECONDS - t)) s"
  fi
done

# 3. DuckDB extensions, installed offline from the wheels into a local extension directory.
step="offline install of the DuckDB extensions"
ext_stamp="$extdir/.installed"
want_ext="$(hash_of "$req" "$con")"
if [ "$(cat "$ext_stamp" 2>/dev/null)" != "$want_ext" ]; then
  t=$SECONDS
  mkdir -p "$extdir"
  rm -f "$ext_stamp"
  "$venv/bin/python" - "$extdir" <<'EOF' || fail "DuckDB extensions could not be installed (see above)"
import importlib.metadata as md
import sys
from pathlib import Path

import duckdb

extdir = sys.argv[1]
con = duckdb.connect()
con.execute("SET autoinstall_known_extensions = false")
con.execute("SET autoload_known_extensions = false")
con.execute("SET extension_directory = ?", [extdir])
platform = con.execute("PRAGMA platform").fetchone()[0]
release = "v" + duckdb.__version__
for name in ("avro", "iceberg", "httpfs"):
    dist = f"duckdb-ext-{name}"
    try:
        files = md.files(dist) or []
    except md.PackageNotFoundError:
        sys.exit(f"{dist} is not installed in the venv")
    wanted = f"{release}/{platform}/{name}.duckdb_extension"
    found = [f for f in files if str(f).endswith(wanted)]
    if not found:
        shipped = [str(f) for f in files if str(f).endswith(".duckdb_extension")]
        sys.exit(f"{dist} ships no {wanted} (it has {shipped}); its version must match duckdb {duckdb.__version__}")
    source = Path(found[0].locate()).resolve()
    con.execute(f"FORCE INSTALL '{source}'")
    con.execute(f"LOAD {name}")
rows = con.execute(
    "SELECT extension_name, extension_version, install_path FROM duckdb_extensions()"
    " WHERE extension_name IN ('avro', 'iceberg', 'httpfs') AND loaded").fetchall()
if len(rows) != 3 or not all(r[2].startswith(extdir) for r in rows):
    sys.exit(f"extensions not loaded from {extdir}: {rows}")
for r in rows:
    print(f"interop/setup.sh: duckdb {duckdb.__version__} {r[0]} {r[1]} -> {r[2]}", file=sys.stderr)
EOF
  echo "$want_ext" > "$ext_stamp"
  say "DuckDB extensions installed in $((SECONDS - t)) s"
fi

step="done"
chdb_note=""
[ -f "$venv/chdb-unavailable.txt" ] && chdb_note=" (chdb UNAVAILABLE: see $venv/chdb-unavailable.txt)"
say "ready in $((SECONDS - started)) s$chdb_note"
