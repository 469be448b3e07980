// The two signature schemes of Quo's deliveries and their keys:
//
//   - dated webhooks (Standard Webhooks): webhook-id, webhook-timestamp
//     (Unix seconds) and webhook-signature, a space-separated list of
//     "v1,<base64 HMAC-SHA256 of id.timestamp.body>"; the key is
//     "whsec_<base64>", decoded after the prefix;
//   - legacy (v1) webhooks: openphone-signature "hmac;1;<Unix ms>;<base64
//     HMAC-SHA256 of timestamp.body>"; the key is bare base64, decoded.
//
// Commas in openphone-signature are read as several signatures (the
// documentation reserves them for that). Signatures are compared in
// constant time, and the timestamp is checked before the body is read.

package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseSecrets reads QUO_WEBHOOK_SECRET: one signing key, or several
// separated by commas (v1 makes one webhook, with its own key, per kind
// of event). It checks that each decodes; its errors never show a key.
func ParseSecrets(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("QUO_WEBHOOK_SECRET is empty: set it to the signing keys `openphone-mcp webhooks register` printed, separated by commas")
	}
	if _, err := decodeKeys(out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeKeys decodes every secret into its HMAC key.
func decodeKeys(secrets []string) ([][]byte, error) {
	keys := make([][]byte, 0, len(secrets))
	for i, s := range secrets {
		b64 := strings.TrimPrefix(strings.TrimSpace(s), "whsec_")
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			key, err = base64.RawStdEncoding.DecodeString(b64)
		}
		if err != nil || len(key) == 0 {
			return nil, fmt.Errorf("webhook signing key %d of %d is not base64: give each key as Quo shows it, whsec_… for a dated webhook or the bare base64 of a v1 one, separated by commas", i+1, len(secrets))
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// signature is what a delivery's headers claim: what precedes the body in
// the signed content, and the signatures offered for it.
type signature struct {
	id     string    // webhook-id (dated); "" for legacy
	at     time.Time // the signed timestamp
	header string    // the signature header as sent
	offers []offer
}

type offer struct {
	prefix string // the signed content before the body: "id.timestamp." or "timestamp."
	mac    []byte
}

// parseSignature reads the signature headers and checks the timestamp
// against now: a delivery without either scheme is a 401, a malformed
// header a 401, a timestamp out of Tolerance a 400.
func parseSignature(h http.Header, now time.Time) (*signature, *refusal) {
	if sig := h.Get("webhook-signature"); sig != "" {
		return parseStandard(h, sig, now)
	}
	if sig := h.Get("openphone-signature"); sig != "" {
		return parseLegacy(sig, now)
	}
	return nil, refuse(http.StatusUnauthorized, "the delivery is not signed: it has neither webhook-signature nor openphone-signature")
}

func parseStandard(h http.Header, header string, now time.Time) (*signature, *refusal) {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return nil, refuse(http.StatusUnauthorized, "webhook-signature needs webhook-id and webhook-timestamp beside it")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, refuse(http.StatusUnauthorized, "webhook-timestamp is not Unix seconds")
	}
	at := time.Unix(secs, 0)
	if rf := checkTime(at, now); rf != nil {
		return nil, rf
	}
	s := &signature{id: id, at: at, header: header}
	for _, entry := range strings.Fields(header) {
		version, b64, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue // another version (v1a is asymmetric): not ours to check
		}
		if mac, err := base64.StdEncoding.DecodeString(b64); err == nil {
			s.offers = append(s.offers, offer{prefix: id + "." + ts + ".", mac: mac})
		}
	}
	if len(s.offers) == 0 {
		return nil, refuse(http.StatusUnauthorized, "webhook-signature holds no v1,<base64> signature")
	}
	return s, nil
}

func parseLegacy(header string, now time.Time) (*signature, *refusal) {
	s := &signature{header: header}
	var late *refusal
	for _, entry := range strings.Split(header, ",") {
		f := strings.Split(strings.TrimSpace(entry), ";")
		if len(f) != 4 || f[0] != "hmac" || f[1] != "1" {
			continue
		}
		ms, err := strconv.ParseInt(f[2], 10, 64)
		mac, derr := base64.StdEncoding.DecodeString(f[3])
		if err != nil || derr != nil {
			continue
		}
		at := time.UnixMilli(ms)
		if rf := checkTime(at, now); rf != nil {
			late = rf
			continue
		}
		s.at = at
		s.offers = append(s.offers, offer{prefix: f[2] + ".", mac: mac})
	}
	switch {
	case len(s.offers) > 0:
		return s, nil
	case late != nil:
		return nil, late
	}
	return nil, refuse(http.StatusUnauthorized, "openphone-signature is not hmac;1;<Unix ms>;<base64>")
}

// checkTime refuses a timestamp more than Tolerance from now.
func checkTime(at, now time.Time) *refusal {
	switch d := now.Sub(at); {
	case d > Tolerance:
		return refuse(http.StatusBadRequest, "the signature's timestamp is %s old, more than the %s accepted", d.Round(time.Second), Tolerance)
	case d < -Tolerance:
		return refuse(http.StatusBadRequest, "the signature's timestamp is %s in the future, more than the %s accepted", (-d).Round(time.Second), Tolerance)
	}
	return nil
}

// verify reports whether a signature offered is the HMAC-SHA256 of its
// signed content under one of keys, compared in constant time.
func (s *signature) verify(keys [][]byte, body []byte) bool {
	ok := false
	for _, key := range keys {
		for _, o := range s.offers {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(o.prefix))
			m.Write(body)
			// No early return: the time taken does not say which matched.
			if hmac.Equal(m.Sum(nil), o.mac) {
				ok = true
			}
		}
	}
	return ok
}
