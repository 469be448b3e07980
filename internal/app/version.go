// The version the binary reports (--version, the initialize reply, the
// User-Agent): the one a release build stamps with -ldflags, else what the Go
// toolchain recorded in the binary's build info.

package app

import (
	"runtime/debug"
	"strings"
)

// Version is the version to report, given the value -ldflags "-X
// main.version=..." set (empty when the build set none): that value when
// set; else the main module's version from the build info (v1.2.3 for `go
// install ...@v1.2.3`, Go's pseudo-version for `go build` in a checkout);
// else "devel-" and the first 12 digits of the VCS revision the toolchain
// stamped, with "-dirty" when the tree had uncommitted changes; else
// "devel". A leading "v" before a digit is dropped, so a tag reads the same
// whichever way the binary was built (GoReleaser's {{.Version}} has none).
func Version(ldflags string) string {
	info, _ := debug.ReadBuildInfo() // nil when the binary has none
	return versionFrom(ldflags, info)
}

// versionFrom is Version with the build info passed in (nil: none), so
// tests can give it any.
func versionFrom(ldflags string, info *debug.BuildInfo) string {
	if v := strings.TrimSpace(ldflags); v != "" {
		return trimV(v)
	}
	if info == nil {
		return "devel"
	}
	// "(devel)" is what the toolchain records when it knows no version:
	// a build outside a repository, or with -buildvcs=false.
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return trimV(v)
	}
	var revision string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return "devel"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	v := "devel-" + revision
	if modified {
		v += "-dirty"
	}
	return v
}

// trimV drops the "v" of a Go module version or a tag (v1.2.3 -> 1.2.3);
// anything else is kept as given.
func trimV(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}
