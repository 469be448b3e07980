package serve

import "net/http"

// refuseOnHeaders answers a request refused on its headers alone, before
// anything has read its body. "Connection: close" is what makes the answer
// immediate: without it net/http drains the unread body before writing the
// response (to keep the connection), so a client that never sends the body
// would wait for the read timeout to see its 401 or 403.
func refuseOnHeaders(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	http.Error(w, msg, status)
}
