// Connections: the transport every Client uses unless given another, with
// an idle pool sized for the client's concurrency.

package client

import (
	"net/http"
	"sync"
)

// maxIdleConnsPerHost is how many idle connections to the API the default
// transport keeps. Go's default of 2 makes about every other request of 32
// concurrent callers open a new TCP and TLS connection and leave a
// TIME-WAIT socket behind; 32 covers the callers one server has in flight.
const maxIdleConnsPerHost = 32

// defaultTransport is shared by every Client of the process, so that
// clients of many keys (one per caller with --allow-client-api-keys) share
// one pool of connections to the API instead of one each. It is a clone
// of http.DefaultTransport (proxy from the environment, HTTP/2, dial and
// TLS timeouts), which stays untouched.
var defaultTransport = sync.OnceValue(func() *http.Transport {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok { // unless a program replaced it
		t = dt.Clone()
	}
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
	return t
})
