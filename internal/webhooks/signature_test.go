package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's published test vector.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTime   = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// A legacy delivery signed outside Go (Python's hmac over
// "1639710054089." and the body, with the key base64-decoded).
const (
	legacyKey  = "bGVnYWN5LXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY="
	legacyMs   = 1639710054089
	legacyBody = `{"id":"EVlegacy1","object":"event","createdAt":"2022-01-01T00:00:00.000Z","type":"call.completed","data":{"object":{"id":"ACvector1","object":"call","status":"completed"}}}`
	legacySig  = "hmac;1;1639710054089;URNCzAwTxFxGwsSB+JEiJYPguhrsA3FilE6IcCjCqhU="
)

func checkSig(t *testing.T, h http.Header, now time.Time, secrets []string, body string) (bool, *refusal) {
	t.Helper()
	keys, err := decodeKeys(secrets)
	if err != nil {
		t.Fatal(err)
	}
	sig, rf := parseSignature(h, now)
	if rf != nil {
		return false, rf
	}
	return sig.verify(keys, []byte(body)), nil
}

func standardHeader(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	return h
}

// TestSignature_StandardVector: the specification's vector verifies, with
// the key's prefix or without, beside other signatures; one byte more, or
// another id, does not.
func TestSignature_StandardVector(t *testing.T) {
	now := time.Unix(vectorTime+10, 0)
	for _, tc := range []struct {
		name, id, sig, secret, body string
		want                        bool
	}{
		{"the vector", vectorID, vectorSig, vectorSecret, vectorBody, true},
		{"the key without whsec_", vectorID, vectorSig, strings.TrimPrefix(vectorSecret, "whsec_"), vectorBody, true},
		{"among others", vectorID, "v1a,AAAA v1,bm90IGl0 " + vectorSig, vectorSecret, vectorBody, true},
		{"a byte more in the body", vectorID, vectorSig, vectorSecret, vectorBody + " ", false},
		{"another id", "msg_other", vectorSig, vectorSecret, vectorBody, false},
		{"another key", vectorID, vectorSig, "whsec_" + base64.StdEncoding.EncodeToString([]byte("another key")), vectorBody, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, rf := checkSig(t, standardHeader(tc.id, vectorTime, tc.sig), now, []string{tc.secret}, tc.body)
			if rf != nil || ok != tc.want {
				t.Errorf("verified %v (refusal %+v), want %v", ok, rf, tc.want)
			}
		})
	}
}

// TestSignature_LegacyVector: openphone-signature as Quo forms it (the
// timestamp in ms, a dot, the body; the key decoded from base64).
func TestSignature_LegacyVector(t *testing.T) {
	now := time.UnixMilli(legacyMs + 1000)
	h := http.Header{}
	h.Set("openphone-signature", legacySig)
	if ok, rf := checkSig(t, h, now, []string{legacyKey}, legacyBody); !ok || rf != nil {
		t.Errorf("the legacy vector: %v %+v, want verified", ok, rf)
	}
	if ok, _ := checkSig(t, h, now, []string{legacyKey}, strings.Replace(legacyBody, "ACvector1", "ACvector2", 1)); ok {
		t.Error("a changed body verified")
	}
	h.Set("openphone-signature", "hmac;1;1639710054089;bm90IGl0, "+legacySig)
	if ok, rf := checkSig(t, h, now, []string{legacyKey}, legacyBody); !ok || rf != nil {
		t.Errorf("the vector after a wrong signature: %v %+v, want verified", ok, rf)
	}
}

// TestSignature_Refusals: what the headers alone refuse, and how.
func TestSignature_Refusals(t *testing.T) {
	now := time.Unix(vectorTime, 0)
	legacy := func(v string) http.Header { h := http.Header{}; h.Set("openphone-signature", v); return h }
	for _, tc := range []struct {
		name   string
		h      http.Header
		status int
		says   string
	}{
		{"no signature", http.Header{}, 401, "not signed"},
		{"no webhook-id", func() http.Header { h := standardHeader("x", vectorTime, vectorSig); h.Del("webhook-id"); return h }(), 401, "webhook-id"},
		{"a timestamp in ms", standardHeader(vectorID, vectorTime*1000, vectorSig), 400, "future"},
		{"a timestamp not a number", func() http.Header {
			h := standardHeader(vectorID, 0, vectorSig)
			h.Set("webhook-timestamp", "soon")
			return h
		}(), 401, "Unix seconds"},
		{"6 minutes old", standardHeader(vectorID, vectorTime-360, vectorSig), 400, "6m0s old"},
		{"6 minutes ahead", standardHeader(vectorID, vectorTime+360, vectorSig), 400, "future"},
		{"no v1 signature", standardHeader(vectorID, vectorTime, "v1a,AAAA"), 401, "v1,<base64>"},
		{"legacy, 6 minutes old", legacy("hmac;1;" + strconv.FormatInt((vectorTime-360)*1000, 10) + ";AAAA"), 400, "old"},
		{"legacy, another scheme", legacy("sha1;1;" + strconv.FormatInt(vectorTime*1000, 10) + ";AAAA"), 401, "hmac;1;"},
		{"legacy, three fields", legacy("hmac;1;AAAA"), 401, "hmac;1;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rf := parseSignature(tc.h, now)
			if rf == nil || rf.status != tc.status || !strings.Contains(rf.reason, tc.says) {
				t.Errorf("refusal %+v, want %d saying %q", rf, tc.status, tc.says)
			}
		})
	}
	// Within the tolerance either way is accepted.
	for _, d := range []int64{-299, 299} {
		if _, rf := parseSignature(standardHeader(vectorID, vectorTime+d, vectorSig), now); rf != nil {
			t.Errorf("%d s from now: refused %+v", d, rf)
		}
	}
}

// TestParseSecrets: several keys by commas; an empty or undecodable one
// is a sentence that shows no key.
func TestParseSecrets(t *testing.T) {
	got, err := ParseSecrets(" " + legacyKey + " , " + vectorSecret + ",")
	if err != nil || len(got) != 2 || got[0] != legacyKey || got[1] != vectorSecret {
		t.Errorf("ParseSecrets: %v, %v", got, err)
	}
	if _, err := ParseSecrets(" , "); err == nil || !strings.Contains(err.Error(), "register") {
		t.Errorf("empty: %v, want a sentence naming the register command", err)
	}
	const bad = "whsec_not*base64*secret"
	_, err = ParseSecrets(legacyKey + "," + bad)
	if err == nil || !strings.Contains(err.Error(), "key 2 of 2") || strings.Contains(err.Error(), "not*base64") || strings.Contains(err.Error(), legacyKey) {
		t.Errorf("an undecodable key: %v, want key 2 of 2 named, no key shown", err)
	}
}

// sign is the HMAC-SHA256 of content under the decoded secret, base64.
func sign(t testing.TB, secret, content string) string {
	t.Helper()
	keys, err := decodeKeys([]string{secret})
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, keys[0])
	m.Write([]byte(content))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
