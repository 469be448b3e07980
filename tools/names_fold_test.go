package tools

import (
	"slices"
	"strings"
	"testing"
)

// TestFoldWords: a name folds into its words, lower case, diacritics
// dropped (composed or decomposed), split at anything but letters and
// digits.
func TestFoldWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Juniper Salon (Clara)", []string{"juniper", "salon", "clara"}},
		{"  JUNIPER   salon ", []string{"juniper", "salon"}},
		{"Zoë Lindqvist", []string{"zoe", "lindqvist"}},
		{"Zoe\u0308 Lindqvist", []string{"zoe", "lindqvist"}}, // e + combining diaeresis
		{"Crème Brûlée Café", []string{"creme", "brulee", "cafe"}},
		{"Straße Łódź Øresund Æsir", []string{"strasse", "lodz", "oresund", "aesir"}},
		{"Nguyễn Phở", []string{"nguyen", "pho"}},
		{"Oak & Iron Builders", []string{"oak", "iron", "builders"}},
		{"Apt 4B", []string{"apt", "4b"}},
		{"Δέλτα", []string{"δέλτα"}}, // not Latin: lower case, kept
		{"", nil},
		{"--", nil},
	} {
		if got := foldWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("foldWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len(foldWords(strings.Repeat("word ", 1000))); n != maxNameWords {
		t.Errorf("a flood of words folds into %d, want the bound %d", n, maxNameWords)
	}
}

// TestFoldTables: every code point the tables cover folds into an ASCII
// lower-case letter or stays itself; the tables are as long as the blocks.
func TestFoldTables(t *testing.T) {
	if len(foldLatin) != 0x250-0xc0 || len(foldLatinAdditional) != 0x100 {
		t.Fatalf("table lengths %d, %d; want %d, %d", len(foldLatin), len(foldLatinAdditional), 0x250-0xc0, 0x100)
	}
	for _, tab := range []string{foldLatin, foldLatinAdditional} {
		for i := 0; i < len(tab); i++ {
			if c := tab[i]; c != '-' && (c < 'a' || c > 'z') {
				t.Errorf("table entry %d is %q", i, c)
			}
		}
	}
	for in, want := range map[string]string{"À": "a", "ÿ": "y", "Ž": "z", "ǅ": "ǆ", "ạ": "a", "Ỹ": "y", "Ħ": "h", "ı": "i"} {
		if got := foldWords(in); len(got) != 1 || got[0] != want {
			t.Errorf("%q folds to %q, want %q", in, got, want)
		}
	}
	if got := foldWords("a×b"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("× is not a letter, yet a×b folds to %q", got)
	}
}

// TestMatchWords: each word asked for starts a word of the name, in order;
// the whole name is exact.
func TestMatchWords(t *testing.T) {
	name := foldWords("Juniper Salon (Clara)")
	for _, tc := range []struct {
		q    string
		want nameMatch
	}{
		{"Juniper Salon (Clara)", exactMatch},
		{"juniper salon clara", exactMatch},
		{"JÚNIPER SALON CLARA", exactMatch},
		{"Juniper Salon", prefixMatch},
		{"juniper", prefixMatch},
		{"jun", prefixMatch},
		{"salon", prefixMatch},
		{"clara", prefixMatch},
		{"jun cla", prefixMatch},
		{"salon juniper", noMatch}, // out of order
		{"niper", noMatch},         // inside a word
		{"juniper salons", noMatch},
		{"juniper salon clara extra", noMatch},
		{"", noMatch},
	} {
		if got := matchWords(foldWords(tc.q), name); got != tc.want {
			t.Errorf("matchWords(%q) = %d, want %d", tc.q, got, tc.want)
		}
	}
}
