// Tests of .goreleaser.yaml without GoReleaser: its platforms, the static
// and path-free build, the version stamped into a variable main really
// has, and archives with README and LICENSE. `goreleaser check` checks the
// keys themselves where GoReleaser is installed (.ci/packaging.sh).

package packaging

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ignore  []any    `yaml:"ignore"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		// An entry is a path or {src: path, info: ...}.
		Files []any `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	var c goreleaserConfig
	if err := yaml.Unmarshal(repoFile(t, ".goreleaser.yaml"), &c); err != nil {
		t.Fatalf(".goreleaser.yaml is not valid YAML: %v", err)
	}
	return c
}

func TestGoreleaser_BuildsEveryPlatformStatic(t *testing.T) {
	c := readGoreleaser(t)
	if c.Version != 2 {
		t.Errorf("version: %d, want 2 (GoReleaser v2's configuration)", c.Version)
	}
	if len(c.Builds) != 1 {
		t.Fatalf("%d builds, want the one of the server", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "." || b.Binary != "openphone-mcp" {
		t.Errorf("build of main %q into %q, want . into openphone-mcp", b.Main, b.Binary)
	}
	wantOS, wantArch := []string{"darwin", "linux", "windows"}, []string{"amd64", "arm64"}
	if got := sorted(b.Goos); !slices.Equal(got, wantOS) {
		t.Errorf("goos %v, want %v", got, wantOS)
	}
	if got := sorted(b.Goarch); !slices.Equal(got, wantArch) {
		t.Errorf("goarch %v, want %v", got, wantArch)
	}
	if len(b.Ignore) > 0 {
		t.Errorf("ignore %v leaves out platforms of the six", b.Ignore)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("env %v lacks CGO_ENABLED=0: the binary would not be static", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("flags %v lack -trimpath", b.Flags)
	}
}

// TestGoreleaser_StampsMainVersion: the ldflags set main.version to the
// release's version, and main.go has that string variable (-X on a name
// that does not exist is silently ignored by the linker).
func TestGoreleaser_StampsMainVersion(t *testing.T) {
	c := readGoreleaser(t)
	if len(c.Builds) == 0 {
		t.Fatal("no builds")
	}
	ldflags := strings.Join(c.Builds[0].Ldflags, " ")
	if !regexp.MustCompile(`-X main\.version=\{\{\s*\.Version\s*\}\}`).MatchString(ldflags) {
		t.Errorf("ldflags %q do not set -X main.version={{ .Version }}", ldflags)
	}
	if !mainHasStringVar(t, "version") {
		t.Error("main.go has no package-level string variable version for -X main.version to set")
	}
}

func TestGoreleaser_ArchivesWithReadmeAndLicense(t *testing.T) {
	c := readGoreleaser(t)
	if len(c.Archives) != 1 {
		t.Fatalf("%d archives, want 1", len(c.Archives))
	}
	a := c.Archives[0]
	if !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf("formats %v, want [tar.gz]", a.Formats)
	}
	zipOnWindows := false
	for _, o := range a.FormatOverrides {
		zipOnWindows = zipOnWindows || o.Goos == "windows" && slices.Equal(o.Formats, []string{"zip"})
	}
	if !zipOnWindows {
		t.Errorf("format_overrides %+v: want zip on windows", a.FormatOverrides)
	}
	var files []string
	for _, f := range a.Files {
		switch f := f.(type) {
		case string:
			files = append(files, f)
		case map[string]any:
			src, _ := f["src"].(string)
			files = append(files, src)
		}
	}
	for _, want := range []string{"README.md", "LICENSE"} {
		if !slices.Contains(files, want) {
			t.Errorf("archive files %v lack %s", files, want)
		}
		if _, err := os.Stat(filepath.Join("..", want)); err != nil {
			t.Errorf("the archives take %s, which is missing: %v", want, err)
		}
	}
	if c.Checksum.Algorithm != "" && c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q, want sha256", c.Checksum.Algorithm)
	}
	if c.Checksum.NameTemplate == "" {
		t.Error("checksum has no name_template: say where the checksums go")
	}
}

// mainHasStringVar reports whether main.go declares a package-level
// variable name of type string (explicit, or from a string literal).
func mainHasStringVar(t *testing.T, name string) bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "main.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parsing main.go: %v", err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				if n.Name != name {
					continue
				}
				if id, ok := v.Type.(*ast.Ident); ok {
					return id.Name == "string"
				}
				if i < len(v.Values) {
					lit, ok := v.Values[i].(*ast.BasicLit)
					return ok && lit.Kind == token.STRING
				}
			}
		}
	}
	return false
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
