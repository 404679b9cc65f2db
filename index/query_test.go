package index

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		q    string
		want []Clause
	}{
		{"", []Clause{}},
		{"   ", []Clause{}},
		{"golang", []Clause{{Op: OpWord, Value: "golang"}}},
		{"Golang  rocks", []Clause{{Op: OpWord, Value: "Golang"}, {Op: OpWord, Value: "rocks"}}},
		{`"exact phrase"`, []Clause{{Op: OpPhrase, Value: "exact phrase"}}},
		{`a "b c" d`, []Clause{{Op: OpWord, Value: "a"}, {Op: OpPhrase, Value: "b c"}, {Op: OpWord, Value: "d"}}},
		{`“curly quotes”`, []Clause{{Op: OpPhrase, Value: "curly quotes"}}},
		{`""`, []Clause{}},
		{"-word", []Clause{{Op: OpWord, Value: "word", Negate: true}}},
		{`-"a phrase"`, []Clause{{Op: OpPhrase, Value: "a phrase", Negate: true}}},
		{"-from:x", []Clause{{Op: OpFrom, Value: "x", Negate: true}}},
		{"a - b", []Clause{{Op: OpWord, Value: "a"}, {Op: OpWord, Value: "b"}}},
		// OR binds tighter than AND; "OR", or and -OR are words.
		{"cats OR dogs", []Clause{{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "cats"}, {Op: OpWord, Value: "dogs"}}}}},
		{"golang cats OR dogs", []Clause{{Op: OpWord, Value: "golang"},
			{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "cats"}, {Op: OpWord, Value: "dogs"}}}}},
		{"a OR b OR c d", []Clause{
			{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "a"}, {Op: OpWord, Value: "b"}, {Op: OpWord, Value: "c"}}},
			{Op: OpWord, Value: "d"}}},
		{"a OR b c OR d", []Clause{
			{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "a"}, {Op: OpWord, Value: "b"}}},
			{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "c"}, {Op: OpWord, Value: "d"}}}}},
		{"from:Alice OR from:@bob golang", []Clause{
			{Op: OpOr, Or: []Clause{{Op: OpFrom, Value: "alice"}, {Op: OpFrom, Value: "bob"}}},
			{Op: OpWord, Value: "golang"}}},
		{"#Go OR #golang", []Clause{{Op: OpOr, Or: []Clause{{Op: OpHashtag, Value: "go"}, {Op: OpHashtag, Value: "golang"}}}}},
		{`"open source" OR oss`, []Clause{{Op: OpOr, Or: []Clause{{Op: OpPhrase, Value: "open source"}, {Op: OpWord, Value: "oss"}}}}},
		{"@alice OR to:alice kind:post OR kind:account lang:de OR has:media OR is:reply OR platform:x", []Clause{
			{Op: OpOr, Or: []Clause{{Op: OpMention, Value: "alice"}, {Op: OpTo, Value: "alice"}}},
			{Op: OpOr, Or: []Clause{{Op: OpKind, Value: "post"}, {Op: OpKind, Value: "account"}}},
			{Op: OpOr, Or: []Clause{{Op: OpLang, Value: "de"}, {Op: OpHas, Value: "media"}, {Op: OpIs, Value: "reply"},
				{Op: OpPlatform, Value: "x"}}}}},
		{"a OR b -c since:2024-01-31", []Clause{
			{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "a"}, {Op: OpWord, Value: "b"}}},
			{Op: OpWord, Value: "c", Negate: true},
			{Op: OpSince, Value: "2024-01-31", Time: d("2024-01-31")}}},
		// Dropped between an OR's sides, as anywhere: a lone dash, "".
		{`a OR - "" b`, []Clause{{Op: OpOr, Or: []Clause{{Op: OpWord, Value: "a"}, {Op: OpWord, Value: "b"}}}}},
		{`cats "OR" dogs or -OR OR, (OR)`, []Clause{{Op: OpWord, Value: "cats"}, {Op: OpPhrase, Value: "OR"},
			{Op: OpWord, Value: "dogs"}, {Op: OpWord, Value: "or"}, {Op: OpWord, Value: "OR", Negate: true},
			{Op: OpWord, Value: "OR,"}, {Op: OpWord, Value: "(OR)"}}},
		{`"OR" OR or`, []Clause{{Op: OpOr, Or: []Clause{{Op: OpPhrase, Value: "OR"}, {Op: OpWord, Value: "or"}}}}},
		{"well-known", []Clause{{Op: OpWord, Value: "well-known"}}},
		{"from:Alice", []Clause{{Op: OpFrom, Value: "alice"}}},
		{"from:@Alice", []Clause{{Op: OpFrom, Value: "alice"}}},
		{"FROM:alice", []Clause{{Op: OpFrom, Value: "alice"}}},
		{"from:erin.bsky.social", []Clause{{Op: OpFrom, Value: "erin.bsky.social"}}},
		{"to:@Bob", []Clause{{Op: OpTo, Value: "bob"}}},
		{"@Carol", []Clause{{Op: OpMention, Value: "carol"}}},
		{"@carol,", []Clause{{Op: OpMention, Value: "carol"}}},
		{"-@carol", []Clause{{Op: OpMention, Value: "carol", Negate: true}}},
		{"#GoLang", []Clause{{Op: OpHashtag, Value: "golang"}}},
		{"#café", []Clause{{Op: OpHashtag, Value: "café"}}},
		{"#CAFÉ!", []Clause{{Op: OpHashtag, Value: "café"}}},
		{"#snake_case", []Clause{{Op: OpHashtag, Value: "snake_case"}}},
		{"#東京", []Clause{{Op: OpHashtag, Value: "東京"}}},
		{"#", []Clause{{Op: OpWord, Value: "#"}}},
		{"since:2024-01-31", []Clause{{Op: OpSince, Value: "2024-01-31", Time: d("2024-01-31")}}},
		{"until:2024-02-01", []Clause{{Op: OpUntil, Value: "2024-02-01", Time: d("2024-02-01")}}},
		{"has:media has:links has:link", []Clause{{Op: OpHas, Value: "media"}, {Op: OpHas, Value: "links"}, {Op: OpHas, Value: "links"}}},
		{"is:reply is:repost is:retweet is:quote", []Clause{{Op: OpIs, Value: "reply"}, {Op: OpIs, Value: "repost"}, {Op: OpIs, Value: "repost"}, {Op: OpIs, Value: "quote"}}},
		{"lang:DE", []Clause{{Op: OpLang, Value: "de"}}},
		{"platform:Twitter", []Clause{{Op: OpPlatform, Value: "twitter"}}},
		{"kind:account kind:post", []Clause{{Op: OpKind, Value: "account"}, {Op: OpKind, Value: "post"}}},
		{"https://go.dev/blog?x=1", []Clause{{Op: OpWord, Value: "https://go.dev/blog?x=1"}}},
		{"see http://a.b/c:d", []Clause{{Op: OpWord, Value: "see"}, {Op: OpWord, Value: "http://a.b/c:d"}}},
		{"note: 12:30", []Clause{{Op: OpWord, Value: "note:"}, {Op: OpWord, Value: "12:30"}}},
		{"ça:va", []Clause{{Op: OpWord, Value: "ça:va"}}},
		{`from:alice since:2024-01-01 has:media #golang "exact phrase" -rust`, []Clause{
			{Op: OpFrom, Value: "alice"},
			{Op: OpSince, Value: "2024-01-01", Time: d("2024-01-01")},
			{Op: OpHas, Value: "media"},
			{Op: OpHashtag, Value: "golang"},
			{Op: OpPhrase, Value: "exact phrase"},
			{Op: OpWord, Value: "rust", Negate: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, err := Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if diff := cmp.Diff(tt.want, got.Clauses); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.q, diff)
			}
			// The canonical form parses to the same query.
			again, err := Parse(got.String())
			if err != nil {
				t.Fatalf("Parse(%q) (canonical form): %v", got.String(), err)
			}
			if diff := cmp.Diff(got.Clauses, again.Clauses); diff != "" {
				t.Errorf("Parse(String()) of %q = %q differs (-first +second):\n%s", tt.q, got.String(), diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		q       string
		token   string // the ParseError's Token
		message string // a part of the message
	}{
		{"since:yesterday", "since:yesterday", `since: wants YYYY-MM-DD, got "yesterday"`},
		{"until:2024-13-01", "until:2024-13-01", `until: wants YYYY-MM-DD, got "2024-13-01"`},
		{"since:", "since:", `since: wants YYYY-MM-DD, got ""`},
		{"golang foo:bar", "foo:bar", `unknown operator "foo:"`},
		{"-lnag:de", "lnag:de", `unknown operator "lnag:"`},
		{`"unterminated phrase`, `"unterminated phrase`, "unterminated quote"},
		{`a -"open`, `-"open`, "unterminated quote"},
		{"has:video", "has:video", `has: wants media or links, got "video"`},
		{"is:favourite", "is:favourite", `is: wants reply, repost or quote, got "favourite"`},
		{"kind:media", "kind:media", `kind: wants post or account, got "media"`},
		{"from:", "from:", `from: wants a handle`},
		{"from:@", "from:@", `from: wants a handle`},
		{"lang:", "lang:", `lang: wants a value`},
		{"OR dogs", "OR", "OR at the start of the query"},
		{`"" OR dogs`, "OR", "OR at the start of the query"},
		{"cats OR", "OR", "OR at the end of the query"},
		{"cats OR -", "OR", "OR at the end of the query"},
		{"cats OR OR dogs", "OR", "OR after OR"},
		{"a OR b OR OR c", "OR", "OR after OR"},
		{"-cats OR dogs", "-cats", "-cats cannot be an alternative of OR: an exclusion applies to every hit"},
		{"cats OR -dogs", "-dogs", "-dogs cannot be an alternative of OR"},
		{`birds OR cats -"hot dogs" OR x`, `-"hot dogs"`, `-"hot dogs" cannot be an alternative of OR`},
		{"-from:bob OR from:alice", "-from:bob", "-from:bob cannot be an alternative of OR"},
		{"golang since:2024-01-01 OR rust", "since:2024-01-01", "since:2024-01-01 cannot be an alternative of OR: since: and until: bound the dates"},
		{"golang OR until:2024-01-01", "until:2024-01-01", "until:2024-01-01 cannot be an alternative of OR"},
		{"a OR b OR since:2024-01-01", "since:2024-01-01", "cannot be an alternative of OR"},
		{"a OR foo:bar", "foo:bar", `unknown operator "foo:"`},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			_, err := Parse(tt.q)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError", tt.q, err)
			}
			if pe.Token != tt.token {
				t.Errorf("Parse(%q): token %q, want %q", tt.q, pe.Token, tt.token)
			}
			if !strings.Contains(pe.Error(), tt.message) {
				t.Errorf("Parse(%q): error %q, want it to contain %q", tt.q, pe.Error(), tt.message)
			}
			if !strings.HasPrefix(tt.q[pe.Offset:], tt.token) {
				t.Errorf("Parse(%q): offset %d does not point at %q", tt.q, pe.Offset, tt.token)
			}
		})
	}
}
