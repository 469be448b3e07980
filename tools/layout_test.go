package tools

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFileLines is the most lines a file of this package may have.
const maxFileLines = 400

// TestLayout keeps the package a kit plus one file per tool: no file is
// longer than maxFileLines, every tool has a file named after it (with,
// when it is long, companions named <tool>_<part>.go), and no kit file
// (any other file) uses a name declared in a tool's files, so a tool can be
// added or removed without touching the kit.
func TestLayout(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(raw, []byte("\n")); n > maxFileLines {
			t.Errorf("%s has %d lines, more than %d: split it", f, n, maxFileLines)
		}
	}

	toolFile := map[string]bool{}
	for _, st := range All(Deps{}) {
		toolFile[st.Tool.Name+".go"] = true
	}
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	declaredIn := map[string]string{} // top-level name -> file
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed[f] = af
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name != "init" {
					declaredIn[d.Name.Name] = f
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						declaredIn[s.Name.Name] = f
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declaredIn[n.Name] = f
						}
					}
				}
			}
		}
	}
	for f := range toolFile {
		if parsed[f] == nil {
			t.Errorf("no file %s for its tool", f)
		}
	}
	for f := range parsed {
		for _, st := range All(Deps{}) {
			if strings.HasPrefix(f, st.Tool.Name+"_") {
				toolFile[f] = true // a companion of the tool
			}
		}
	}
	for f, af := range parsed {
		if toolFile[f] {
			continue
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if from := declaredIn[id.Name]; toolFile[from] {
					t.Errorf("%s: kit file %s uses %s from the tool file %s", fset.Position(id.Pos()), f, id.Name, from)
				}
			}
			return true
		})
	}
}
