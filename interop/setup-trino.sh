#!/usr/bin/env bash
# Installs Trino 476 for the extended catalog matrix (scripts/run-interop --distributed, not CI):
# io.trino:trino-server-core:476 (tar.gz) with the io.trino:trino-iceberg:476 plugin (zip), from
# Maven Central into the Maven cache, unpacked into interop/.trino (git-ignored). Trino 476 needs
# Java 24+: TRINO_JAVA_HOME, else the Temurin 25 JDK at /usr/lib/jvm/temurin-25-jdk-amd64.
# Idempotent (a stamp per version).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRINO_VERSION=476
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
dest="$here/.trino"
server="$dest/trino-server-core-$TRINO_VERSION"
fail() { echo "interop/setup-trino.sh: FAILED: $*" >&2; exit 1; }

java_home="${TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$java_home/bin/java" ] || fail "no Java 24+ at $java_home (set TRINO_JAVA_HOME)"
feature="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${feature:-0}" -ge 24 ] 2>/dev/null || fail "$java_home is Java $feature; Trino $TRINO_VERSION needs 24+"

if [ "$(cat "$dest/.installed" 2>/dev/null)" = "$TRINO_VERSION" ] && [ -d "$server/plugin/iceberg" ]; then
  exit 0
fi
t=$SECONDS
rm -rf "$dest"
mkdir -p "$dest/dist"
for coords in "io.trino:trino-server-core:$TRINO_VERSION:tar.gz" "io.trino:trino-iceberg:$TRINO_VERSION:zip"; do
  log="$(mktemp)"
  if ! (cd "$here" && mvn -q -B -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" -Dartifact="$coords" \
      -DoutputDirectory="$dest/dist") >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    fail "Maven could not fetch $coords"
  fi
  rm -f "$log"
done
tar xzf "$dest/dist/trino-server-core-$TRINO_VERSION.tar.gz" -C "$dest"
mkdir -p "$dest/iceberg-zip"
(cd "$dest/iceberg-zip" && "$java_home/bin/jar" xf "$dest/dist/trino-iceberg-$TRINO_VERSION.zip")
plugin_dir="$(dirname "$(find "$dest/iceberg-zip" -name '*.jar' -print -quit)")"
[ -n "$plugin_dir" ] || fail "no jar in trino-iceberg-$TRINO_VERSION.zip"
mv "$plugin_dir" "$server/plugin/iceberg"
rm -rf "$dest/iceberg-zip" "$dest/dist"
echo "$TRINO_VERSION" > "$dest/.installed"
echo "interop/setup-trino.sh: Trino $TRINO_VERSION + iceberg plugin in $server ($((SECONDS - t)) s)" >&2
