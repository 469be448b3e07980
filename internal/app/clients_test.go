package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

const (
	tenantKey    = "opk_test_TENANT_MARKER_5a91"
	tenantCaller = "198.51.100.7"
	attacker     = "203.0.113.9"
)

// bogusKey is the i-th key the fake API answers 401 for.
func bogusKey(i int) string { return fmt.Sprintf("bogus_%05d", i) }

// keyedAPI is a loopback fake of GET /v1/phone-numbers: keys starting with
// "bogus" or listed in revoked get 401, others an empty list. It records
// when each request arrived, by its own clock, per key (as its SHA-256).
type keyedAPI struct {
	url      string
	mu       sync.Mutex
	arrivals map[[32]byte][]time.Time
	revoked  map[string]bool
	// hold, when set, keeps requests of holdKey waiting until it is
	// closed; arrived is told when one comes.
	holdKey string
	hold    chan struct{}
	arrived chan struct{}
}

func newKeyedAPI(t *testing.T) *keyedAPI {
	t.Helper()
	api := &keyedAPI{arrivals: map[[32]byte][]time.Time{}, revoked: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		key := r.Header.Get("Authorization")
		api.mu.Lock()
		id := sha256.Sum256([]byte(key))
		api.arrivals[id] = append(api.arrivals[id], now)
		rejected := strings.HasPrefix(key, "bogus") || api.revoked[key]
		hold := api.hold
		held := hold != nil && key == api.holdKey
		api.mu.Unlock()
		if held {
			api.arrived <- struct{}{}
			<-hold
		}
		w.Header().Set("Content-Type", "application/json")
		if rejected {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Unauthorized","code":"0100401","status":401}`)
			return
		}
		_, _ = io.WriteString(w, `{"data":[]}`)
	}))
	t.Cleanup(srv.Close)
	api.url = srv.URL
	return api
}

// requests is when the API saw key's requests, in order.
func (api *keyedAPI) requests(key string) []time.Time {
	api.mu.Lock()
	defer api.mu.Unlock()
	return slices.Clone(api.arrivals[sha256.Sum256([]byte(key))])
}

func (api *keyedAPI) revoke(key string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.revoked[key] = true
}

// newTestPool is a pool of caller keys against url, paced at perSecond,
// without an own key.
func newTestPool(t *testing.T, url string, perSecond float64) *clientPool {
	t.Helper()
	p, err := newClientPool("", perSecond, []client.Option{
		client.WithBaseURL(url),
		client.WithTimeout(10 * time.Second),
		client.WithRetries(1, 0, 0),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeClock is a settable clock for the pool's bookkeeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// listNumbers makes one API request with key, through the pool.
func listNumbers(ctx context.Context, p *clientPool, key, caller string) error {
	c, err := p.forKey(key, caller)
	if err != nil {
		return err
	}
	_, err = c.ListPhoneNumbers(ctx, "")
	return err
}

// noKeyIn fails t if text holds any of keys.
func noKeyIn(t *testing.T, text string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if strings.Contains(text, k) {
			t.Errorf("the key %s is in %q", k, text)
		}
	}
}

// TestClientPool_BogusKeysLeaveAnotherKeysPacing is issue 16's attack: one
// client sends 5,000 bogus keys while another tenant keeps its key busy
// with 4 tool calls at a time of 3 requests each. The tenant's key must
// stay at 10 requests per second by the fake API's clock. One limiter at
// 10/s spaces its reservations 100 ms apart and no request arrives before
// its reservation, so the k-th request (from 0) cannot arrive earlier
// than k*100 ms after the start, however slow or fast the machine: a
// second limiter for the key (the pool restarting) breaks that at once.
// Before this pool, the restart at 1,024 keys gave the tenant new pacers
// while its calls in flight kept the old ones.
func TestClientPool_BogusKeysLeaveAnotherKeysPacing(t *testing.T) {
	api := newKeyedAPI(t)
	p := newTestPool(t, api.url, client.DefaultRateLimit)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const tenantRequests, perCall, bogusKeys = 30, 3, 5000
	start := time.Now()
	var wg sync.WaitGroup
	var taken atomic.Int64
	for range 4 {
		wg.Go(func() {
			for taken.Add(perCall) <= tenantRequests {
				c, err := p.forKey(tenantKey, tenantCaller)
				if err != nil {
					t.Errorf("the tenant's key was refused: %v", err)
					return
				}
				for range perCall {
					if _, err := c.ListPhoneNumbers(ctx, ""); err != nil {
						t.Errorf("tenant request: %v", err)
						return
					}
				}
			}
		})
	}
	var next, refused, rejected atomic.Int64
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)); i <= bogusKeys; i = int(next.Add(1)) {
				var sr *slotRefused
				switch err := listNumbers(ctx, p, bogusKey(i), attacker); {
				case errors.As(err, &sr):
					refused.Add(1)
				case client.IsStatus(err, http.StatusUnauthorized):
					rejected.Add(1)
				default:
					t.Errorf("bogus key %d: %v, want a refusal or a 401", i, err)
					return
				}
			}
		})
	}
	wg.Wait()

	seen := api.requests(tenantKey)
	if len(seen) != tenantRequests {
		t.Fatalf("the API saw %d tenant requests, want %d", len(seen), tenantRequests)
	}
	slices.SortFunc(seen, func(a, b time.Time) int { return a.Compare(b) })
	early := 0
	for k, at := range seen {
		// 1 ms for x/time/rate's rounding of durations.
		if floor := time.Duration(k)*100*time.Millisecond - time.Millisecond; at.Sub(start) < floor {
			early++
			if early <= 3 {
				t.Errorf("tenant request %d arrived %v after the start, before %v: more than 10 per second", k, at.Sub(start).Round(time.Millisecond), floor)
			}
		}
	}
	busiest := 0
	for i := range seen {
		n, _ := slices.BinarySearchFunc(seen, seen[i].Add(time.Second), func(a, b time.Time) int { return a.Compare(b) })
		busiest = max(busiest, n-i)
	}
	t.Logf("tenant key: %d requests in %v, at most %d in any second by the fake's clock, %d ahead of 10/s; bogus keys: %d answered 401, %d refused without a request",
		len(seen), seen[len(seen)-1].Sub(start).Round(time.Millisecond), busiest, early, rejected.Load(), refused.Load())
	if got := rejected.Load(); got > newKeysBurst+1 {
		t.Errorf("%d bogus keys reached the API from one client, want at most %d (its allowance)", got, newKeysBurst+1)
	}
	if got := p.slotCount(); got != 1 {
		t.Errorf("%d keys hold a slot after the attack, want 1 (the tenant's; 401s give theirs back)", got)
	}
}

// TestClientPool_RejectedKeysTakeNoSlot: a key the API answers 401 for,
// first time or after it served, gives its slot back; keys in use keep
// theirs and a new key waits for a free one without reaching the API.
func TestClientPool_RejectedKeysTakeNoSlot(t *testing.T) {
	api := newKeyedAPI(t)
	p := newTestPool(t, api.url, 0)
	p.maxSlots = 2
	ctx := context.Background()
	for i := range 5 {
		if err := listNumbers(ctx, p, bogusKey(i), attacker); !client.IsStatus(err, http.StatusUnauthorized) {
			t.Fatalf("bogus key %d: %v, want 401", i, err)
		}
		if n := p.slotCount(); n != 0 {
			t.Fatalf("after bogus key %d got 401, %d keys hold a slot, want 0", i, n)
		}
	}
	for _, key := range []string{keyA, keyB} {
		if err := listNumbers(ctx, p, key, tenantCaller); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	err := listNumbers(ctx, p, bogusKey(5), attacker)
	var sr *slotRefused
	if !errors.As(err, &sr) || !strings.Contains(err.Error(), "the most OpenPhone API keys it keeps at once (2)") || !strings.Contains(err.Error(), "Try again in 15m0s") {
		t.Fatalf("a third key with two in use: %v, want the pool-full refusal saying when to try again", err)
	}
	noKeyIn(t, err.Error(), bogusKey(5), keyA, keyB)
	if n := len(api.requests(bogusKey(5))); n != 0 {
		t.Errorf("the refused key reached the API %d times", n)
	}

	// keyA is revoked: its next 401 frees its slot for another key.
	api.revoke(keyA)
	if err := listNumbers(ctx, p, keyA, tenantCaller); !client.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("revoked keyA: %v, want 401", err)
	}
	if n := p.slotCount(); n != 1 {
		t.Errorf("after keyA's 401, %d keys hold a slot, want 1", n)
	}
	if err := listNumbers(ctx, p, ownMarkerKey, tenantCaller); err != nil {
		t.Errorf("a new key after keyA's slot was freed: %v", err)
	}
}

// TestClientPool_SlotsExpireAfterIdle: a slot is its key's for as long as
// the key is used, however many other keys come; it frees 15 minutes after
// its last request, and the refusal until then says how long to wait.
func TestClientPool_SlotsExpireAfterIdle(t *testing.T) {
	api := newKeyedAPI(t)
	p := newTestPool(t, api.url, 0)
	clock := &fakeClock{t: time.Now()}
	p.now, p.maxSlots = clock.now, 1
	ctx := context.Background()

	first, err := p.forKey(keyA, tenantCaller)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := first.ListPhoneNumbers(ctx, ""); err != nil {
			t.Fatal(err)
		}
		clock.advance(keySlotIdle - time.Second)
		var sr *slotRefused
		if _, err := p.forKey(keyB, attacker); !errors.As(err, &sr) || sr.RetryAfter != time.Second || !strings.Contains(err.Error(), "Try again in 1s") {
			t.Fatalf("keyB %v after keyA's last request: %v, want a refusal saying 1s", keySlotIdle-time.Second, err)
		}
	}
	again, err := p.forKey(keyA, tenantCaller)
	if err != nil || again != first {
		t.Fatalf("keyA while its slot lives: a new client (%v), want the same one and its pacing", err)
	}
	// Handing the client out counts as use too.
	clock.advance(keySlotIdle - time.Second)
	if _, err := p.forKey(keyB, attacker); err == nil {
		t.Fatal("keyB took keyA's slot 14m59s after keyA was handed out")
	}
	clock.advance(time.Second)
	if _, err := p.forKey(keyB, attacker); err != nil {
		t.Fatalf("keyB once keyA was idle for %v: %v", keySlotIdle, err)
	}
	if _, err := p.forKey(keyA, tenantCaller); err == nil {
		t.Error("keyA still has a slot after it expired and keyB took it")
	}
}

// TestClientPool_InFlightSlotIsNotReclaimed: a request that outlasts the
// idle time keeps its key's slot until its answer is read.
func TestClientPool_InFlightSlotIsNotReclaimed(t *testing.T) {
	api := newKeyedAPI(t)
	api.holdKey, api.hold, api.arrived = keyA, make(chan struct{}), make(chan struct{}, 1)
	p := newTestPool(t, api.url, 0)
	clock := &fakeClock{t: time.Now()}
	p.now, p.maxSlots = clock.now, 1
	done := make(chan error, 1)
	go func() { done <- listNumbers(context.Background(), p, keyA, tenantCaller) }()
	<-api.arrived
	clock.advance(time.Hour)
	if _, err := p.forKey(keyB, attacker); err == nil {
		t.Error("keyB took the slot of keyA's request in flight")
	}
	close(api.hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	clock.advance(keySlotIdle - time.Second)
	if _, err := p.forKey(keyB, attacker); err == nil {
		t.Errorf("keyB took keyA's slot %v after keyA's answer", keySlotIdle-time.Second)
	}
	clock.advance(time.Second)
	if _, err := p.forKey(keyB, attacker); err != nil {
		t.Errorf("keyB %v after keyA's answer: %v", keySlotIdle, err)
	}
}

// TestClientPool_NewKeysPerCaller: one client opens 30 new keys at once,
// then one every 2 s (30 a minute); other clients and the keys it already
// uses are not affected, and the refusal says when to try again.
func TestClientPool_NewKeysPerCaller(t *testing.T) {
	p := newTestPool(t, "http://127.0.0.1:1", 0)
	clock := &fakeClock{t: time.Now()}
	p.now = clock.now
	key := func(i int) string { return fmt.Sprintf("opk_test_NEW_%03d", i) }
	for i := range newKeysBurst {
		if _, err := p.forKey(key(i), attacker); err != nil {
			t.Fatalf("new key %d: %v", i, err)
		}
	}
	_, err := p.forKey(key(newKeysBurst), attacker)
	var sr *slotRefused
	if !errors.As(err, &sr) || sr.RetryAfter != 2*time.Second ||
		!strings.Contains(err.Error(), "too many new OpenPhone API keys (at most 30 at once, then 30 a minute). Try again in 2s") {
		t.Fatalf("new key %d: %v, want the refusal saying 2s", newKeysBurst, err)
	}
	noKeyIn(t, err.Error(), key(newKeysBurst))
	if _, err := p.forKey(key(0), attacker); err != nil {
		t.Errorf("a key the client already uses: %v", err)
	}
	if _, err := p.forKey(keyA, tenantCaller); err != nil {
		t.Errorf("another client's new key: %v", err)
	}
	clock.advance(2 * time.Second)
	if _, err := p.forKey(key(newKeysBurst), attacker); err != nil {
		t.Errorf("2 s later: %v", err)
	}
	if _, err := p.forKey(key(newKeysBurst+1), attacker); err == nil {
		t.Error("two new keys within 2 s once the allowance was spent")
	}
	if n := p.slotCount(); n != newKeysBurst+2 {
		t.Errorf("%d slots, want %d", n, newKeysBurst+2)
	}
}

// TestClientPool_OwnKeyInTheHeaderIsTheOwnClient: a caller that sends the
// server's own key shares its client, so the key is paced once.
func TestClientPool_OwnKeyInTheHeaderIsTheOwnClient(t *testing.T) {
	p, err := newClientPool(ownMarkerKey, 10, []client.Option{client.WithBaseURL("http://127.0.0.1:1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.forKey(ownMarkerKey, attacker)
	if err != nil || c != p.own {
		t.Errorf("the own key from a caller: %v, want the server's own client", err)
	}
	if n := p.slotCount(); n != 0 {
		t.Errorf("the own key took a slot: %d", n)
	}
}

// TestNewRefusesTooManyNewKeysFromOneClient: over HTTP, the 31st new key
// one address sends within a minute gets a tool error saying when to try
// again, with no API request; the key is in no output.
func TestNewRefusesTooManyNewKeysFromOneClient(t *testing.T) {
	api := newRecordingAPI(t)
	a, logs := newApp(t, Config{BaseURL: api.url, AllowClientAPIKeys: true})
	key := func(i int) string { return fmt.Sprintf("opk_test_HTTP_MARKER_%03d", i) }
	for i := range newKeysBurst + 1 {
		c, _ := session(t, a, map[string]string{"X-OpenPhone-Api-Key": key(i)})
		text, isError := call(t, c, "list_phone_numbers", map[string]any{})
		noKeyIn(t, text, key(i))
		if i < newKeysBurst {
			if isError {
				t.Fatalf("key %d: %s", i, text)
			}
			continue
		}
		if !isError || !strings.Contains(text, "too many new OpenPhone API keys") || !strings.Contains(text, "Try again in 2s") {
			t.Errorf("key %d: (isError=%v) %q, want the refusal saying 2s", i, isError, text)
		}
		if n := api.count(key(i), "/v1/phone-numbers"); n != 0 {
			t.Errorf("the refused key reached the API %d times", n)
		}
	}
	noKeyIn(t, logs.String(), key(0), key(newKeysBurst))
}
