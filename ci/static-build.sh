#!/usr/bin/env bash
# A static Linux binary without the musl target: glibc's static libraries with crt-static.
# Builds it, checks that `file` and `ldd` call it static, and runs it on a bundled savepoint.
# Not part of .ci/run (a second full build of every dependency); the release workflow builds
# musl where that target can be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
profile=${SPCOMPAT_STATIC_PROFILE:-release}
RUSTFLAGS='-C target-feature=+crt-static' \
  cargo build --locked --profile "$profile" --target "$target" --bin spcompat
dir=$profile
[ "$profile" = dev ] && dir=debug
bin="target/$target/$dir/spcompat"
file "$bin" | tee /dev/stderr | grep -Eq 'static(-pie)? linked'
# ldd exits 1 on a static binary, printing "not a dynamic executable" or "statically linked".
ldd "$bin" 2>&1 | tee /dev/stderr | grep -Eq 'statically linked|not a dynamic executable'
"$bin" --version
"$bin" inspect fixtures/cases/2.3.0/bases/ds-uids >/dev/null
echo "static-build: $bin is static and runs"
