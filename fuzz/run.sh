#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another, seeded from the real
# fixtures (fuzz/seeds.py). RUNS=N stops a target after N executions instead (SECONDS still caps
# it). Prints each target's execution count; exits non-zero on a crash, leaving the input under
# fuzz/artifacts/TARGET/.
#   fuzz/run.sh [SECONDS] [TARGET...]
#   RUNS=1000000 fuzz/run.sh 3600      # the issue's 1,000,000 executions per target
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(metadata backend_meta javaser notation job_graph plan)
fi
export RUSTC_BOOTSTRAP=1
python3 seeds.py >/dev/null
# Build once, then run the binaries: edits made while fuzzing do not trigger rebuilds.
cargo fuzz build
bin=target/x86_64-unknown-linux-gnu/release
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="artifacts/$t.log"
  # More than 2 GB RSS or 10 s on one input counts as a failure.
  if "$bin/$t" "corpus/$t" "seeds/$t" \
      -max_total_time="$secs" -runs="${RUNS:--1}" -rss_limit_mb=2048 -timeout=10 -max_len=131072 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "$t: $result, $runs executions in ${secs}s (log: fuzz/$log)"
done
exit $status
