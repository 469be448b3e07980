// Tests of the Claude Desktop extension's manifest (packaging/mcpb/manifest.json)
// against what it describes: the tools (tools/testdata/schemas), the
// server's flags and environment, and how Claude Desktop fills in
// ${user_config.*}. `mcpb validate` checks it against the format's own
// schema (.ci/packaging.sh).

package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type mcpbManifest struct {
	ManifestVersion string `json:"manifest_version"`
	Name            string `json:"name"`
	Version         string `json:"version"`
	Repository      struct {
		URL string `json:"url"`
	} `json:"repository"`
	Server struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command           string            `json:"command"`
			Args              []string          `json:"args"`
			Env               map[string]string `json:"env"`
			PlatformOverrides map[string]struct {
				Command string `json:"command"`
			} `json:"platform_overrides"`
		} `json:"mcp_config"`
	} `json:"server"`
	UserConfig map[string]struct {
		Type      string `json:"type"`
		Required  bool   `json:"required"`
		Sensitive bool   `json:"sensitive"`
		Default   any    `json:"default"`
	} `json:"user_config"`
	Tools []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tools"`
}

const manifestPath = "packaging/mcpb/manifest.json"

func readManifest(t *testing.T) mcpbManifest {
	t.Helper()
	var m mcpbManifest
	repoJSON(t, manifestPath, &m)
	return m
}

func TestMCPBManifest_RunsTheBinary(t *testing.T) {
	m := readManifest(t)
	// 0.3 is the spec's current version (MANIFEST.md); the package's
	// newest, 0.4, only adds the uv server type, and Claude Desktop
	// releases older than 0.4 still install 0.3.
	if m.ManifestVersion != "0.3" {
		t.Errorf("manifest_version %q, want 0.3", m.ManifestVersion)
	}
	s := m.Server
	if s.Type != "binary" || s.EntryPoint != "server/openphone-mcp" {
		t.Errorf("server %q at %q, want binary at server/openphone-mcp", s.Type, s.EntryPoint)
	}
	if want := "${__dirname}/" + s.EntryPoint; s.MCPConfig.Command != want {
		t.Errorf("command %q, want %q", s.MCPConfig.Command, want)
	}
	if got := s.MCPConfig.PlatformOverrides["win32"].Command; got != "${__dirname}/server/openphone-mcp.exe" {
		t.Errorf("win32 command %q, want the .exe", got)
	}
	// pack.sh builds into server/ the binary the manifest names.
	script := string(repoFile(t, "packaging/mcpb/pack.sh"))
	for _, want := range []string{"exe=openphone-mcp ", "exe=openphone-mcp.exe", `server/${exe}`} {
		if !strings.Contains(script, want) {
			t.Errorf("pack.sh does not contain %q: does it still build the binary the manifest runs?", want)
		}
	}
}

// TestMCPBManifest_KeyAndDemo: the key is a sensitive setting passed as
// OPENPHONE_API_KEY, and the demo is on by default, so an install with
// nothing entered starts (the server refuses to start with neither a key
// nor --demo).
func TestMCPBManifest_KeyAndDemo(t *testing.T) {
	m := readManifest(t)
	key, ok := m.UserConfig["api_key"]
	if !ok {
		t.Fatal("user_config has no api_key")
	}
	if key.Type != "string" || !key.Sensitive {
		t.Errorf("api_key: type %q, sensitive %v; want a sensitive string (kept in the keychain, masked)", key.Type, key.Sensitive)
	}
	// Claude Desktop leaves ${user_config.x} as it is when x has neither a
	// value nor a default: the server would take the placeholder itself for
	// a key. An empty default makes it an empty variable instead.
	if key.Required || key.Default != "" {
		t.Errorf("api_key: required %v, default %#v; want optional with default \"\" (the demo needs no key)", key.Required, key.Default)
	}
	if got := m.Server.MCPConfig.Env["OPENPHONE_API_KEY"]; got != "${user_config.api_key}" {
		t.Errorf("env OPENPHONE_API_KEY = %q, want ${user_config.api_key}", got)
	}
	demo, ok := m.UserConfig["demo"]
	if !ok || demo.Type != "boolean" || demo.Default != true {
		t.Errorf("user_config demo %+v (present %v): want a boolean, true by default", demo, ok)
	}
	if !slices.Contains(m.Server.MCPConfig.Args, "--demo=${user_config.demo}") {
		t.Errorf("args %q lack --demo=${user_config.demo} (a boolean is filled in as true or false)", m.Server.MCPConfig.Args)
	}
	if !mainDefinesFlag(t, "demo") {
		t.Error("main.go defines no flag demo, which the manifest passes")
	}
	if !strings.Contains(string(repoFile(t, "main.go")), `"OPENPHONE_API_KEY"`) {
		t.Error("main.go does not read OPENPHONE_API_KEY, which the manifest sets")
	}
	// Every placeholder names a setting that exists: an unknown one would
	// reach the server as literal text.
	text := string(repoFile(t, manifestPath))
	for _, ref := range regexp.MustCompile(`\$\{user_config\.([^}]+)\}`).FindAllStringSubmatch(text, -1) {
		if _, ok := m.UserConfig[ref[1]]; !ok {
			t.Errorf("${user_config.%s} names no user_config setting", ref[1])
		}
	}
}

// TestMCPBManifest_ListsEveryTool: the tools the extension's page shows are
// the server's tools, each with the first sentence of its description.
func TestMCPBManifest_ListsEveryTool(t *testing.T) {
	m := readManifest(t)
	schemas, err := filepath.Glob(filepath.Join("..", "tools", "testdata", "schemas", "*.json"))
	if err != nil || len(schemas) == 0 {
		t.Fatalf("no tool schemas in tools/testdata/schemas (err %v)", err)
	}
	want := map[string]string{}
	for _, path := range schemas {
		var tool struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		raw, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(raw, &tool)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		want[tool.Name] = firstSentence(tool.Description)
	}
	listed := map[string]bool{}
	for _, tool := range m.Tools {
		listed[tool.Name] = true
		w, ok := want[tool.Name]
		switch {
		case !ok:
			t.Errorf("the manifest lists %s, which the server does not have", tool.Name)
		case tool.Description != w:
			t.Errorf("the manifest describes %s as %q; its description's first sentence is now %q", tool.Name, tool.Description, w)
		}
	}
	for name := range want {
		if !listed[name] {
			t.Errorf("the manifest does not list the tool %s; add it with %q", name, want[name])
		}
	}
}

func TestMCPBManifest_VersionAndRepositoryMatchServerJSON(t *testing.T) {
	m := readManifest(t)
	s := readServerJSON(t)
	if m.Version != s.Version {
		t.Errorf("manifest version %q, server.json %q: release both together", m.Version, s.Version)
	}
	if m.Repository.URL != s.Repository.URL {
		t.Errorf("manifest repository %q, server.json %q", m.Repository.URL, s.Repository.URL)
	}
}

// firstSentence is a description up to its first period that ends a
// sentence (one followed by a space or the end).
func firstSentence(s string) string {
	if loc := regexp.MustCompile(`\.(\s|$)`).FindStringIndex(s); loc != nil {
		return s[:loc[0]+1]
	}
	return s
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		`One call by id: parties, number. What was said: get_call_summary.`: `One call by id: parties, number.`,
		`Every call, newest first: "who called today?". Narrow by number.`:  `Every call, newest first: "who called today?".`,
		"The summary.\nLines: one per call.":                                "The summary.",
		"No period at all":                                                  "No period at all",
		"Version 1.2 of it. Then more.":                                     "Version 1.2 of it.",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
