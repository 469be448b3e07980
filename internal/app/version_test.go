// Tests of Version: the -ldflags value first, then the build info's module
// version, then its VCS revision.

package app

import (
	"runtime/debug"
	"testing"
)

func TestVersion_Sources(t *testing.T) {
	revision := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "871352a1b2c3d4e5f60718293a4b5c6d7e8f9012"}, {Key: "vcs.modified", Value: "false"}}
	dirty := []debug.BuildSetting{{Key: "vcs.revision", Value: "871352a1b2c3d4e5f60718293a4b5c6d7e8f9012"}, {Key: "vcs.modified", Value: "true"}}
	info := func(version string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/openphone-mcp/openphone-mcp", Version: version}, Settings: settings}
	}
	cases := []struct {
		name    string
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"ldflags win over the module version", "1.4.0", info("v1.3.0", revision), "1.4.0"},
		{"ldflags with a v read like a tag", "v1.4.0-rc.1", nil, "1.4.0-rc.1"},
		{"ldflags of blanks count as unset", "  ", info("v1.3.0", nil), "1.3.0"},
		{"go install of a tag", "", info("v1.3.0", nil), "1.3.0"},
		{"go build in a checkout: the pseudo-version", "", info("v0.0.0-20261202013600-871352a1b2c3+dirty", dirty), "0.0.0-20261202013600-871352a1b2c3+dirty"},
		{"no module version: the revision", "", info("(devel)", revision), "devel-871352a1b2c3"},
		{"no module version, uncommitted changes", "", info("", dirty), "devel-871352a1b2c3-dirty"},
		{"a short revision kept whole", "", info("(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}), "devel-abc123"},
		{"nothing recorded", "", info("(devel)", nil), "devel"},
		{"no build info", "", nil, "devel"},
		{"a version that is not a tag kept as given", "", info("version-2", nil), "version-2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := versionFrom(c.ldflags, c.info); got != c.want {
				t.Errorf("versionFrom(%q, ...) = %q, want %q", c.ldflags, got, c.want)
			}
		})
	}
}

// TestVersion_ThisBinary reads the test binary's own build info: with no
// ldflags value, Version says what versionFrom says of that info, and an
// ldflags value still wins.
func TestVersion_ThisBinary(t *testing.T) {
	info, _ := debug.ReadBuildInfo()
	if got, want := Version(""), versionFrom("", info); got != want {
		t.Errorf("Version(\"\") = %q, want %q from this binary's build info", got, want)
	}
	if got := Version("2.0.0"); got != "2.0.0" {
		t.Errorf("Version(\"2.0.0\") = %q, want 2.0.0", got)
	}
}
