#!/usr/bin/env bash
# Packs the Claude Desktop extension: cross-builds openphone-mcp for each
# platform and packs one .mcpb bundle each with the @anthropic-ai/mcpb tool,
# from manifest.json with the version, the platform and the binary's name
# filled in. A bundle holds manifest.json, server/openphone-mcp[.exe] and
# LICENSE; Claude Desktop installs it with a double click.
#
#   packaging/mcpb/pack.sh                     every platform, into dist/mcpb/
#   VERSION=1.2.3 packaging/mcpb/pack.sh       the version of a release (a v is dropped)
#   PLATFORMS="darwin/arm64" packaging/mcpb/pack.sh
#
# Writes dist/mcpb/openphone-mcp-<version>-<os>-<arch>.mcpb and SHA256SUMS
# (the registry's server.json wants each bundle's sha256 as fileSha256).
# The mcpb tool is e2e's devDependency (npm ci in e2e/); without it, npx
# fetches the same version.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
manifest=packaging/mcpb/manifest.json

version=${VERSION:-$(node -p 'require("./packaging/mcpb/manifest.json").version')}
version=${version#v}
platforms=${PLATFORMS:-darwin/arm64 darwin/amd64 windows/amd64 windows/arm64 linux/amd64 linux/arm64}
out=${OUT:-$root/dist/mcpb}
mkdir -p "$out"

if [ -x e2e/node_modules/.bin/mcpb ]; then
  mcpb() { "$root/e2e/node_modules/.bin/mcpb" "$@"; }
else
  pinned=$(node -p 'require("./e2e/package.json").devDependencies["@anthropic-ai/mcpb"]')
  mcpb() { npx --yes "@anthropic-ai/mcpb@$pinned" "$@"; }
fi

# sha256sum on Linux, shasum on macOS: the same "<hash>  <file>" line.
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
: >"$out/SHA256SUMS"
for platform in $platforms; do
  goos=${platform%/*}
  goarch=${platform#*/}
  case "$goos" in
    darwin) host=darwin exe=openphone-mcp ;;
    windows) host=win32 exe=openphone-mcp.exe ;;
    linux) host=linux exe=openphone-mcp ;;
    *) echo "pack.sh: platform $platform is not darwin, windows or linux with an arch, such as darwin/arm64" >&2; exit 2 ;;
  esac
  dir="$stage/$goos-$goarch"
  mkdir -p "$dir/server"
  # The release binary's flags (.goreleaser.yaml): static, no build paths.
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
    -ldflags "-s -w -X main.version=$version" -o "$dir/server/$exe" .
  cp LICENSE "$dir/"
  # One platform per bundle: its binary's name, and the platform Claude
  # Desktop checks before it offers to install.
  node - "$manifest" "$dir/manifest.json" "$version" "$host" "$exe" <<'EOF'
const fs = require("fs");
const [src, dst, version, host, exe] = process.argv.slice(2);
const m = JSON.parse(fs.readFileSync(src, "utf8"));
m.version = version;
m.server.entry_point = `server/${exe}`;
m.server.mcp_config.command = `\${__dirname}/server/${exe}`;
delete m.server.mcp_config.platform_overrides;
m.compatibility = { ...m.compatibility, platforms: [host] };
fs.writeFileSync(dst, JSON.stringify(m, null, 2) + "\n");
EOF
  bundle="$out/openphone-mcp-$version-$goos-$goarch.mcpb"
  mcpb validate "$dir/manifest.json" >/dev/null
  mcpb pack "$dir" "$bundle" >/dev/null
  (cd "$out" && sha256 "$(basename "$bundle")") >>"$out/SHA256SUMS"
  echo "pack.sh: $bundle ($(du -h "$bundle" | cut -f1))"
done
echo "pack.sh: checksums in $out/SHA256SUMS"
