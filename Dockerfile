# The openphone-mcp container image: the static binary on a distroless base,
# as a non-root user, serving streamable HTTP at :8080/mcp.
#
#   docker build --build-arg VERSION=1.2.3 -t openphone-mcp .
#   docker run --rm -p 127.0.0.1:8080:8080 -e MCP_AUTH_TOKEN=... -e OPENPHONE_API_KEY=... openphone-mcp
#   docker run --rm -p 127.0.0.1:8080:8080 -e MCP_AUTH_TOKEN=... openphone-mcp --demo
#   docker run --rm -i -e OPENPHONE_API_KEY=... openphone-mcp --transport stdio
#
# MCP_AUTH_TOKEN is required: the server listens on 0.0.0.0 here, and off
# loopback it refuses to start without a token (serve.CheckBind: "refusing to
# listen on 0.0.0.0:8080 without MCP_AUTH_TOKEN"). No default token is baked
# in: it would be the same secret in every copy of the image. Arguments after
# the image name are appended to the entrypoint's flags, and a flag given
# twice takes its last value, so --transport stdio or --addr override them.
# The local ledger lives under /data (XDG_CACHE_HOME): mount a volume there
# to keep it across restarts (-v openphone-mcp-data:/data).

# The builder runs on the build machine's platform and cross-compiles (no
# emulation): BuildKit sets BUILDPLATFORM, TARGETOS and TARGETARCH.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
# VERSION is what --version and the initialize reply say; unset, the binary
# falls back to its build info ("devel" here: .git is not in the context).
ARG VERSION=""
# The official golang images pin GOTOOLCHAIN=local: with auto, an image a
# patch release older than go.mod's go line fetches that toolchain instead
# of failing.
ENV GOTOOLCHAIN=auto
WORKDIR /src
# Modules first, so a change of source reuses the downloaded modules' layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# CGO_ENABLED=0: one static binary (the SQLite driver is pure Go), which the
# static distroless base (no libc) needs. -trimpath: no build paths in it.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w${VERSION:+ -X main.version=$VERSION}" \
      -o /out/openphone-mcp . \
 && mkdir -p /out/rootfs/data

# distroless static: CA certificates, /etc/passwd with nonroot (65532), no
# shell, no package manager. The binary embeds its own time zone database.
FROM gcr.io/distroless/static-debian13:nonroot
ARG VERSION=""
LABEL org.opencontainers.image.title="openphone-mcp" \
      org.opencontainers.image.description="MCP server over the call history of an OpenPhone (Quo) workspace" \
      org.opencontainers.image.source="https://github.com/openphone-mcp/openphone-mcp" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="$VERSION" \
      io.modelcontextprotocol.server.name="io.github.openphone-mcp/openphone-mcp"
COPY --from=build /out/openphone-mcp /openphone-mcp
# /data owned by nonroot, so a named volume mounted there starts writable
# (copied as an entry of a tree, so --chown applies to the directory itself).
COPY --from=build --chown=65532:65532 /out/rootfs/ /
ENV XDG_CACHE_HOME=/data
# Numeric, so Kubernetes' runAsNonRoot can check it.
USER 65532:65532
EXPOSE 8080
# No HEALTHCHECK: distroless has no shell, curl or wget to run one, and the
# binary has no health-check command. Probe GET /healthz from outside
# instead (it needs no token): a Kubernetes httpGet probe, or the
# orchestrator's HTTP check.
ENTRYPOINT ["/openphone-mcp", "--transport", "http", "--addr", "0.0.0.0:8080"]
