#!/usr/bin/env bash
# Export the job graph (with the operator IDs Flink computes) and the compiled plan of a Flink
# SQL script, using the released Flink jars of one version. Usually run as
#   spcompat export-sql SCRIPT --flink 1.20.3 -o job.json [--plan plan.json]
# which calls:
#   tools/export-sql/export-sql.sh --flink VERSION --script FILE --out JOB.json \
#       [--plan-out PLAN.json] [--from-plan] [--parallelism N]
#
# Fetches the jars with fixtures/generator/fetch-flink.sh (cached in fixtures/.cache/flink-VERSION/,
# or $SPCOMPAT_FIXTURE_CACHE) and compiles the helper into the cache when its sources changed.
# Needs java and javac (17), and pip for the first download of a version.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${SPCOMPAT_FIXTURE_CACHE:-$ROOT/fixtures/.cache}"

version=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) version="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -z "$version" ]; then
  echo "usage: $0 --flink VERSION --script FILE --out JOB.json [--plan-out PLAN.json] [--from-plan] [--parallelism N]" >&2
  exit 2
fi
for tool in java javac; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "export-sql: '$tool' not found on PATH; install a JDK (17) to export SQL job graphs" >&2
    exit 3
  fi
done

"$ROOT/fixtures/generator/fetch-flink.sh" "$version" >/dev/null
cp="$(cat "$CACHE/flink-$version/classpath.txt")"

classes="$(compile_dir="$CACHE/export-sql-classes-$version"; echo "$compile_dir")"
stamp="$classes/.stamp"
if [ ! -f "$stamp" ] || [ -n "$(find "$HERE/src" -name '*.java' -newer "$stamp" | head -n1)" ]; then
  rm -rf "$classes"; mkdir -p "$classes"
  echo "export-sql: compiling the helper for Flink $version" >&2
  # shellcheck disable=SC2046
  javac -nowarn -encoding UTF-8 --release 11 -cp "$cp" -d "$classes" $(find "$HERE/src" -name '*.java' | sort) 2>&1 \
    | grep -v -E '^Note: |unknown enum constant|reason: class file for|^[0-9]+ warnings?$' >&2 || true
  [ -f "$classes/spcompat/sql/ExportSql.class" ] || { echo "export-sql: compiling the helper failed" >&2; exit 1; }
  touch "$stamp"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
java -Xmx1g \
  -Dlog4j.configurationFile="$HERE/log4j2.properties" \
  -Djava.io.tmpdir="$tmp" \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  -cp "$classes:$cp" spcompat.sql.ExportSql "${args[@]}" 2> >(grep -v '^SLF4J' >&2)
