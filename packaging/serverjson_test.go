// Tests of server.json, the MCP registry's entry: valid against the
// registry's schema (vendored in packaging/registry, no network), and true
// to the image and the server it names (the registry checks the image's
// label, clients pass the package's arguments and variables).

package packaging

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

type serverJSON struct {
	Schema     string `json:"$schema"`
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository struct {
		URL    string `json:"url"`
		Source string `json:"source"`
	} `json:"repository"`
	Packages []struct {
		RegistryType string `json:"registryType"`
		Identifier   string `json:"identifier"`
		FileSha256   string `json:"fileSha256"`
		Transport    struct {
			Type string `json:"type"`
		} `json:"transport"`
		PackageArguments []struct {
			Type  string `json:"type"`
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"packageArguments"`
		EnvironmentVariables []struct {
			Name       string `json:"name"`
			IsRequired bool   `json:"isRequired"`
			IsSecret   bool   `json:"isSecret"`
		} `json:"environmentVariables"`
	} `json:"packages"`
}

func readServerJSON(t *testing.T) serverJSON {
	t.Helper()
	var s serverJSON
	repoJSON(t, "server.json", &s)
	return s
}

// registrySchema compiles the vendored server.json schema under its $id,
// with formats (uri) asserted as the registry does.
func registrySchema(t *testing.T) (*jsonschema.Schema, string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(repoFile(t, "packaging/registry/server.schema.json")))
	if err != nil {
		t.Fatalf("the vendored schema is not JSON: %v", err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	if id == "" {
		t.Fatal("the vendored schema has no $id")
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compiling the registry's schema: %v", err)
	}
	return sch, id
}

func TestServerJSON_ValidAgainstRegistrySchema(t *testing.T) {
	sch, id := registrySchema(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(repoFile(t, "server.json")))
	if err != nil {
		t.Fatalf("server.json is not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("server.json does not satisfy %s:\n%v", id, err)
	}
	if s := readServerJSON(t); s.Schema != id {
		t.Errorf("server.json's $schema %q, want the vendored schema's %q", s.Schema, id)
	}
}

// TestServerJSON_SchemaRefusesBrokenEntries: the validation bites. Each
// broken copy of server.json is refused.
func TestServerJSON_SchemaRefusesBrokenEntries(t *testing.T) {
	sch, _ := registrySchema(t)
	for name, breakIt := range map[string]func(m map[string]any){
		"a name without a namespace": func(m map[string]any) { m["name"] = "openphone-mcp" },
		"a description over 100 characters": func(m map[string]any) {
			m["description"] = strings.Repeat("calls ", 20)
		},
		"no version":                   func(m map[string]any) { delete(m, "version") },
		"a package without transport":  func(m map[string]any) { delete(firstPackage(m), "transport") },
		"a fileSha256 that is not hex": func(m map[string]any) { firstPackage(m)["fileSha256"] = "not-a-hash" },
		"a repository URL that is not a URI": func(m map[string]any) {
			m["repository"].(map[string]any)["url"] = "::not a uri"
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			repoJSON(t, "server.json", &m)
			breakIt(m)
			raw, _ := json.Marshal(m)
			doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := sch.Validate(doc); err == nil {
				t.Error("the schema accepted it")
			}
		})
	}
}

func firstPackage(m map[string]any) map[string]any {
	return m["packages"].([]any)[0].(map[string]any)
}

// TestServerJSON_NamesThisServer: the name's namespace is the GitHub owner
// of the repository (the registry authenticates io.github.<owner> through
// GitHub), the image carries the label the registry checks, and the
// image's tag is the version.
func TestServerJSON_NamesThisServer(t *testing.T) {
	s := readServerJSON(t)
	const name = "io.github.openphone-mcp/openphone-mcp"
	if s.Name != name {
		t.Errorf("name %q, want %q", s.Name, name)
	}
	owner := strings.TrimPrefix(strings.Split(s.Name, "/")[0], "io.github.")
	if s.Repository.Source != "github" || !strings.HasPrefix(s.Repository.URL, "https://github.com/"+owner+"/") {
		t.Errorf("repository %+v: want github, under https://github.com/%s/", s.Repository, owner)
	}
	if !regexp.MustCompile(`(?m)^\s*io\.modelcontextprotocol\.server\.name="` + regexp.QuoteMeta(name) + `"`).Match(repoFile(t, "Dockerfile")) {
		t.Errorf("the Dockerfile has no LABEL io.modelcontextprotocol.server.name=%q, which the registry checks on the image", name)
	}
	if len(s.Packages) == 0 {
		t.Fatal("server.json has no packages")
	}
	for _, p := range s.Packages {
		switch p.RegistryType {
		case "oci":
			image, tag, ok := strings.Cut(p.Identifier, ":")
			if !ok || tag != s.Version {
				t.Errorf("image %q: want the tag %s, the version", p.Identifier, s.Version)
			}
			if !strings.HasPrefix(image, "ghcr.io/"+owner+"/") {
				t.Errorf("image %q: want it under ghcr.io/%s/", image, owner)
			}
		case "mcpb":
			// The registry wants the bundle's hash, and "mcp" in its URL.
			if p.FileSha256 == "" || !strings.HasPrefix(p.Identifier, "https://github.com/"+owner+"/") || !strings.Contains(p.Identifier, "mcp") {
				t.Errorf("mcpb package %q: want a GitHub release URL of this repository and its fileSha256", p.Identifier)
			}
		default:
			t.Errorf("package type %q: this server ships oci images and mcpb bundles", p.RegistryType)
		}
	}
}

// TestServerJSON_PackagesRunOverStdio: a client that starts the image
// talks stdio, which the image's entrypoint (streamable HTTP) must be told;
// the key is a secret variable the server reads.
func TestServerJSON_PackagesRunOverStdio(t *testing.T) {
	s := readServerJSON(t)
	for _, p := range s.Packages {
		if p.Transport.Type != "stdio" {
			continue
		}
		if p.RegistryType == "oci" {
			stdio := false
			for _, a := range p.PackageArguments {
				stdio = stdio || a.Type == "named" && a.Name == "--transport" && a.Value == "stdio"
			}
			if !stdio {
				t.Errorf("image %s over stdio without --transport stdio: the entrypoint serves HTTP", p.Identifier)
			}
			if !mainDefinesFlag(t, "transport") {
				t.Error("main.go defines no flag transport, which server.json passes")
			}
		}
		key := false
		for _, v := range p.EnvironmentVariables {
			key = key || v.Name == "OPENPHONE_API_KEY" && v.IsSecret && v.IsRequired
		}
		if !key {
			t.Errorf("package %s: want OPENPHONE_API_KEY as a required secret variable", p.Identifier)
		}
	}
}
