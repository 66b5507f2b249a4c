#!/usr/bin/env bash
# Installs a released spcompat binary (from the release workflow) into $SPCOMPAT_DIR/bin and
# checks its SHA-256 before use. Used by action.yml and ci/gitlab-ci.yml; never builds the
# user's repository.
#
# Settings: SPCOMPAT_VERSION (a release tag, e.g. v0.1.0; required), SPCOMPAT_REPO (owner/name,
# default spcompat/spcompat), SPCOMPAT_DIR (default: $RUNNER_TEMP or /tmp, + /spcompat),
# SPCOMPAT_RELEASE_URL (base URL of the release assets, for mirrors).
set -euo pipefail
version="${SPCOMPAT_VERSION:?set SPCOMPAT_VERSION to a release tag, e.g. v0.1.0}"
repo="${SPCOMPAT_REPO:-spcompat/spcompat}"
dir="${SPCOMPAT_DIR:-${RUNNER_TEMP:-/tmp}/spcompat}"
base="${SPCOMPAT_RELEASE_URL:-https://github.com/$repo/releases/download/$version}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64) target=aarch64-unknown-linux-musl ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  *) echo "spcompat install: no released binary for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac
asset="spcompat-$version-$target.tar.gz"
mkdir -p "$dir/bin"
if [ -x "$dir/bin/spcompat" ] && [ "$(cat "$dir/installed" 2>/dev/null)" = "$asset" ]; then
  echo "spcompat install: $asset already in $dir (cached)"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL "$base/$asset" -o "$tmp/$asset"
  curl -fsSL "$base/$asset.sha256" -o "$tmp/$asset.sha256"
  want="$(cut -d' ' -f1 < "$tmp/$asset.sha256")"
  if command -v sha256sum > /dev/null; then
    got="$(sha256sum "$tmp/$asset" | cut -d' ' -f1)"
  else
    got="$(shasum -a 256 "$tmp/$asset" | cut -d' ' -f1)"
  fi
  if [ "$want" != "$got" ]; then
    echo "spcompat install: checksum mismatch for $asset (expected $want, got $got)" >&2
    exit 2
  fi
  tar -xzf "$tmp/$asset" -C "$dir/bin" spcompat
  printf '%s' "$asset" > "$dir/installed"
  echo "spcompat install: $asset into $dir/bin"
fi
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir/bin" >> "$GITHUB_PATH"
fi
