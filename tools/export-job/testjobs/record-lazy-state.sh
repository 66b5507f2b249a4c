#!/usr/bin/env bash
# Records fixtures/export-job/lazy-state/VERSION/savepoint: LazyState.java run locally with
# records, then a canonical savepoint (the state its trigger and processElement register lazily
# is in it). Not run by CI; the export_job suite tests check it against the jar's export.
#   tools/export-job/testjobs/record-lazy-state.sh [VERSION]     (default 2.3.0)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../../../fixtures/java-common/java.sh"
v="${1:-2.3.0}"
require_jdk record-lazy-state
cp="$(flink_classpath "$v")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
javac_into "$tmp/classes" "$cp" "$HERE/LazyState.java"
java -Xmx1g -Dlog4j.configurationFile="$HERE/../log4j2.properties" -Djava.io.tmpdir="$tmp" \
  "${FLINK_JAVA_OPENS[@]}" -cp "$tmp/classes:$cp" testjobs.LazyState --record "$tmp/sp"
out="$SPCOMPAT_ROOT/fixtures/export-job/lazy-state/$v/savepoint"
rm -rf "$out"; mkdir -p "$out"
cp "$tmp"/sp/savepoint-*/* "$out/"
ls -l "$out"
