package serve

import (
	"context"
	"net/http"
	"net/netip"
)

// The caller: who sent an HTTP request, for bounds kept per client (the
// app's allowance of new OpenPhone keys). It is the remote address, not the
// bearer token: MCP_AUTH_TOKEN is one secret shared by every client of a
// deployment, so it names the deployment, not a client. An IPv6 address
// counts by its /64, which one host usually holds whole. Behind a reverse
// proxy every client shares the proxy's address, and so its bounds: the
// safe side. X-Forwarded-For is not read, since any client can write it.

type callerCtxKey struct{}

func withCaller(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, callerCtxKey{}, callerOf(r.RemoteAddr))
}

// CallerFromContext returns the client that sent the request, as its
// remote address (an IPv6 one as its /64), for requests that carry an
// X-OpenPhone-Api-Key.
func CallerFromContext(ctx context.Context) (string, bool) {
	caller, ok := ctx.Value(callerCtxKey{}).(string)
	return caller, ok
}

// callerOf is the address of remoteAddr ("host:port"), without the port,
// which changes with every connection; an IPv6 address as its /64.
// Anything unparsable is kept as it is.
func callerOf(remoteAddr string) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	addr := ap.Addr().Unmap()
	if addr.Is6() {
		prefix, _ := addr.WithZone("").Prefix(64)
		return prefix.String()
	}
	return addr.String()
}
