#!/usr/bin/env bash
# The job graph, with each operator's registered state captured, of a DataStream job jar, using
# the released Flink jars of one version. Usually run as
#   spcompat export-job --jar APP.jar [--class MAIN] [--flink VERSION] [-o job.json] [-- ARGS...]
# which calls:
#   tools/export-job/export-job.sh --flink VERSION --jar APP.jar [--class MAIN] --out RAW.json \
#       --savepoint-dir DIR [--pipeline N] [--timeout S] [-- ARGS...]
# RAW.json has no state yet: spcompat reads it from the savepoint under DIR (see README.md).
#
# Fetches the jars with fixtures/generator/fetch-flink.sh (cached in fixtures/.cache/flink-VERSION/,
# or $SPCOMPAT_FIXTURE_CACHE) and compiles the helper into the cache when its sources changed
# (fixtures/java-common/java.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../../fixtures/java-common/java.sh"

version=""
jar=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) version="$2"; shift 2 ;;
    --jar) jar="$2"; args+=("$1" "$2"); shift 2 ;;
    --) args+=("$@"); break ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -z "$version" ] || [ -z "$jar" ]; then
  echo "usage: $0 --flink VERSION --jar APP.jar [--class MAIN] --out RAW.json --savepoint-dir DIR [-- ARGS...]" >&2
  exit 2
fi
require_jdk export-job
cp="$(flink_classpath "$version")"
classes="$SPCOMPAT_CACHE/export-job-classes-$version"
compile_stamped "$classes" "$cp" spcompat/job/ExportJob.class "$HERE/src" "$JAVA_COMMON_SRC"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The job's jar goes on the class path after Flink's, as a cluster's user code sees Flink first.
# C1 only, serial GC: the JVM lives for seconds, so start-up is what counts.
java -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto \
  -Dlog4j.configurationFile="$HERE/log4j2.properties" \
  -Djava.io.tmpdir="$tmp" \
  "${FLINK_JAVA_OPENS[@]}" \
  -cp "$classes:$cp:$jar" spcompat.job.ExportJob "${args[@]}" 2> >(grep -v '^SLF4J' >&2)
