package serve

import (
	"bufio"
	"io"
	"runtime"
	"strings"
	"testing"
)

// A stdio line over maxStdioMessage gets an invalid-request error (it is
// not served, even if it is valid JSON) and the session goes on.
func TestStdioOversizedLineIsRefusedAndTheSessionGoesOn(t *testing.T) {
	s, _ := newMCP()
	r := startRawStdio(t, s, Config{})
	r.initialize()
	pad := strings.Repeat("x", maxStdioMessage+1)
	r.send(`{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"` + pad + `"}}`)
	r.send(`{"jsonrpc":"2.0","id":"after","method":"ping"}`)
	a := r.await("the oversized line")
	e, _ := a["error"].(map[string]any)
	if a["id"] != nil || e == nil || e["code"] != float64(-32600) || !strings.Contains(e["message"].(string), "longer than") {
		t.Fatalf("oversized line answered %.300v, want an invalid-request error with id null", a)
	}
	if a := r.await("the ping after it"); a["id"] != "after" || a["result"] == nil {
		t.Fatalf("ping after the oversized line answered %.300v", a)
	}
	r.close()
}

// patternReader yields n bytes of 'x' then a newline and a short line,
// without ever holding the long line itself.
type patternReader struct{ left int }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left < 0 {
		return 0, io.EOF
	}
	if p.left == 0 {
		p.left = -1
		return copy(b, "\n{}\n"), nil
	}
	n := min(len(b), p.left)
	for i := range n {
		b[i] = 'x'
	}
	p.left -= n
	return n, nil
}

// Skipping a long line costs no memory for its length: a 64 MiB line goes
// through with what the 4 MiB limit costs (growing a buffer to it, some
// 20 MB in all). The bound, half the line, is generous; buffering the line
// whole would allocate more than the line.
func TestReadStdioLineDoesNotBufferALongLine(t *testing.T) {
	const long = 64 << 20
	br := bufio.NewReaderSize(&patternReader{left: long}, 64<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	line, tooLong, err := readStdioLine(br, maxStdioMessage)
	runtime.ReadMemStats(&after)
	if line != nil || !tooLong || err != nil {
		t.Fatalf("readStdioLine = %d bytes, tooLong %v, err %v; want nil, true, nil", len(line), tooLong, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > long/2 {
		t.Errorf("skipping a %d-byte line allocated %d bytes", long, alloc)
	}
	line, tooLong, err = readStdioLine(br, maxStdioMessage)
	if string(line) != "{}" || tooLong || err != nil {
		t.Errorf("the line after = %q, %v, %v; want {}", line, tooLong, err)
	}
}
