package sync

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldAccents removes combining marks ("José" → "Jose") for comparisons.
func foldAccents(s string) string {
	if isASCII(s) {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cleanLine makes a one-line text from XPM safe to keep: NFC, no control,
// format (zero-width, bidi override) or replacement characters, runs of
// white space as one space, trimmed. changed reports whether anything but
// trimming was done.
func cleanLine(s string) (out string, changed bool) {
	return clean(s, false)
}

// cleanText is cleanLine for multi-line text (notes): line breaks stay.
func cleanText(s string) (out string, changed bool) {
	return clean(s, true)
}

func clean(s string, multiline bool) (string, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", false
	}
	if !isASCII(t) {
		t = norm.NFC.String(t)
	}
	var b strings.Builder
	b.Grow(len(t))
	changed := false
	space := false
	for _, r := range t {
		switch {
		case r == '\n' && multiline:
			// trim trailing spaces of the line
			str := strings.TrimRight(b.String(), " ")
			b.Reset()
			b.WriteString(str)
			b.WriteByte('\n')
			space = false
			continue
		case r == '\r' && multiline:
			continue
		case r == utf8.RuneError, unicode.Is(unicode.Cf, r), unicode.IsControl(r) && !unicode.IsSpace(r):
			changed = true
			continue
		case unicode.IsSpace(r):
			if r != ' ' {
				changed = true
			}
			if space {
				changed = true
				continue
			}
			space = true
			b.WriteByte(' ')
			continue
		}
		space = false
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if multiline {
		// at most one blank line in a row
		for strings.Contains(out, "\n\n\n") {
			out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
		}
	}
	return out, changed
}

// truncateRunes cuts s to at most n characters (on a rune boundary) and
// reports whether it did.
func truncateRunes(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	i := 0
	for pos := range s {
		if i == n {
			return strings.TrimSpace(s[:pos]), true
		}
		i++
	}
	return s, false
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// short is s cut to n characters with an ellipsis, for messages.
func short(s string, n int) string {
	if t, cut := truncateRunes(s, n); cut {
		return t + "…"
	}
	return s
}
