// Passages of the Postgres Store's hits, made in Go: which of a call's
// fields matches best, and a window of it around the matches with each
// matched term between MarkOpen and MarkClose, as FTS5's snippet() gives
// them to the SQLite Store (16 tokens, "…" where the text goes on). The
// tokens are the index's own (scanTokens), so the same words are marked.

package ledger

import "strings"

// snippetTokens is how many tokens a passage shows, as SQLite's.
const snippetTokens = 16

// tokenAt is a token of a text and its bytes there, [start, end).
type tokenAt struct {
	tok        string
	start, end int
}

func tokensOf(text string) []tokenAt {
	var out []tokenAt
	scanTokens(text, func(tok string, start, end int) { out = append(out, tokenAt{lexeme(tok), start, end}) })
	return out
}

// termHit is a match of term (an index into the terms) over the tokens
// [from, to).
type termHit struct{ term, from, to int }

// termHits are the matches of terms in toks, in order of their start.
func termHits(toks []tokenAt, terms [][]string) []termHit {
	var out []termHit
	for i := range toks {
		for ti, t := range terms {
			if i+len(t) > len(toks) {
				continue
			}
			ok := true
			for k, l := range t {
				if toks[i+k].tok != l {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, termHit{ti, i, i + len(t)})
			}
		}
	}
	return out
}

// bestPassage is the field of f that matches terms best (the most
// distinct terms, then the most matches for its length; the first field
// on a tie) and its passage.
func bestPassage(f *docFields, terms [][]string) (code int, text string) {
	best, bestScore := -1, -1.0
	var bestToks []tokenAt
	var bestHits []termHit
	for c := codeSummary; c <= codeName; c++ {
		text := f.text(c)
		if text == "" {
			continue
		}
		toks := tokensOf(unmarked.Replace(text))
		hits := termHits(toks, terms)
		seen := map[int]bool{}
		for _, h := range hits {
			seen[h.term] = true
		}
		score := float64(len(seen))*1000 + float64(len(hits))/float64(len(toks)+1)
		if best < 0 || score > bestScore {
			best, bestScore, bestToks, bestHits = c, score, toks, hits
		}
	}
	if best < 0 {
		return codeSummary, ""
	}
	text = unmarked.Replace(f.text(best))
	if len(bestHits) == 0 { // nothing found again: the text's start
		return best, passage(text)
	}
	return best, passage(snippet(text, bestToks, bestHits))
}

// snippet is the window of snippetTokens tokens of text that holds the
// most distinct terms (then the most matches), the matches centred in it,
// each marked.
func snippet(text string, toks []tokenAt, hits []termHit) string {
	from, to := 0, len(toks)
	if len(toks) > snippetTokens {
		bestScore := -1
		for _, h := range hits {
			end := h.from + snippetTokens
			seen := map[int]bool{}
			score, first, last := 0, h.from, h.to
			for _, o := range hits {
				if o.from < h.from || o.from >= end {
					continue
				}
				if seen[o.term] {
					score++
				} else {
					seen[o.term] = true
					score += 1000
				}
				last = max(last, min(o.to, end))
			}
			if score > bestScore {
				bestScore = score
				from = first - (snippetTokens-(last-first))/2
				from = max(0, min(from, len(toks)-snippetTokens))
			}
		}
		to = from + snippetTokens
	}
	// the matches in the window, overlapping ones merged: one mark each
	var marks [][2]int
	for _, h := range hits {
		a, e := max(h.from, from), min(h.to, to)
		switch n := len(marks); {
		case a >= e:
		case n > 0 && a < marks[n-1][1]:
			marks[n-1][1] = max(marks[n-1][1], e)
		default:
			marks = append(marks, [2]int{a, e})
		}
	}
	var b strings.Builder
	pos := 0
	if from > 0 {
		b.WriteString("…")
		pos = toks[from].start
	}
	m := 0
	for i := from; i < to; i++ {
		b.WriteString(text[pos:toks[i].start])
		if m < len(marks) && marks[m][0] == i {
			b.WriteString(MarkOpen)
		}
		b.WriteString(text[toks[i].start:toks[i].end])
		pos = toks[i].end
		if m < len(marks) && marks[m][1] == i+1 {
			b.WriteString(MarkClose)
			m++
		}
	}
	if to < len(toks) {
		b.WriteString("…")
	} else {
		b.WriteString(text[pos:])
	}
	return b.String()
}
