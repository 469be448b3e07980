package team

import (
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// viaProxy is cfg with its connections through a hangingProxy.
func viaProxy(t *testing.T, cfg *pgxpool.Config) (*pgxpool.Config, *hangingProxy) {
	t.Helper()
	p := newHangingProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	via := cfg.Copy()
	host, port, _ := net.SplitHostPort(p.addr())
	n, _ := strconv.Atoi(port)
	via.ConnConfig.Host, via.ConnConfig.Port, via.ConnConfig.Fallbacks = host, uint16(n), nil
	return via, p
}

// hangingProxy forwards TCP to a target until hang, after which it reads
// and drops everything, closing nothing until close.
type hangingProxy struct {
	ln    net.Listener
	to    string
	hung  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newHangingProxy(t *testing.T, target string) *hangingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &hangingProxy{ln: ln, to: target, hung: make(chan struct{})}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *hangingProxy) addr() string { return p.ln.Addr().String() }
func (p *hangingProxy) hang()        { close(p.hung) }

func (p *hangingProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.to)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(s, c) })
		p.wg.Go(func() { p.pipe(c, s) })
	}
}

// pipe copies from src to dst until hang, then drops what src sends.
func (p *hangingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-p.hung:
			continue
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *hangingProxy) close() {
	p.once.Do(func() {
		p.ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
}
