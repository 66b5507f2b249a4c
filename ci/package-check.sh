#!/usr/bin/env bash
# Packaging: `cargo package`, then the packaged crate's own tests, built from the unpacked
# .crate in a fresh folder with nothing beside it (no ../shared, no git checkout): what a user
# of the published crate gets. The repository's target folder is reused, so only spcompat
# itself is compiled again (SPCOMPAT_PACKAGE_TARGET names another one).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# --no-verify: the build below is the verification, with the tests as well.
cargo package --locked --no-verify --allow-dirty
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# cargo writes the .crate under the target folder, wherever CARGO_TARGET_DIR puts it.
tar -xzf "${CARGO_TARGET_DIR:-target}/package/spcompat-$version.crate" -C "$work"
cd "$work/spcompat-$version"
if [ -e ../shared ] || [ -e .git ]; then
  echo "package-check: the unpacked crate must have no ../shared and no .git beside it" >&2
  exit 1
fi
CARGO_TARGET_DIR="${SPCOMPAT_PACKAGE_TARGET:-${CARGO_TARGET_DIR:-$repo/target}}" cargo test --locked --all-targets
echo "package-check: spcompat-$version packages, builds and passes its tests on its own"
