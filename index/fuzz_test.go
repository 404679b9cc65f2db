package index

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// parseSeeds are queries beyond those of the other tests: every operator,
// negated, with quoted, odd and missing values.
var parseSeeds = []string{
	"from:alice to:bob @carol #golang since:2024-01-31 until:2024-02-01 has:media has:links is:reply is:repost is:quote lang:de platform:twitter kind:post kind:account",
	`-from:alice -to:@bob -@carol -#golang -since:2024-01-31 -until:2024-02-01 -has:media -is:quote -lang:en -platform:mastodon -kind:account`,
	`from:"alice" lang:"de" since:"2024-01-31" is:"reply"`,
	`"a phrase" -"not this" “curly” „low“ "unterminated`,
	"FROM:Alice Kind:POST HAS:LINK is:Retweet is:reblog is:boost",
	"--x - -- a-b -@ -# @ # @@a ##b @a, #b! #_ @_ #café #東京 @İstanbul",
	"since:2024-02-30 until:24-01-01 since:2024-1-1 until:",
	"https://go.dev/blog?x=1 http://a.b/c:d mailto:x@y note: 12:30 ça:va a:b:c",
	"from:erin.bsky.social from:@ to:@@bob lang: platform: kind:",
	"tab\there\nnewline\u00a0nbsp\u2003em\u3000ideographic",
	"\xff\xfe invalid utf-8 \xc3",
	"🎉 ❤️ don’t don't e-mail 日本語のテキスト",
	`"" "   " - "`,
	`cats OR dogs OR "open source" OR #go OR @alice OR from:bob OR to:carol OR has:links OR is:quote OR lang:de OR platform:x OR kind:post golang`,
	"OR a OR OR b -c OR d since:2024-01-01 OR e OR",
	`"OR" OR or -OR OR, a OR - "" b OR. OR OR`,
}

// testQueries returns every string literal of the package's other test
// files: the queries of TestParse, TestParseErrors and the search tests
// (and some strings that are not queries, which do no harm as seeds).
func testQueries(f *testing.F) []string {
	f.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, file := range files {
		if file == "fuzz_test.go" {
			continue
		}
		af, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			f.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && len(s) < 300 {
					out = append(out, s)
				}
			}
			return true
		})
	}
	if len(out) < 50 {
		f.Fatalf("only %d string literals in the index tests", len(out))
	}
	return out
}

// FuzzParse: Parse never panics; a query it accepts has a canonical form
// that parses to the same query (and is its own canonical form), and ORs
// of two alternatives or more that an OR can have; a query
// it refuses gets a *ParseError whose message is not empty and whose
// Offset points at its Token.
func FuzzParse(f *testing.F) {
	for _, q := range testQueries(f) {
		f.Add(q)
	}
	for _, q := range parseSeeds {
		f.Add(q)
	}
	for name := range operators {
		f.Add(name + ":")
		f.Add("-" + name + ":x")
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := Parse(q)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): %T %v, want a *ParseError", q, err, err)
			}
			if pe.Msg == "" || pe.Error() == "" {
				t.Fatalf("Parse(%q): a ParseError without a message: %+v", q, pe)
			}
			if pe.Offset < 0 || pe.Offset > len(q) || pe.Token == "" || !strings.HasPrefix(q[pe.Offset:], pe.Token) {
				t.Fatalf("Parse(%q): offset %d does not point at token %q", q, pe.Offset, pe.Token)
			}
			return
		}
		if got == nil || got.Clauses == nil {
			t.Fatalf("Parse(%q) = %v, nil error", q, got)
		}
		for _, c := range got.Clauses {
			if c.Op != OpOr && c.Value == "" {
				t.Fatalf("Parse(%q): clause %+v has no value", q, c)
			}
			if c.Op == OpOr && (len(c.Or) < 2 || c.Negate) {
				t.Fatalf("Parse(%q): OR %+v is negated or has fewer than two alternatives", q, c)
			}
			for _, a := range c.Or {
				if a.Value == "" || a.Negate || a.Op == OpOr || a.Op == OpSince || a.Op == OpUntil {
					t.Fatalf("Parse(%q): OR %+v has an alternative %+v that it cannot have", q, c, a)
				}
			}
		}
		canon := got.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", q, canon, err)
		}
		if diff := cmp.Diff(got.Clauses, again.Clauses); diff != "" {
			t.Fatalf("Parse(%q) = %q, which parses to another query (-first +second):\n%s", q, canon, diff)
		}
		if s := again.String(); s != canon {
			t.Fatalf("canonical form of %q: %q, then %q", q, canon, s)
		}
		if utf8.ValidString(q) && !utf8.ValidString(canon) {
			t.Fatalf("Parse(%q): valid UTF-8 in, %q out", q, canon)
		}
	})
}
