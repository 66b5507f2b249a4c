#!/usr/bin/env bash
# Extracts Flink's own SQL restore tests (compiled plan + the savepoint Flink took of it, per
# test) from a copy of Flink's sources into fixtures/.cache/flink-restore-tests/, for
# tests/suite/flink_restore_tests.rs. Not part of CI: Flink's sources are not fetched here.
#
#   tools/flink-restore-tests/extract.sh SOURCE
#
# SOURCE: a checkout of apache/flink (or a fork such as github.com/1996fanrui/flink, apache/flink
# as of 2024-09, small enough to clone), or a bare git directory of one (the HEAD tree is read).
set -euo pipefail

src=${1:?usage: extract.sh FLINK_SOURCES (a checkout or a git directory)}
here=$(cd "$(dirname "$0")" && pwd)
dest="$(cd "$here/../.." && pwd)/fixtures/.cache/flink-restore-tests"
tests=flink-table/flink-table-planner/src/test/resources/restore-tests

rm -rf "$dest"
mkdir -p "$dest"
if [ -d "$src/$tests" ]; then
    (cd "$src/$tests" && tar -cf - stream-exec-*) | tar -xf - -C "$dest"
elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null; then
    git --git-dir="$src" archive --format=tar HEAD "$tests" \
        | tar -xf - -C "$dest" --strip-components=6 --wildcards "$tests/stream-exec-*"
else
    echo "extract.sh: $src holds neither $tests nor a git repository" >&2
    exit 2
fi

# Keep only tests that have both halves: a compiled plan and a savepoint.
count=0
for t in "$dest"/*/*/; do
    if compgen -G "$t/plan/*.json" >/dev/null && [ -f "$t/savepoint/_metadata" ]; then
        count=$((count + 1))
    else
        rm -rf "$t"
    fi
done
echo "extracted $count restore tests into $dest"
