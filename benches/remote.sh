#!/usr/bin/env bash
# Remote against local reads (issue #16): wall time and bytes read of `inspect` and `check` on
# the benchmark savepoints (real Flink 1.20.3; fixtures/.cache/bench, made as benches/compare.sh
# makes them) read from their folder and from the same files on a local S3 server (s3s-fs on
# 127.0.0.1, over a copy in a temp folder), with ratios.
#   benches/remote.sh              # heap canonical 300 operators and rocksdb-native-files-20
#   RUNS=9 benches/remote.sh       # runs per command (default 5)
#   benches/remote.sh NAME...      # other savepoints (names as in fixtures/.cache/bench)
# Needs s3s-fs (cargo install s3s-fs --version 0.14.1 --locked --features binary), python3;
# strace for the local bytes read (else they are not shown); java/javac and pip only when a
# savepoint has to be generated first.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FIXTURES="$ROOT/fixtures"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(hashmap-canonical-300 rocksdb-native-files-20)
command -v s3s-fs >/dev/null || {
  echo "s3s-fs is needed: cargo install s3s-fs --version 0.14.1 --locked --features binary" >&2
  exit 2
}
CACHE="${SPCOMPAT_FIXTURE_CACHE:-$FIXTURES/.cache}"
missing=()
for n in "${names[@]}"; do
  [ -s "$CACHE/bench/flink-1.20.3-$n/_metadata" ] || missing+=("$n")
done
[ ${#missing[@]} -eq 0 ] || "$FIXTURES/bench-generator/generate.sh" "${missing[@]}" >&2
CACHE="$(cd "$CACHE" && pwd)"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" >&2
target="${CARGO_TARGET_DIR:-$ROOT/target}"
dirs=()
for n in "${names[@]}"; do dirs+=("$CACHE/bench/flink-1.20.3-$n"); done
exec python3 "$HERE/remote.py" --spcompat "$target/release/spcompat" --runs "${RUNS:-5}" "${dirs[@]}"
