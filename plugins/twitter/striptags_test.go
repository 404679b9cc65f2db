package twitter

import (
	"html"
	"regexp"
	"testing"
)

func TestStripTagsAsTheRegexpDid(t *testing.T) {
	re := regexp.MustCompile(`<[^>]*>`) // what stripTags replaced
	for _, s := range []string{
		`<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>`,
		`<a href="http://x">Tweet &amp; Co</a>`,
		"", "plain", "a < b", "a <b> c < d", "a < b > c", "<<>>", "x>y<z", "<a>", "&lt;b&gt;",
	} {
		want := html.UnescapeString(re.ReplaceAllString(s, ""))
		if got := stripTags(s); got != want {
			t.Errorf("stripTags(%q) = %q, want %q", s, got, want)
		}
	}
}
