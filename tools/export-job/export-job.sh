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
# or $SPCOMPAT_FIXTURE_CACHE) and compiles the helper into the cache when its sources changed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${SPCOMPAT_FIXTURE_CACHE:-$ROOT/fixtures/.cache}"

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
for tool in java javac; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "export-job: '$tool' not found on PATH; install a JDK (17) to export job jars" >&2
    exit 3
  fi
done

"$ROOT/fixtures/generator/fetch-flink.sh" "$version" >/dev/null
cp="$(cat "$CACHE/flink-$version/classpath.txt")"

classes="$CACHE/export-job-classes-$version"
stamp="$classes/.stamp"
# Several exports may start at once (CI runs tests in parallel): one compiles, the others wait.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.export-job-$version.lock"
  flock 9
fi
if [ ! -f "$stamp" ] || [ -n "$(find "$HERE/src" "$ROOT/fixtures/java-common" -name '*.java' -newer "$stamp" | head -n1)" ]; then
  rm -rf "$classes"; mkdir -p "$classes"
  echo "export-job: compiling the helper for Flink $version" >&2
  # shellcheck disable=SC2046
  javac -nowarn -encoding UTF-8 --release 11 -cp "$cp" -d "$classes" \
      $(find "$HERE/src" "$ROOT/fixtures/java-common" -name '*.java' | sort) 2>&1 \
    | grep -v -E '^Note: |unknown enum constant|reason: class file for|^[0-9]+ warnings?$' >&2 || true
  [ -f "$classes/spcompat/job/ExportJob.class" ] || { echo "export-job: compiling the helper failed" >&2; exit 1; }
  touch "$stamp"
fi
if command -v flock >/dev/null 2>&1; then
  flock -u 9
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The job's jar goes on the class path after Flink's, as a cluster's user code sees Flink first.
java -Xmx1g \
  -Dlog4j.configurationFile="$HERE/log4j2.properties" \
  -Djava.io.tmpdir="$tmp" \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  -cp "$classes:$cp:$jar" spcompat.job.ExportJob "${args[@]}" 2> >(grep -v '^SLF4J' >&2)
