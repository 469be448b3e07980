package main

// A figure is one measured quantity with its runs, target and echo
// baseline; this file makes them, takes their medians and percentiles, and
// prints them as the table and the JSON.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// figure is one measured quantity, with its value per run.
type figure struct {
	Name     string    `json:"name"`
	Unit     string    `json:"unit"`
	Target   string    `json:"target,omitempty"`
	Runs     []float64 `json:"runs"`
	Median   float64   `json:"median"`
	Met      *bool     `json:"met,omitempty"`
	Baseline []float64 `json:"baseline,omitempty"` // the echo server, same measurement
	BaseMed  float64   `json:"baselineMedian,omitempty"`
	Note     string    `json:"note,omitempty"`
	check    func(float64) bool
	prec     int
}

// errUnavailable marks a figure this system cannot measure (see
// proc_other.go): the bench notes it and goes on.
var errUnavailable = errors.New("unavailable")

// noteUnavailable notes, once however many runs ask, that the figure name
// was not measured.
func (b *bench) noteUnavailable(name string, err error) {
	note := name + ": not measured, " + err.Error()
	if !slices.Contains(b.notes, note) {
		b.notes = append(b.notes, note)
	}
}

// fig returns the figure called name, creating it.
func (b *bench) fig(name, unit, target string, prec int, check func(float64) bool) *figure {
	if f, ok := b.byName[name]; ok {
		return f
	}
	f := &figure{Name: name, Unit: unit, Target: target, check: check, prec: prec}
	b.figs = append(b.figs, f)
	b.byName[name] = f
	return f
}

func atMost(limit float64) func(float64) bool { return func(v float64) bool { return v <= limit } }

func atLeast(limit float64) func(float64) bool { return func(v float64) bool { return v >= limit } }

func below(limit float64) func(float64) bool { return func(v float64) bool { return v < limit } }

func (f *figure) finish() {
	f.Median = median(f.Runs)
	if len(f.Baseline) > 0 {
		f.BaseMed = median(f.Baseline)
	}
	if f.check != nil && len(f.Runs) > 0 {
		met := f.check(f.Median)
		f.Met = &met
	}
}

func (f *figure) format(v float64) string {
	return fmt.Sprintf("%.*f", f.prec, v)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentiles returns p50 and p99 of times (ms).
func percentiles(times []float64) (p50, p99 float64) {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, int(float64(len(s))*0.99))]
}

func (b *bench) report(w io.Writer) {
	fmt.Fprintf(w, "\nopenphone-mcp bench: %s, %s cores, %s, %s; %d runs\n\n",
		b.machine["cpu"], b.machine["nproc"], b.machine["go"], b.machine["os/arch"], b.cfg.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tunit\ttarget\tmedian\truns\techo baseline\tmet")
	for _, f := range b.figs {
		f.finish()
		var runs []string
		for _, v := range f.Runs {
			runs = append(runs, f.format(v))
		}
		base := ""
		if len(f.Baseline) > 0 {
			base = f.format(f.BaseMed)
		}
		met := ""
		if f.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*f.Met]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Unit, f.Target, f.format(f.Median), strings.Join(runs, " "), base, met)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, f := range b.figs {
		if f.Note != "" {
			fmt.Fprintf(w, "- %s: %s\n", f.Name, f.Note)
		}
	}
	for _, n := range b.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func (b *bench) writeJSON(path string) error {
	out := map[string]any{
		"machine": b.machine,
		"config": map[string]any{
			"runs": b.cfg.runs, "spawns": b.cfg.spawns, "calls": b.cfg.calls, "sessions": b.cfg.sessions,
			"duration": b.cfg.duration.String(), "rssCalls": b.cfg.rssCalls, "recentRuns": b.cfg.recentRuns,
			"recentArgs": b.cfg.recentArgs,
		},
		"figures": b.figs,
		"notes":   b.notes,
		"at":      b.now.UTC().Format(time.RFC3339),
	}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
