#!/usr/bin/env bash
# Builds the container image (Dockerfile) and smoke-tests it: it refuses to
# start without MCP_AUTH_TOKEN, runs as non-root, and with a token answers
# GET /healthz and an MCP initialize over streamable HTTP. Called by .ci/run.
#
# Without a container engine (`docker info` fails: no daemon, or no docker)
# it says so in one line and exits 0: CI cannot build an image there.
#
#   .ci/container.sh                     build and test the image
#   .ci/container.sh --smoke-only URL    only the HTTP checks, against a server
#                                        already listening at URL (its token in
#                                        MCP_AUTH_TOKEN): how the checks
#                                        themselves are tested without an engine
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "container: FAILED: $*" >&2
  exit 1
}

# smoke URL TOKEN: /healthz without the token, /mcp refused without it,
# initialize accepted with it.
smoke() {
  local url=$1 token=$2 body
  # /healthz needs no token, so probes need no secret; retried while the
  # server starts (up to 30 s, generous for a cold CI machine).
  local tries=0
  until body=$(curl -fsS --max-time 5 "$url/healthz" 2>/dev/null) && [ "$body" = ok ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || fail "GET $url/healthz did not answer ok within 30 s (last answer: ${body:-none})"
    sleep 0.5
  done
  echo "container: GET /healthz: ok"

  local init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ci-container-smoke","version":"1"}}}'
  local status
  status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST "$url/mcp" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' --data "$init")
  [ "$status" = 401 ] || fail "POST /mcp without the token answered $status, want 401"
  echo "container: POST /mcp without the token: 401"

  # The answer is JSON or one SSE event, as the server chooses: either way it
  # carries the serverInfo.
  body=$(curl -sS --max-time 10 -X POST "$url/mcp" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' --data "$init") ||
    fail "POST /mcp initialize with the token failed"
  case "$body" in
    *'"serverInfo"'*'"openphone-mcp"'*) ;;
    *) fail "initialize answered without openphone-mcp's serverInfo: ${body:0:300}" ;;
  esac
  echo "container: initialize with the token: serverInfo $(grep -o '"serverInfo":{[^}]*}' <<<"$body" | head -1)"
}

if [ "${1:-}" = --smoke-only ]; then
  command -v curl >/dev/null || fail "curl is needed for the smoke test"
  [ -n "${2:-}" ] && [ -n "${MCP_AUTH_TOKEN:-}" ] || fail "usage: MCP_AUTH_TOKEN=... $0 --smoke-only http://127.0.0.1:PORT"
  smoke "${2%/}" "$MCP_AUTH_TOKEN"
  exit 0
fi

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "container: CI had no container engine (docker info failed); the image was not built or smoke-tested"
  exit 0
fi
command -v curl >/dev/null || fail "curl is needed for the smoke test"
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')

tag="openphone-mcp:ci-$$"
cid=""
cleanup() {
  local status=$?
  if [ -n "$cid" ]; then
    # The server's own log says why, when a check failed.
    [ "$status" = 0 ] || docker logs "$cid" 2>&1 | tail -20 >&2 || true
    docker rm -f "$cid" >/dev/null 2>&1 || true
  fi
  docker rmi -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

started=$SECONDS
docker build --build-arg VERSION=0.0.0-ci -t "$tag" . || fail "docker build"
echo "container: built $tag in $((SECONDS - started))s, $(docker image inspect -f '{{.Size}}' "$tag") bytes"

user=$(docker image inspect -f '{{.Config.User}}' "$tag")
[ "$user" = 65532:65532 ] || fail "the image runs as user '$user', want 65532:65532 (nonroot)"
label=$(docker image inspect -f '{{index .Config.Labels "io.modelcontextprotocol.server.name"}}' "$tag")
[ "$label" = io.github.openphone-mcp/openphone-mcp ] || fail "label io.modelcontextprotocol.server.name is '$label'"

out=$(docker run --rm "$tag" --version) || fail "--version"
[ "$out" = "openphone-mcp 0.0.0-ci" ] || fail "--version printed '$out', want 'openphone-mcp 0.0.0-ci'"
echo "container: --version: $out"

# Off loopback without a token the server must refuse to start (exit 2).
set +e
out=$(docker run --rm "$tag" --demo 2>&1)
status=$?
set -e
[ "$status" = 2 ] && grep -q MCP_AUTH_TOKEN <<<"$out" ||
  fail "without MCP_AUTH_TOKEN the container exited $status, want 2 and a sentence naming MCP_AUTH_TOKEN: $out"
echo "container: without MCP_AUTH_TOKEN: refused to start"

# Published on loopback only, on a port the engine picks.
cid=$(docker run -d -e MCP_AUTH_TOKEN="$token" -p 127.0.0.1::8080 "$tag" --demo)
port=$(docker port "$cid" 8080/tcp | head -1)
port=${port##*:}
smoke "http://127.0.0.1:$port" "$token"
echo "container: ok in $((SECONDS - started))s"
