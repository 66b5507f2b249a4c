#!/usr/bin/env bash
# Export the job graph (with the operator IDs Flink computes) and the compiled plan of a Flink
# SQL script, using the released Flink jars of one version. Usually run as
#   spcompat export-sql SCRIPT --flink 1.20.3 -o job.json [--plan plan.json]
# which calls:
#   tools/export-sql/export-sql.sh --flink VERSION --script FILE --out JOB.json \
#       [--plan-out PLAN.json] [--from-plan] [--parallelism N]
#
# Fetches the jars with fixtures/generator/fetch-flink.sh (cached in fixtures/.cache/flink-VERSION/,
# or $SPCOMPAT_FIXTURE_CACHE) and compiles the helper into the cache when its sources changed
# (fixtures/java-common/java.sh). Needs java and javac (17), and pip for the first download.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../../fixtures/java-common/java.sh"

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
require_jdk export-sql
cp="$(flink_classpath "$version")"
classes="$SPCOMPAT_CACHE/export-sql-classes-$version"
compile_stamped "$classes" "$cp" spcompat/sql/ExportSql.class "$HERE/src" "$JAVA_COMMON_SRC"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
java -Xmx1g \
  -Dlog4j.configurationFile="$HERE/log4j2.properties" \
  -Djava.io.tmpdir="$tmp" \
  "${FLINK_JAVA_OPENS[@]}" \
  -cp "$classes:$cp" spcompat.sql.ExportSql "${args[@]}" 2> >(grep -v '^SLF4J' >&2)
