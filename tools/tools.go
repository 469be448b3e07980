// Package tools holds the MCP tools of openphone-mcp: a small kit and one
// file per tool, named after it (list_calls.go, get_call.go, ...). The kit:
//
//   - tools.go: what the tools need from the program (Deps), and All.
//   - typed.go: the typed wrapper; a handler returns (Out, text, error).
//   - args.go: every shared argument, parsed once into a typed value.
//   - render.go: the shared text of results, and the shared output types.
//   - explain.go: errors to sentences the model can act on.
//   - text.go, directory.go and names.go, summaries.go: safe text, the
//     per-key cache of numbers and names, the AI summaries under call lines.
//   - call_metrics.go, callbacks.go, zones.go: what a call counts as and
//     who it belongs to, the missed-call worklist, days in a time zone.
//
// Tool files (and a tool's companions, <tool>_<part>.go) use the kit; the
// kit never refers to a tool's files.
package tools

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// ClientFunc returns the API client for a tool call. Usually it returns one
// shared client; with per-request API keys it picks the caller's.
type ClientFunc func(ctx context.Context) (*client.Client, error)

// Deps is what the tools need from the program around them.
type Deps struct {
	Client ClientFunc
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
	// Demo marks every result as coming from the built-in demo workspace.
	Demo bool
	// Logger gets one line per failed tool call; nil discards.
	Logger *slog.Logger
	// DefaultRegion is the region of phone numbers written without a
	// country code (ISO 3166 code, default "US").
	DefaultRegion string
	// APIVersion chooses the API surface calls are listed from: "auto"
	// (the default: Quo's dated API, v1 where the API does not know it),
	// "2026-03-30" or "v1".
	APIVersion string
	// TimeZone is where days, hours and weekdays are counted, and how
	// times are written (--timezone; nil: UTC).
	TimeZone *time.Location
	// MaxWalkRequests bounds the API requests of one answer that reads a
	// whole window (call_stats, missed_calls); 0: DefaultMaxWalkRequests.
	MaxWalkRequests int
	// Ledger is the local ledger of c's workspace (nil func or nil ledger:
	// none, the tools ask the API); search_calls needs one.
	Ledger func(c *client.Client) *ledger.Ledger

	dirs *directories // caches per API client; set by All
	// states keeps the walks of listings between their pages, per API
	// client; fallbacks remembers the clients whose API does not know the
	// dated surface; both set by All.
	states    *history.States
	fallbacks *history.Fallbacks
}

// API surfaces for Deps.APIVersion.
const (
	APIAuto  = "auto"
	APIDated = "2026-03-30"
	APIV1    = "v1"
)

// ledgerOf is c's ledger, or nil.
func (d *Deps) ledgerOf(c *client.Client) *ledger.Ledger {
	if d.Ledger == nil {
		return nil
	}
	return d.Ledger(c)
}

// callsSource is where the calls of a window come from for c: the ledger
// when it covers the window and is fresh, else the API (its calls written
// through to the ledger, if there is one).
func (d *Deps) callsSource(c *client.Client, w *directory) history.Source {
	api := d.apiSource(c, w)
	if l := d.ledgerOf(c); l != nil {
		return ledger.Prefer(l, api)
	}
	return api
}

// apiSource is the API's calls for c, on the surface --api-version asks.
func (d *Deps) apiSource(c *client.Client, w *directory) history.Source {
	v1 := history.NewV1Walk(c, d.states)
	v1.Conversations = w.rememberConversations
	switch d.APIVersion {
	case APIV1:
		return v1
	case APIDated:
		return history.NewDatedCalls(c, d.states)
	}
	return history.NewFallback(history.NewDatedCalls(c, d.states), v1, c, d.fallbacks)
}

// directory returns the cache of phone numbers and names for c.
func (d *Deps) directory(c *client.Client) *directory { return d.dirs.get(c) }

func (d *Deps) region() string {
	if d.DefaultRegion == "" {
		return DefaultRegion
	}
	return d.DefaultRegion
}

// DefaultMaxWalkRequests is --max-walk-requests' default: a minute of the
// API's 10 requests a second, 30,000 calls on the dated surface.
const DefaultMaxWalkRequests = 600

func (d *Deps) walkBudget() int {
	if d.MaxWalkRequests > 0 {
		return d.MaxWalkRequests
	}
	return DefaultMaxWalkRequests
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// toolFunc builds one tool over d.
type toolFunc func(d *Deps) server.ServerTool

// toolFuncs are the tools, each added by its own file's init: the kit names
// no tool, and a new tool is one new file.
var toolFuncs []toolFunc

func registerTool(f toolFunc) { toolFuncs = append(toolFuncs, f) }

// All returns every tool, ready for server.AddTools, by name (the order of
// tools/list, which mcp-go sorts too).
func All(d Deps) []server.ServerTool {
	d.dirs = &directories{now: d.now}
	d.states = history.NewStates(0, 0)
	d.fallbacks = history.NewFallbacks(0)
	d.fallbacks.Logged = func(err error) {
		d.logger().Warn("the API does not know Quo's dated calls API (2026-03-30): listing calls through v1 for this key for an hour", "error", err)
	}
	all := make([]server.ServerTool, 0, len(toolFuncs))
	for _, f := range toolFuncs {
		all = append(all, f(&d))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Tool.Name < all[j].Tool.Name })
	return all
}

// Register adds every tool to s.
func Register(s *server.MCPServer, d Deps) {
	s.AddTools(All(d)...)
}

// annotations are set explicitly on every tool: mcp-go's defaults claim
// destructive and non-idempotent.
type annotations struct {
	title                                        string
	readOnly, destructive, idempotent, openWorld bool
}

// readOnlyAPI describes a tool that only reads from the OpenPhone API.
func readOnlyAPI(title string) annotations {
	return annotations{title: title, readOnly: true, idempotent: true, openWorld: true}
}
