// Shared helpers of the packaging tests: the repository's files, read
// relative to this package.

package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// repoFile reads a file by its path from the repository's root.
func repoFile(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return raw
}

// repoJSON decodes a JSON file of the repository into v.
func repoJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(repoFile(t, path), v); err != nil {
		t.Fatalf("%s is not valid JSON: %v", path, err)
	}
}

// mainDefinesFlag reports whether main.go defines the flag name (fs.XxxVar
// or fs.Xxx with that name), so the files that pass flags to the server
// notice when one is renamed.
func mainDefinesFlag(t *testing.T, name string) bool {
	t.Helper()
	re := regexp.MustCompile(`\bfs\.[A-Z]\w*\([^()]*?"` + regexp.QuoteMeta(name) + `"`)
	return re.Match(repoFile(t, "main.go"))
}
