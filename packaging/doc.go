// Package packaging holds no code: its tests check the release files
// against what they describe. .goreleaser.yaml against main's version
// variable and the platforms; the Claude Desktop extension's manifest
// (packaging/mcpb) against the tools' schemas and the server's flags; and
// the MCP registry's server.json (at the repository's root) against the
// registry's JSON schema, vendored in packaging/registry.
package packaging
