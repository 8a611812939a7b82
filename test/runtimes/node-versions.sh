#!/usr/bin/env bash
# `npm run test:node-versions`: the test suite on Node 22 and 24, with the
# binaries that install.sh brings from the npm registry (`npm test` runs it on
# the machine's Node 20). Two files run on Node 20 only, to keep CI short: the
# conformance self-test (the longest file, ~80% of the suite's time) and the
# pack test (it builds and packs; the runtime matrix runs the packed tarball on
# all three), and the files that start the CLI in many processes (ci-run,
# action, cli-help). Prints the time of each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/runtimes/install.sh
for major in 22 24; do
  bin="$PWD/.cache/runtimes/node_modules/node$major/bin"
  echo "== Node $("$bin/node" --version): vitest"
  start=$SECONDS
  PATH="$bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run \
    --exclude test/conformance/selftest.test.ts --exclude test/client/pack.test.ts \
    --exclude test/conformance/variants.test.ts --exclude test/conformance/fuzz.test.ts \
    --exclude test/conformance/replay.test.ts --exclude test/conformance/deployment.test.ts \
    --exclude test/conformance/rate-limits.test.ts --exclude test/conformance/html-report.test.ts \
    --exclude test/conformance/report-secrets.test.ts --exclude test/conformance/ci-run.test.ts \
    --exclude test/conformance/action.test.ts --exclude test/conformance/cli-help.test.ts
  echo "== Node $major: $((SECONDS - start)) s"
done
