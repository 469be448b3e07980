// names_fold.go: how a name given as an argument is compared with the
// names of the workspace's contacts, conversations and numbers: both are
// folded into words (lower case, diacritics dropped, split at anything but
// a letter or digit), and a name matches when each of its words starts a
// word of the other, in order ("jun sal" and "Juniper" match "Juniper
// Salon (Clara)"; "Zoë" matches "zoe").

package tools

import (
	"strings"
	"unicode"
)

// foldWords folds s into its words, at most maxNameWords of them.
func foldWords(s string) []string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 && len(words) < maxNameWords {
			words = append(words, w.String())
		}
		w.Reset()
	}
	for _, r := range s {
		switch {
		case r >= 0x300 && r <= 0x36f:
			// A combining mark (a decomposed é): dropped, within the word.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w.WriteString(foldRune(unicode.ToLower(r)))
		default:
			flush()
		}
	}
	flush()
	return words
}

// maxNameWords bounds the words of a name: names have a few, and a flood
// of input is not compared word by word.
const maxNameWords = 16

// foldRune is r (lower case) without its diacritics: its ASCII base letter
// when Latin (é, ø, ł, ß: e, o, l, ss), else r itself.
func foldRune(r rune) string {
	if r < 0x80 {
		return string(r)
	}
	if s, ok := foldSpecial[r]; ok {
		return s
	}
	var c byte = '-'
	switch {
	case r >= 0xc0 && r < 0xc0+rune(len(foldLatin)):
		c = foldLatin[r-0xc0]
	case r >= 0x1e00 && r < 0x1e00+rune(len(foldLatinAdditional)):
		c = foldLatinAdditional[r-0x1e00]
	}
	if c == '-' {
		return string(r)
	}
	return string(rune(c))
}

// foldSpecial are the Latin letters that do not decompose into a base
// letter and a mark but are read as one or two ASCII letters.
var foldSpecial = map[rune]string{
	'æ': "ae", 'ð': "d", 'ø': "o", 'þ': "th", 'ß': "ss", 'đ': "d", 'ħ': "h", 'ı': "i",
	'ĳ': "ij", 'ŀ': "l", 'ł': "l", 'œ': "oe", 'ŧ': "t", 'ƒ': "f",
}

// foldLatin is the base letter of each code point from U+00C0 to U+024F
// (Latin-1 Supplement to Latin Extended-B) by canonical decomposition, '-'
// where it has none in ASCII; foldLatinAdditional the same for U+1E00 to
// U+1EFF (Latin Extended Additional: Vietnamese and others). Generated
// once with golang.org/x/text/unicode/norm (NFD, marks dropped), so that
// the server needs no decomposition tables at run time.
const (
	foldLatin = "aaaaaa-ceeeeiiii-nooooo--uuuuy--aaaaaa-ceeeeiiii-nooooo--uuuuy-y" +
		"aaaaaaccccccccdd--eeeeeeeeeegggggggghh--iiiiiiiii---jjkk-llllll-" +
		"---nnnnnn---oooooo--rrrrrrsssssssstttt--uuuuuuuuuuuuwwyyyzzzzzz-" +
		"--------------------------------oo-------------uu---------------" +
		"-------------aaiioouuuuuuuuuu-aaaa----ggkkoooo--j---gg--nnaa----" +
		"aaaaeeeeiiiioooorrrruuuusstt--hh------aaeeooooooooyy------------" +
		"----------------"
	foldLatinAdditional = "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm" +
		"mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv" +
		"wwwwwwwwwwxxxxyyzzzzzzhtwy------aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" +
		"eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy------"
)

// nameMatch is how the words q (folded) match a name's words: not at all,
// as a prefix of each word in order, or as the whole name.
type nameMatch int

const (
	noMatch nameMatch = iota
	prefixMatch
	exactMatch
)

// matchWords matches the query's words against a name's: each query word
// must start a word of the name, the words in the name's order (others may
// lie between); the whole name, word for word, is an exact match.
func matchWords(q, name []string) nameMatch {
	if len(q) == 0 || len(q) > len(name) {
		return noMatch
	}
	if len(q) == len(name) {
		exact := true
		for i := range q {
			if q[i] != name[i] {
				exact = false
				break
			}
		}
		if exact {
			return exactMatch
		}
	}
	j := 0
	for _, w := range q {
		for j < len(name) && !strings.HasPrefix(name[j], w) {
			j++
		}
		if j == len(name) {
			return noMatch
		}
		j++
	}
	return prefixMatch
}
