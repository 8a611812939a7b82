#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml) as one script, so CI elsewhere and
# the test (test/conformance/action.test.ts) run exactly what the Action runs:
# wait for the server, run the suite through npx with every report, append the
# Markdown report to the job summary, and expose the exit code.
#
# Inputs (environment): GRANTEX_BASE_URL (required), GRANTEX_API_KEY (read by
# the CLI itself, never put on a command line), GRANTEX_SEED, GRANTEX_BASELINE,
# GRANTEX_REPORTS (default text,json,junit,html,har,markdown), GRANTEX_OUT_DIR
# (default grantex-conformance), GRANTEX_WAIT_FOR_SERVER (seconds, default 60),
# GRANTEX_ARGS (more flags, split on spaces), GRANTEX_CONFORMANCE_VERSION (npm
# version of the grantex package, default latest), GRANTEX_CONFORMANCE_CLI (the
# command to run instead of npx, e.g. a local checkout).
# Exit code: the suite's (0 every MUST passed, 1 a MUST failed, 2 could not run).
set -uo pipefail

: "${GRANTEX_BASE_URL:?GRANTEX_BASE_URL (the base-url input) is required}"
out="${GRANTEX_OUT_DIR:-grantex-conformance}"
if [[ -n "${GRANTEX_CONFORMANCE_CLI:-}" ]]; then
  read -ra cli <<< "$GRANTEX_CONFORMANCE_CLI"
else
  cli=(npx --yes --package "grantex@${GRANTEX_CONFORMANCE_VERSION:-latest}" grantex-conformance)
fi
args=(
  --base-url "$GRANTEX_BASE_URL"
  --wait-for-server "${GRANTEX_WAIT_FOR_SERVER:-60}"
  --report "${GRANTEX_REPORTS:-text,json,junit,html,har,markdown}"
  --out-dir "$out"
)
[[ -n "${GRANTEX_SEED:-}" ]] && args+=(--seed "$GRANTEX_SEED")
[[ -n "${GRANTEX_BASELINE:-}" ]] && args+=(--expect "$GRANTEX_BASELINE")
if [[ -n "${GRANTEX_ARGS:-}" ]]; then
  read -ra extra <<< "$GRANTEX_ARGS"
  args+=("${extra[@]}")
fi

mkdir -p "$out"
"${cli[@]}" "${args[@]}"
code=$?

if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$out/grantex-conformance.md" ]]; then
  cat "$out/grantex-conformance.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  echo "report-dir=$out" >> "$GITHUB_OUTPUT"
fi
exit "$code"
