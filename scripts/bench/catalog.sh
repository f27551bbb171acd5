# scripts/bench-export --catalog (sourced by scripts/bench-export; see its header and
# docs/performance.md, "Catalog mode"). Uses the caller's fixture, end, cores, runs, work,
# results, measure and export_run.

services=build/bench/services
services_pid=""
stop_services() {
  # The end of BenchServices' stdin stops it: it deletes the catalog configs, closes the REST
  # server, PostgreSQL and s3proxy and deletes their scratch directories. TERM only if it does
  # not go within a minute.
  exec 8>&- 2>/dev/null || true
  if [ -n "$services_pid" ]; then
    for _ in $(seq 60); do kill -0 "$services_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$services_pid" 2>/dev/null; then
      echo "bench-export: services did not stop within 60 s; sending TERM" >&2
      kill -TERM "$services_pid" 2>/dev/null || true
      wait "$services_pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$services"  # the 0600 catalog configs with the secrets
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench-export: starting s3proxy, PostgreSQL and the REST catalog on 127.0.0.1 ..." >&2
rm -rf "$services"
mkdir -p "$services"
mkfifo "$services/stdin"
# target/classes first: arexport's logging set-up (cli/StderrLogConfigurator) applies.
java -Xmx256m \
  -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" io.arexport.testing.BenchServices \
  "$services" < "$services/stdin" > "$services/ready" 2> "$services/services.log" &
services_pid=$!
exec 8> "$services/stdin"  # held open until stop_services; the kernel closes it if we die
for _ in $(seq 300); do
  grep -q '^ready ' "$services/ready" 2>/dev/null && break
  kill -0 "$services_pid" 2>/dev/null \
    || { echo "bench-export: the services did not start:" >&2; tail -40 "$services/services.log" >&2; exit 1; }
  sleep 1
done
grep -q '^ready ' "$services/ready" \
  || { echo "bench-export: the services did not start within 300 s" >&2; exit 1; }
echo "bench-export: services $(cut -d' ' -f2- "$services/ready")" >&2

# stamp: each line with the time it was written (the logs have none), so that table creation,
# the job's start and each commit ("committed snapshot") can be placed in time afterwards.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
rounds=build/bench/rounds
rm -rf "$rounds"
mkdir -p "$rounds"
catalog_run() { # ROUND: the export of directory mode, to S3 through the REST catalog instead
  set -o pipefail
  rm -rf "$work-catalog"
  echo "$EPOCHREALTIME arexport started" > "$rounds/catalog-$1.log"
  { scripts/arexport export --startHeight 0 --endHeight "$end" \
      --includeL1Transactions --includeL1Tags --threads "$cores" \
      --coreDb "$fixture/core.db" --bundlesDb "$fixture/bundles.db" \
      --stagingDir "$work-catalog/staging" \
      --catalog-config "$services/rest.properties" --namespace "bench_ab_$1" \
      --json > build/bench/catalog-summary.json; } 2>&1 | stamp >> "$rounds/catalog-$1.log"
  local rc=$?  # arexport's (pipefail): measure must see a failed export
  echo "$EPOCHREALTIME arexport ended" >> "$rounds/catalog-$1.log"
  [ "$rc" -eq 0 ] || cat "$rounds/catalog-$1.log" >&2
  return "$rc"
}
directory_run() { # ROUND: export_run, its stderr stamped like catalog_run's
  set -o pipefail
  echo "$EPOCHREALTIME arexport started" > "$rounds/directory-$1.log"
  { export_run "$cores"; } 2>&1 | stamp >> "$rounds/directory-$1.log"
  local rc=$?
  echo "$EPOCHREALTIME arexport ended" >> "$rounds/directory-$1.log"
  [ "$rc" -eq 0 ] || cat "$rounds/directory-$1.log" >&2
  return "$rc"
}
metadata_run() { scripts/arexport metadata --datasets-dir "$work/warehouse"; }
export -f catalog_run directory_run metadata_run stamp
export services rounds

echo "bench-export: warm-up (page cache) ..." >&2
cat "$fixture/core.db" "$fixture/bundles.db" > /dev/null
for run in $(seq "$runs"); do
  echo "round $run (load average $(cut -d' ' -f1-3 /proc/loadavg)):" >&2
  if [ $((run % 2)) -eq 1 ]; then
    measure directory bash -c "directory_run $run"
    measure dir-metadata bash -c metadata_run
    measure catalog bash -c "catalog_run $run"
  else
    measure catalog bash -c "catalog_run $run"
    measure directory bash -c "directory_run $run"
    measure dir-metadata bash -c metadata_run
  fi
done

# Both sides exported the same rows (the summaries' counts; verify checks the writers' tables).
rows=$(python3 - build/bench/summary.json build/bench/catalog-summary.json <<'EOPY'
import json, sys
directory, catalog = ({n: c["rows"] for n, c in json.load(open(f))["tables"].items()}
                      for f in sys.argv[1:])
if directory != catalog:
    sys.exit(f"bench-export: catalog mode exported {catalog}, directory mode {directory}")
print(",".join(f"{n}={r}" for n, r in directory.items()), "(total", sum(directory.values()), end=")")
EOPY
) || exit 1

# Three writers per catalog.
writer_results=build/bench/writers.tsv
: > "$writer_results"
p="$writer_p"
parts=$(( (end + p) / p ))  # partitions of p heights in 0..end
[ "$parts" -ge 4 ] || { echo "bench-export: --writer-partition-size $p leaves fewer than 4 partitions" >&2; exit 2; }
rest_parts=$((parts - 1))
chunk=$(( (rest_parts + 2) / 3 ))
for kind in $writer_catalogs; do
  cfg="$services/$kind.properties"
  [ -f "$cfg" ] || { echo "bench-export: unknown writer catalog $kind (rest, jdbc)" >&2; exit 2; }
  dir="$work-writers/$kind"
  ns=bench_writers
  rm -rf "$dir"
  mkdir -p "$dir"
  writer_args=(--includeL1Transactions --includeL1Tags --heightPartitionSize "$p"
    --coreDb "$fixture/core.db" --bundlesDb "$fixture/bundles.db"
    --catalog-config "$cfg" --namespace "$ns")
  echo "writers ($kind, load average $(cut -d' ' -f1-3 /proc/loadavg)): tables first (heights 0-$((p - 1))) ..." >&2
  # The tables exist before the writers start, so they do not race to create them.
  scripts/arexport export --startHeight 0 --endHeight $((p - 1)) "${writer_args[@]}" \
    --stagingDir "$dir/w0/staging" --json > "$dir/w0.json" 2> "$dir/w0.log" \
    || { echo "bench-export: creating the $kind tables failed:" >&2; tail -20 "$dir/w0.log" >&2; exit 1; }
  t0=$EPOCHREALTIME
  writer_pids=()
  for i in 1 2 3; do
    first=$((1 + (i - 1) * chunk)) last=$((i * chunk))
    [ "$last" -le "$rest_parts" ] || last=$rest_parts
    s=$((first * p)) e=$(( (last + 1) * p - 1 ))
    [ "$e" -le "$end" ] || e=$end
    echo "  writer $i: heights $s-$e" >&2
    (
      set -o pipefail
      rc=0
      { scripts/arexport export --startHeight "$s" --endHeight "$e" "${writer_args[@]}" \
          --stagingDir "$dir/w$i/staging" --json > "$dir/w$i.json"; } 2>&1 | stamp > "$dir/w$i.log" \
        || rc=$?
      echo "$rc" > "$dir/w$i.rc"
    ) &
    writer_pids+=($!)
  done
  wait "${writer_pids[@]}"  # not a bare wait: BenchServices is a child too
  t1=$EPOCHREALTIME
  status_ok=true
  scripts/arexport status --catalog-config "$cfg" --namespace "$ns" --json \
    > "$dir/status.json" 2> "$dir/status.log" || status_ok=false
  verify_rc=0
  scripts/arexport verify --startHeight 0 --endHeight "$end" "${writer_args[@]}" --json \
    > "$dir/verify.json" 2> "$dir/verify.log" || verify_rc=$?
  python3 - "$kind" "$t0" "$t1" "$dir" "$status_ok" "$verify_rc" "$rest_parts" >> "$writer_results" <<'EOPY'
import glob, json, os, sys
kind, t0, t1, d, status_ok, verify_rc, parts = sys.argv[1:]
t0, t1 = float(t0), float(t1)
commits, retries, rcs = [], 0, []
for i in (1, 2, 3):
    rcs.append(int(open(f"{d}/w{i}.rc").read()))
    for line in open(f"{d}/w{i}.log", errors="replace"):
        stamp, _, msg = line.partition(" ")
        if "committed snapshot" in msg:
            commits.append(float(stamp))
        if "Retrying task after failure" in msg:
            retries += 1
snapshots = "?"
if status_ok == "true":
    try:
        tables = json.load(open(f"{d}/status.json"))["tables"]
        snapshots = ",".join(f"{n}={(t['iceberg'] or {}).get('snapshots')}/{t['partitions']}p"
                             for n, t in tables.items())
    except Exception as e:  # the status keys are documented; report rather than fail the bench
        snapshots = f"unread({e.__class__.__name__})"
commits.sort()
wall = t1 - t0
steady = (len(commits) - 1) / (commits[-1] - commits[0]) * 60 if len(commits) > 1 else 0
print(kind, f"{wall:.1f}", len(commits), 3 * int(parts), f"{len(commits) / wall * 60:.1f}",
      f"{steady:.1f}", retries, sum(1 for r in rcs if r == 3),
      sum(1 for r in rcs if r not in (0, 3)), verify_rc, snapshots, sep="\t")
EOPY
  tail -1 "$writer_results" | awk -F'\t' '{printf "  %s: %s s, %s commits (expected %s), %s commits/min overall, %s/min between first and last commit, %s retried, %s exited 3, %s failed, verify exit %s, snapshots %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11}' >&2
done

# No secret of the catalog configs in anything this bench or arexport wrote.
python3 - "$services" build/bench/rounds "$work-writers" build/bench/last.log \
  build/bench/catalog-summary.json "$services/services.log" "$services/ready" <<'EOPY' || exit 1
import os, sys
secrets = set()
for name in ("rest.properties", "jdbc.properties"):
    for line in open(os.path.join(sys.argv[1], name)):
        key, _, value = line.rstrip("\n").partition("=")
        if any(w in key for w in ("secret", "password", "token", "credential")) and value:
            secrets.add(value)
files = []
for path in sys.argv[2:]:
    if os.path.isdir(path):
        files += [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs
                  if f.endswith((".log", ".json"))]
    elif os.path.isfile(path):
        files.append(path)
leaks = [f for f in files if any(s in open(f, errors="replace").read() for s in secrets)]
if leaks:
    print("bench-export: a catalog secret appears in " + ", ".join(leaks), file=sys.stderr)
    sys.exit(1)
print(f"bench-export: no catalog secret in the {len(files)} logs and summaries written",
      file=sys.stderr)
EOPY

python3 - "$results" "$writer_results" "$fixture" "$(du -sh "$fixture" | cut -f1)" "$cores" "$p" \
  "$rows" <<'EOPY'
import statistics, sys
from collections import defaultdict
results, writers, fixture, size, cores, p, rows = sys.argv[1:]
runs = defaultdict(list)
for line in open(results):
    name, wall, cpu, rss = line.split()
    runs[name].append((float(wall), float(cpu), int(rss)))
def med(name, i):
    return statistics.median(r[i] for r in runs[name])
print(f"fixture:        {fixture} ({size} of SQLite), rows {rows}, the same in both modes")
print(f"export:         --threads {cores}, default partitions")
print(f"{'side':<13} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}   (medians of {len(runs['catalog'])} rounds)")
for name in ["directory", "dir-metadata", "catalog"]:
    print(f"{name:<13} {med(name, 0):8.2f} {med(name, 1):8.2f} {max(r[2] for r in runs[name]) / 1024:13.0f}")
rounds = list(zip(runs["catalog"], runs["directory"], runs["dir-metadata"]))
for label, f in [("catalog / directory", lambda c, d, m: (c[0] / d[0], c[1] / d[1])),
                 ("catalog / (directory + dir-metadata)",
                  lambda c, d, m: (c[0] / (d[0] + m[0]), c[1] / (d[1] + m[1])))]:
    ratios = [f(*r) for r in rounds]
    print(f"{label}: wall per round " + " ".join(f"{w:.2f}" for w, _ in ratios)
          + f" (median {statistics.median(w for w, _ in ratios):.2f}); CPU per round "
          + " ".join(f"{c:.2f}" for _, c in ratios)
          + f" (median {statistics.median(c for _, c in ratios):.2f})")
# Where the time goes, from the stamped stderr of each round: start-up (JVM, catalog, tables)
# until "starting job", the job until its last line, and in catalog mode the commits.
import glob, re
def phases(log):
    t = {}
    commits = []
    for line in open(log, errors="replace"):
        stamp, _, msg = line.partition(" ")
        stamp = float(stamp)
        t.setdefault("first", stamp)
        if msg.startswith("arexport started"):
            t["start"] = stamp
        elif "starting job" in msg:
            t["job"] = stamp
        elif msg.startswith("arexport ended"):
            t["end"] = stamp
        elif "committed snapshot" in msg:
            commits.append((stamp, msg))
    return t, commits
for side in ["directory", "catalog"]:
    setup, body, gaps, firsts = [], [], [], []
    for log in sorted(glob.glob(f"build/bench/rounds/{side}-*.log")):
        t, commits = phases(log)
        if "job" not in t or "end" not in t:
            continue
        setup.append(t["job"] - t["start"])
        body.append(t["end"] - t["job"])
        # blocks -> transactions -> tags of one partition: the gap is the next table's
        # refresh, footer read, upload and commit (the next partition is staged meanwhile)
        for (a, ma), (b, mb) in zip(commits, commits[1:]):
            if ma.split(": committed")[0].split(" ")[-1] == mb.split(": committed")[0].split(" ")[-1]:
                gaps.append(b - a)
    if setup:
        line = (f"{side:<10} start-up until the job starts {statistics.median(setup):6.2f} s,"
                f" the job {statistics.median(body):6.2f} s (medians)")
        if gaps:
            line += (f"; {len(gaps)} table commits after a partition's first: median"
                     f" {statistics.median(gaps):.2f} s each (refresh + upload + commit)")
        print(line)
print(f"three writers, --heightPartitionSize {p}, 3 commits per partition (one per table):")
print(f"{'catalog':<8} {'wall s':>7} {'commits':>8} {'expected':>9} {'per min':>8} {'first-last/min':>15}"
      f" {'retried':>8} {'exit 3':>7} {'failed':>7} {'verify':>7}  snapshots/partitions per table (incl. the creating export's)")
for line in open(writers):
    kind, wall, commits, expected, rate, steady, retried, conflicts, failed, verify, snaps = \
        line.rstrip("\n").split("\t")
    print(f"{kind:<8} {wall:>7} {commits:>8} {expected:>9} {rate:>8} {steady:>15} {retried:>8}"
          f" {conflicts:>7} {failed:>7} {'ok' if verify == '0' else 'exit ' + verify:>7}  {snaps}")
EOPY
