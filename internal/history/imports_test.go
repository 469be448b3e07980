package history

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyTheClient: the engine knows no MCP, no tool and no
// transport; of the project it imports client/ and nothing else, so the
// next sources (the dated API, the ledger) and consumers can build on it.
func TestImportsOnlyTheClient(t *testing.T) {
	const project = "github.com/openphone-mcp/openphone-mcp/"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, project) && path != project+"client" {
				t.Errorf("%s imports %s: internal/history may import only client/ of the project", f, path)
			}
			if strings.HasPrefix(path, "github.com/mark3labs/") {
				t.Errorf("%s imports %s: the engine knows no MCP", f, path)
			}
		}
	}
}
