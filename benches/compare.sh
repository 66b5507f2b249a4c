#!/usr/bin/env bash
# The benchmark of issue #13: spcompat against `cat` and Flink's own loader on real Flink 1.20.3
# savepoints of 62, 302 and 602 operators (parallelism 64, max parallelism 4096), side by side.
#   benches/compare.sh              # generate what is missing (minutes, once), build, time
#   RUNS=9 benches/compare.sh       # more runs per command (default 5; the cold JVM: 3)
#   benches/compare.sh NAME...      # only these savepoints (names as in fixtures/.cache/bench)
# Needs java/javac and pip for the generator (fixtures/bench-generator/README.md), python3.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FIXTURES="$ROOT/fixtures"
"$FIXTURES/bench-generator/generate.sh" >&2
cpfile="$("$FIXTURES/bench-generator/compile.sh" 1.20.3)"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" >&2
target="${CARGO_TARGET_DIR:-$ROOT/target}"
CACHE="$(cd "${SPCOMPAT_FIXTURE_CACHE:-$FIXTURES/.cache}" && pwd)"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(hashmap-canonical-60 hashmap-canonical-300 hashmap-canonical-600 rocksdb-native-files-20)
dirs=()
for n in "${names[@]}"; do dirs+=("$CACHE/bench/flink-1.20.3-$n"); done
exec python3 "$HERE/compare.py" --spcompat "$target/release/spcompat" \
  --classpath "$(cat "$cpfile")" --log4j "$FIXTURES/generator/log4j2.properties" \
  --runs "${RUNS:-5}" "${dirs[@]}"
