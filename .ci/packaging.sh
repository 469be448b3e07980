#!/usr/bin/env bash
# Checks the packaging with the tools of each format. Called by .ci/run
# after `npm ci` in e2e/ (the mcpb tool and the MCP SDK come from there);
# exits non-zero when a check fails.
#
#   1. mcpb validate: packaging/mcpb/manifest.json against the .mcpb format's
#      schema (@anthropic-ai/mcpb, pinned in e2e/package.json).
#   2. The extension's server started as Claude Desktop starts it, with
#      nothing entered, with Demo off, with a key (packaging/mcpb/smoke.mjs).
#   3. server.json against the MCP registry's schema, a second validator
#      (Ajv, from e2e/node_modules) beside the Go test in packaging/.
#   4. goreleaser check, only where GoReleaser is at hand (on PATH, or
#      GORELEASER_CHECK=1 to fetch and build it: about 4.5 minutes cold,
#      12 s with the module and build caches warm). packaging/'s Go test
#      checks the targets, flags and files either way.
#
# Uses ./openphone-mcp when .ci/run has built it, else builds one.
set -euo pipefail
cd "$(dirname "$0")/.."

mcpb=e2e/node_modules/.bin/mcpb
if [ ! -x "$mcpb" ]; then
  echo "packaging: $mcpb is missing; run npm ci in e2e/ first" >&2
  exit 1
fi

echo "== mcpb validate (@anthropic-ai/mcpb $("$mcpb" --version))"
"$mcpb" validate packaging/mcpb/manifest.json

echo "== the extension's server, started as Claude Desktop starts it"
bin=./openphone-mcp
if [ ! -x "$bin" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bin=$tmp/openphone-mcp
  go build -o "$bin" .
fi
node packaging/mcpb/smoke.mjs "$bin"

echo "== server.json against the registry's schema (Ajv)"
node --input-type=module - <<'EOF'
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(`${process.cwd()}/e2e/package.json`);
const Ajv = require("ajv");
const addFormats = require("ajv-formats");
const schema = JSON.parse(readFileSync("packaging/registry/server.schema.json", "utf8"));
const server = JSON.parse(readFileSync("server.json", "utf8"));
// strict: false: the registry's schema carries OpenAPI's "example" keyword.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);
if (!validate(server)) {
  console.error("server.json does not satisfy " + schema.$id + ":\n" + ajv.errorsText(validate.errors, { separator: "\n" }));
  process.exit(1);
}
console.log(`server.json: valid against ${schema.$id} (ajv ${require("ajv/package.json").version})`);
EOF

echo "== goreleaser check"
goreleaser_version=v2.17.0 # the newest GoReleaser that builds with Go 1.26
if command -v goreleaser >/dev/null; then
  goreleaser check
elif [ "${GORELEASER_CHECK:-}" = 1 ]; then
  go run "github.com/goreleaser/goreleaser/v2@$goreleaser_version" check
else
  echo "packaging: goreleaser check skipped: GoReleaser is not installed (GORELEASER_CHECK=1 runs $goreleaser_version); go test ./packaging checked .goreleaser.yaml's targets, flags and files"
fi
