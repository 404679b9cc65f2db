package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/podimport/podimport/schema"
)

// TestDocMakerAgreesWithMapping checks that a document from docMaker is
// the document the mapping's MapDocument builds from the same values (a
// map of field to value, or to a list of values): the same fields, with
// the same array positions, options, analyzers and, once analyzed, the
// same tokens.
func TestDocMakerAgreesWithMapping(t *testing.T) {
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	m, err := newDocMaker(im)
	if err != nil {
		t.Fatal(err)
	}
	nodes := append(corpus(), genPosts(300)...)
	nodes = append(nodes,
		post("twitter", "900", "9", "@Ann", "2024-05-01T10:00:00Z", "EN", "dupes #Go #go @Bob @bob", func(p *schema.Post) {
			p.Hashtags = []string{"Go", "go", "", "Rust"}
			p.Mentions = []string{"@Bob", "bob", "carol"}
			p.Media = []string{"twitter:media:1"}
			p.URLs = []string{"https://example.com"}
			p.ReplyTo, p.ReplyToHandle = "twitter:post:1", "@Dan"
			p.RepostOf, p.Quotes = "twitter:post:2", "twitter:post:3"
		}),
		account("twitter", "901", "", "", "", time.Time{}),      // no text, no time
		account("twitter", "902", "@only", "", "", time.Time{}), // handle alone
	)
	// The fields that hold a list of values; the others hold one.
	lists := map[string]bool{fieldMentions: true, fieldHashtags: true, fieldHas: true, fieldIs: true}
	checked := 0
	for _, n := range nodes {
		got, ok := m.document(n)
		if !ok {
			continue
		}
		values := map[string]interface{}{}
		for _, f := range got.Fields {
			if !lists[f.Name()] {
				values[f.Name()] = string(f.Value())
			} else {
				list, _ := values[f.Name()].([]string)
				values[f.Name()] = append(list, string(f.Value()))
			}
		}
		want := document.NewDocument(n.ID)
		if err := im.MapDocument(want, values); err != nil {
			t.Fatal(err)
		}
		if d := gocmp.Diff(fieldsOf(want), fieldsOf(got), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%s: docMaker differs from MapDocument (-mapping +docMaker):\n%s", n.ID, d)
		}
		if got.Indexed() != want.Indexed() {
			t.Errorf("%s: Indexed() %v, MapDocument's %v", n.ID, got.Indexed(), want.Indexed())
		}
		checked++
	}
	// A list keeps each value once, lowercased, without its # or @.
	doc, _ := m.document(nodes[len(nodes)-3])
	var tags, mentions []string
	for _, f := range doc.Fields {
		switch f.Name() {
		case fieldHashtags:
			tags = append(tags, string(f.Value()))
		case fieldMentions:
			mentions = append(mentions, string(f.Value()))
		}
	}
	if !slices.Equal(tags, []string{"go", "rust"}) || !slices.Equal(mentions, []string{"bob", "carol"}) {
		t.Errorf("hashtags %q, mentions %q; want [go rust] and [bob carol]", tags, mentions)
	}
	if checked < 300 {
		t.Fatalf("only %d documents checked", checked)
	}
}

// field is what Bleve indexes of a document's field.
type field struct {
	Name           string
	ArrayPositions []uint64
	Options        string
	Analyzer       string
	Value          string
	Length         int
	Tokens         []termFreq
}

type termFreq struct {
	Term      string
	Frequency int
	Locations string
}

// fieldsOf analyzes d's fields and lists them in a fixed order.
func fieldsOf(d *document.Document) []field {
	var out []field
	for _, f := range d.Fields {
		tf, ok := f.(*document.TextField)
		if !ok {
			out = append(out, field{Name: f.Name(), Analyzer: "not a text field"})
			continue
		}
		f.Analyze()
		ff := field{
			Name: f.Name(), ArrayPositions: f.ArrayPositions(), Options: f.Options().String(),
			Analyzer: analyzerName(tf), Value: string(f.Value()), Length: f.AnalyzedLength(),
		}
		for term, tf := range f.AnalyzedTokenFrequencies() {
			ff.Tokens = append(ff.Tokens, termFreq{Term: term, Frequency: tf.Frequency(), Locations: locations(tf.Locations)})
		}
		slices.SortFunc(ff.Tokens, func(a, b termFreq) int { return cmp.Compare(a.Term, b.Term) })
		out = append(out, ff)
	}
	slices.SortFunc(out, func(a, b field) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), slices.Compare(a.ArrayPositions, b.ArrayPositions))
	})
	return out
}

// analyzerName tells analyzers apart by identity: the mapping hands out one
// analyzer per name.
func analyzerName(f *document.TextField) string {
	if f.Analyzer() == nil {
		return "none"
	}
	return fmt.Sprintf("%T %p", f.Analyzer(), f.Analyzer())
}

func locations(ls []*bindex.TokenLocation) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%s%v %d-%d @%d;", l.Field, l.ArrayPositions, l.Start, l.End, l.Position)
	}
	return b.String()
}
