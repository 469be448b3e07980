package serve

import "net/http"

// CORS for the origins listed in --allowed-origins, so a page served from one
// can talk to the server from a browser. Loopback origins pass the Origin
// check without being listed (native tools), but get CORS only when listed:
// a page on some local port should not read the tools' answers by default.

const (
	corsAllowMethods  = "GET, POST, DELETE"
	corsAllowHeaders  = "Content-Type, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID"
	corsExposeHeaders = "Mcp-Session-Id"
	corsMaxAge        = "600" // seconds a browser may cache the preflight
)

// answerCORS runs after the Origin check and before auth: a preflight
// carries no credentials, so it must be answered before they are asked for.
// It answers preflights itself (true) and adds the CORS headers to actual
// responses for listed origins (false: the request goes on).
func (f *frontend) answerCORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	norm, _, ok := normalizeOrigin(origin)
	listed := ok && f.origins[norm]
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	h := w.Header()
	h.Add("Vary", "Origin")
	if !preflight {
		if listed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	if !listed {
		refuseOnHeaders(w, r, http.StatusForbidden, "origin not allowed for cross-origin requests; list it in --allowed-origins")
		return true
	}
	allowHeaders := corsAllowHeaders
	if f.cfg.AllowClientAPIKeys {
		allowHeaders += ", " + APIKeyHeader
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", allowHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return true
}
