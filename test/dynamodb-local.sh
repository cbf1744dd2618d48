#!/usr/bin/env bash
# The DynamoDB-facing suites once more, on AWS's own engine (DynamoDB Local) instead of
# dynalite. DynamoDB Local cannot bind to loopback only, so everything runs inside a private
# network namespace: no other machine, and no other process here, can reach it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! unshare -n true 2>/dev/null; then
  echo "skipped: this machine does not allow a private network namespace (unshare -n needs root); the suites ran on dynalite" >&2
  exit 0
fi
if ! command -v java >/dev/null 2>&1; then
  echo "skipped: DynamoDB Local needs Java 17 (apt-get install -y openjdk-17-jre-headless); the suites ran on dynalite" >&2
  exit 0
fi
exec unshare -n sh -c 'ip link set lo up && WHIMSY_TEST_DYNAMODB=dynamodb-local exec node_modules/.bin/vitest run \
  packages/sdk/test/kv.test.ts packages/local-cloud/test/access-rules.test.ts packages/subdomain-proxy/test/registry-crash.test.ts'
