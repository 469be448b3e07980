// Package ledger is the local ledger of a workspace's calls: every call of
// the last --ledger-days with its AI summary, next steps, voicemail and
// transcript, and the names of its parties, kept in a Store (SQLite here,
// through modernc.org/sqlite; Postgres for team deployments later) and
// kept in sync with the API inside the key's budget (sync.go). The tools
// read it through Source, a history.Source, when it covers a window and is
// fresh, and search it with Store.Search.
//
// It imports client/ and internal/history of the project, nothing of MCP.
package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// Store is where a ledger keeps one workspace's calls. Every method is
// safe for concurrent use. Calls are upserted by id: a call written twice
// is one call, its latest version.
type Store interface {
	// PutCalls upserts calls by id. A call's summary and voicemail are
	// replaced by those given when they are set, and kept when nil (a v1
	// listing brings neither). Its transcript is never touched here.
	PutCalls(ctx context.Context, calls []history.Call) error
	// PutTranscript sets a call's transcript (upserted; the call must be
	// stored).
	PutTranscript(ctx context.Context, callID string, t Transcript) error
	// PutNames upserts the names of parties (the contact or conversation
	// name of a number's party) and of users.
	PutNames(ctx context.Context, names []Name) error
	// Names are every name stored.
	Names(ctx context.Context) ([]Name, error)

	// Range lists the stored calls of q newest first (history.Key order),
	// starting right after from (nil: the newest), at most limit (0: no
	// limit). q's window and filters apply; PhoneNumberIDs empty means
	// every number. With client.IncludeSummary in q.Include the summary
	// comes too; with client.IncludeVoicemail the voicemail (else both are
	// nil).
	Range(ctx context.Context, q history.Query, from *history.Key, limit int) ([]history.Call, error)
	// Get is one stored call with its summary and voicemail; nil and no
	// error when the ledger does not hold it.
	Get(ctx context.Context, callID string) (*history.Call, error)
	// Search finds the calls whose summary, next steps, voicemail
	// transcript, call transcript or party names match q.Text, best first.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
	// Count is what the ledger holds of a window: for search_calls'
	// coverage line.
	Count(ctx context.Context, q history.Query) (Counts, error)

	// Unsettled are the ids of calls created at or after since whose
	// summary, voicemail or transcript was still in progress when stored,
	// oldest first, at most limit: the sync reads them again.
	Unsettled(ctx context.Context, since time.Time, limit int) ([]string, error)
	// WantTranscripts are the ids of answered calls with a duration,
	// created at or after since, that have no final transcript (none
	// stored, or one in progress), newest first, at most limit.
	WantTranscripts(ctx context.Context, since time.Time, limit int) ([]string, error)

	// Meta is the sync state; SetMeta replaces it.
	Meta(ctx context.Context) (Meta, error)
	SetMeta(ctx context.Context, m Meta) error
	// Prune deletes every call created before t, with its content; it
	// returns how many calls it deleted.
	Prune(ctx context.Context, before time.Time) (int, error)
	// Status is the ledger's size and contents, for `ledger status`.
	Status(ctx context.Context) (Status, error)
	Close() error
}

// Elector elects the one replica that syncs a workspace when several
// share one Store (a team's Postgres: an advisory lock). A ledger without
// one syncs alone, as a single process does.
type Elector interface {
	// TryLead takes the sync of workspace when no replica holds it, at
	// once and without waiting: ok is false when another holds it. The
	// lease lasts until Release, or until the replica's hold on it is lost
	// (its database connection broke), when Lost is closed.
	TryLead(ctx context.Context, workspace string) (lease Lease, ok bool, err error)
}

// Lease is the right to sync one workspace, from Elector.TryLead.
type Lease interface {
	// Lost is closed when the lease is lost without Release.
	Lost() <-chan struct{}
	// Release gives the lease up; it is safe to call more than once.
	Release()
}

// Transcript is a call's transcript as the ledger keeps it: one timeline,
// its lines in order.
type Transcript struct {
	Status string // client.StatusCompleted, StatusInProgress, StatusAbsent, StatusFailed
	Lines  []Line
}

// Line is one utterance of a transcript.
type Line struct {
	Start   float64 // seconds from the call's start
	Speaker string  // the speaker's phone number, or "" when unknown
	UserID  string  // the workspace user speaking, if one
	Text    string
}

// Name is a name the ledger keeps: of a party of a number (PhoneNumberID
// and Party set) or of a user (UserID set).
type Name struct {
	PhoneNumberID string
	Party         string // E.164
	UserID        string
	Name          string
}

// SearchQuery is one search_calls request.
type SearchQuery struct {
	// Text is the query in search_calls' plain language: words, "quoted
	// phrases", OR between two terms, -word to exclude. Any text is a
	// valid query (ParseQuery never fails).
	Text string
	// Filter narrows the calls searched: its window and filters as in
	// Range (Include is ignored).
	Filter history.Query
	// Offset and Limit page the hits.
	Offset, Limit int
}

// Hit is one call that matched.
type Hit struct {
	Call history.Call // with its summary and voicemail
	// Field is where the best passage is: FieldSummary, FieldNextSteps,
	// FieldVoicemail, FieldTranscript or FieldName.
	Field string
	// Passage is the matching text around the match, each matched term
	// between MarkOpen and MarkClose, at most about 200 characters.
	Passage string
	Rank    float64 // lower is better (bm25)
}

// The fields of a hit.
const (
	FieldSummary    = "summary"
	FieldNextSteps  = "next steps"
	FieldVoicemail  = "voicemail"
	FieldTranscript = "transcript"
	FieldName       = "name"
)

// The marks around a matched term in a passage.
const (
	MarkOpen  = "«"
	MarkClose = "»"
)

// SearchResult is a page of hits.
type SearchResult struct {
	Hits []Hit
	// Total is how many calls matched in all (at most 10,000 counted).
	Total int
}

// Counts are what a window of the ledger holds.
type Counts struct {
	Calls int
	// Answered is the answered calls with a duration (those that can have
	// a transcript); Transcripts those of them with a final transcript.
	Answered, Transcripts int
}

// Meta is the sync state of a ledger.
type Meta struct {
	// Workspace names whose calls these are (WorkspaceID of its key); a
	// file of another workspace is refused.
	Workspace string
	// From is the oldest instant the ledger holds every call of: the
	// backfill reached it. Zero: no backfill finished yet.
	From time.Time
	// SyncedAt is when the last sync finished: every call created before
	// it (less the sync's overlap) is stored.
	SyncedAt time.Time
	// Source is the API surface of the last sync (history.SourceDated or
	// history.SourceV1).
	Source string
}

// Status is a ledger's size and contents.
type Status struct {
	Path                  string
	Bytes                 int64
	Calls                 int
	Oldest, Newest        time.Time
	Summaries, Voicemails int
	Transcripts           int
	Meta                  Meta
}

// ErrForeign is a ledger file of another workspace (or not a ledger).
var ErrForeign = errors.New("the ledger file belongs to another workspace or is not a ledger of this server")

// WorkspaceID names a key's workspace without the key: a hash of it, in
// hex. It is no secret and gives nothing of the key back.
func WorkspaceID(apiKey string) string {
	sum := sha256.Sum256([]byte("openphone-mcp ledger workspace\x00" + apiKey))
	return hex.EncodeToString(sum[:8])
}

// DefaultDir is where ledgers live by default: <user cache
// dir>/openphone-mcp.
func DefaultDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "openphone-mcp"), nil
}

// DefaultPath is where a key's ledger lives by default:
// <user cache dir>/openphone-mcp/<WorkspaceID>.db.
func DefaultPath(apiKey string) (string, error) {
	dir, err := DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, WorkspaceID(apiKey)+".db"), nil
}
