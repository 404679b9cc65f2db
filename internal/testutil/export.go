package testutil

import (
	"regexp"
	"strconv"
	"strings"
)

// FirstDiff shows the first line where two exports (podimport export
// --format jsonl) differ, each cut to a readable length.
func FirstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + Cut(la[i]) + "\n+ " + Cut(lb[i])
		}
	}
	return "lengths differ: " + strconv.Itoa(len(la)) + " vs " + strconv.Itoa(len(lb)) + " lines"
}

// Cut shortens a line of an export to a readable length.
func Cut(s string) string {
	if len(s) > 800 {
		return s[:800] + "…"
	}
	return s
}

var seenTimes = regexp.MustCompile(`,"(first|last)_seen":"[^"]*"`)

// WithoutSeenTimes drops the times edges were seen from an export: two
// imports of the same data at different times differ only there.
func WithoutSeenTimes(export string) string { return seenTimes.ReplaceAllString(export, "") }
