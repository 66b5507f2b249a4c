#!/usr/bin/env bash
# Export the job graph of every SQL fixture under fixtures/savepoints/ (the statements its
# expected.json records) into tests/data/sql-export/<fixture>/ with `spcompat export-sql`, for
# tests/sql_export.rs: the exporter must give the operator IDs of the savepoint Flink wrote, on
# every pinned Flink version. Needs java/javac; not run by CI.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/tests/data/sql-export"
(cd "$ROOT" && cargo build --quiet)
for dir in "$ROOT"/fixtures/savepoints/*sql*; do
  name="$(basename "$dir")"
  [ -f "$dir/expected.json" ] || continue
  version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flinkVersion"])' "$dir/expected.json")"
  mkdir -p "$OUT/$name"
  python3 - "$dir/expected.json" "$OUT/$name/job.sql" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for s in doc["sql"]:
        f.write(s.replace("<work>/plan.json", "plan.json").replace("<work>", ".") + ";\n")
PY
  (cd "$OUT/$name" && "$ROOT/target/debug/spcompat" export-sql job.sql --flink "$version" \
    --parallelism "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["parallelism"])' "$dir/expected.json")" \
    -o job.json --plan plan.json)
  rm -f "$OUT/$name/plan.json.tmp"
done
