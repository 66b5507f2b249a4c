#!/usr/bin/env bash
# Posts a `spcompat ... --format markdown` report as a pull-request comment, or updates the
# comment an earlier run posted for the same job (found by the hidden marker on its first line),
# so re-runs do not pile up comments. Uses the GitHub CLI (`gh`, preinstalled on GitHub runners).
#
#   spcompat check -s SP --job jobs/orders-job.json --format markdown > report.md || true
#   ci/pr-comment.sh report.md            # needs GH_TOKEN, GITHUB_REPOSITORY and PR_NUMBER
set -euo pipefail
report="$1"
: "${GITHUB_REPOSITORY:?owner/repo}" "${PR_NUMBER:?the pull request number}"
marker="$(head -n 1 "$report")"
case "$marker" in
  "<!-- spcompat-report"*) ;;
  *) echo "pr-comment: $report does not start with the spcompat marker" >&2; exit 2 ;;
esac
existing="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$report" > /dev/null
  echo "pr-comment: updated comment $existing"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" -F "body=@$report" > /dev/null
  echo "pr-comment: created a comment"
fi
