#!/usr/bin/env bash
# Times `spcompat export-job` on a job of 50 operators (Ops50.java: a source, 24 maps, 24 keyed
# operators with a ValueState each, a sink), Flink 2.3.0 (OpenContext needs 1.19+):
#   tools/export-job/bench/bench.sh [VERSION]
# Builds the jar into target/export-job-bench/, runs export-job once to warm the helper's
# compile cache, then times three runs. A benchmark script, not a test.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE="${SPCOMPAT_FIXTURE_CACHE:-$ROOT/fixtures/.cache}"
v="${1:-2.3.0}"
out="$ROOT/target/export-job-bench"
rm -rf "$out/classes"; mkdir -p "$out/classes"
"$ROOT/fixtures/generator/fetch-flink.sh" "$v" >/dev/null
javac -nowarn --release 11 -cp "$(cat "$CACHE/flink-$v/classpath.txt")" -d "$out/classes" "$HERE/Ops50.java"
printf 'Main-Class: bench.Ops50\n' > "$out/manifest"
jar cfm "$out/ops50.jar" "$out/manifest" -C "$out/classes" .
# The time is the JVM's; a debug build of spcompat is as good here.
cargo build --quiet --manifest-path "$ROOT/Cargo.toml"
bin="$ROOT/target/debug/spcompat"
"$bin" export-job --flink "$v" --jar "$out/ops50.jar" -o "$out/job.json" 2>/dev/null
for i in 1 2 3; do
  start=$(date +%s.%N)
  "$bin" export-job --flink "$v" --jar "$out/ops50.jar" -o "$out/job.json" 2>/dev/null
  end=$(date +%s.%N)
  echo "run $i: $(echo "$end - $start" | bc) s"
done
python3 -c "import json,sys; g=json.load(open(sys.argv[1])); print(len(g['operators']), 'operators,', sum(1 for o in g['operators'] if o.get('state')), 'with state')" "$out/job.json"
