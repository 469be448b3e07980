package sandbox

// The demo's random ids, shaped like the API's.

import (
	"math/rand/v2"
)

const (
	hexDigits   = "0123456789abcdef"
	alnumDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// hexID is prefix plus 32 hex digits, like the API's AC… and CN… ids.
func hexID(r *rand.Rand, prefix string) string {
	b := make([]byte, len(prefix)+32)
	copy(b, prefix)
	x, y := r.Uint64(), r.Uint64()
	for i := 0; i < 16; i++ {
		b[len(prefix)+i] = hexDigits[(x>>(60-4*i))&0xf]
		b[len(prefix)+16+i] = hexDigits[(y>>(60-4*i))&0xf]
	}
	return string(b)
}

// alnumID is prefix plus n letters and digits, like CRwRVK2qBq.
func alnumID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = alnumDigits[r.IntN(len(alnumDigits))]
	}
	return string(b)
}
