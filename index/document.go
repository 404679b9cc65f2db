package index

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/podimport/podimport/schema"
)

// indexable reports whether n becomes a search document: complete posts and
// accounts. References, media, links and tags do not.
func indexable(n schema.Node) bool {
	if n.Ref {
		return false
	}
	switch n.Kind {
	case schema.KindPost:
		return n.Post != nil
	case schema.KindAccount:
		return n.Account != nil
	}
	return false
}

// mayBeDocument reports whether a node with this id could ever have been a
// search document (its kind is post or account). Ids of other kinds never
// need a delete.
func mayBeDocument(id string) bool {
	_, kind, _, err := schema.ParseID(id)
	if err != nil {
		return true // be safe: a delete of an absent id is harmless
	}
	return kind == schema.KindPost || kind == schema.KindAccount
}

// A docMaker turns nodes into Bleve documents. Each field is the one the
// mapping's MapDocument would build from a map of the same values: the
// field's indexing options and analyzer are read from the mapping, and each
// value of a list gets its position in the list as its array position
// (TestDocMakerAgreesWithMapping checks this). It skips MapDocument's walk
// of a map by reflection, which took a tenth of the CPU of a rebuild.
type docMaker struct {
	fields map[string]fieldSpec
}

// fieldSpec is how one field of the mapping is built.
type fieldSpec struct {
	options  bindex.FieldIndexingOptions
	analyzer analysis.Analyzer
}

// newDocMaker reads the fields of im's default document mapping, which
// must be the static mapping of newMapping: one text field mapping per
// property, with a named analyzer.
func newDocMaker(im *mapping.IndexMappingImpl) (*docMaker, error) {
	m := &docMaker{fields: make(map[string]fieldSpec)}
	for name, sub := range im.DefaultMapping.Properties {
		if !sub.Enabled {
			continue // _all
		}
		if len(sub.Fields) != 1 || sub.Fields[0].Type != "text" || sub.Fields[0].Name != "" {
			return nil, fmt.Errorf("index: field %s: want one unnamed text field mapping", name)
		}
		fm := sub.Fields[0]
		a := im.AnalyzerNamed(fm.Analyzer)
		if a == nil {
			return nil, fmt.Errorf("index: field %s: analyzer %q not found", name, fm.Analyzer)
		}
		m.fields[name] = fieldSpec{options: fm.Options(), analyzer: a}
	}
	return m, nil
}

// document turns a node into the document that Bleve indexes under the
// static mapping. ok is false when the node is not indexable.
func (m *docMaker) document(n schema.Node) (doc *document.Document, ok bool) {
	if !indexable(n) {
		return nil, false
	}
	doc = document.NewDocument(n.ID)
	put := func(field, v string) {
		if v != "" {
			m.add(doc, field, v, nil)
		}
	}
	putAll := func(field string, vs []string) {
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		for i, v := range out {
			m.add(doc, field, v, []uint64{uint64(i)})
		}
	}
	putTime := func(t time.Time) {
		if t.IsZero() {
			return
		}
		t = t.UTC()
		put(fieldCreated, t.Format(createdLayout))
		put(fieldYear, t.Format(yearLayout))
		put(fieldMonth, t.Format(monthLayout))
		put(fieldDay, t.Format(dayLayout))
	}
	put(fieldKind, string(n.Kind))
	put(fieldPlatform, strings.ToLower(n.Platform))
	switch n.Kind {
	case schema.KindPost:
		p := n.Post
		put(fieldText, p.Text)
		put(fieldAuthor, normHandle(p.AuthorHandle))
		put(fieldHandle, strings.TrimPrefix(p.AuthorHandle, "@"))
		put(fieldTo, normHandle(p.ReplyToHandle))
		put(fieldLang, strings.ToLower(p.Lang))
		putTime(p.Created)
		var mentions, tags, has, is []string
		for _, h := range p.Mentions {
			mentions = append(mentions, normHandle(h))
		}
		for _, t := range p.Hashtags {
			tags = append(tags, normTag(t))
		}
		if len(p.Media) > 0 {
			has = append(has, "media")
		}
		if len(p.URLs) > 0 {
			has = append(has, "links")
		}
		if p.ReplyTo != "" {
			is = append(is, "reply")
		}
		if p.RepostOf != "" {
			is = append(is, "repost")
		}
		if p.Quotes != "" {
			is = append(is, "quote")
		}
		putAll(fieldMentions, mentions)
		putAll(fieldHashtags, tags)
		putAll(fieldHas, has)
		putAll(fieldIs, is)
	case schema.KindAccount:
		a := n.Account
		put(fieldText, accountText(a))
		put(fieldAuthor, normHandle(a.Handle))
		put(fieldHandle, strings.TrimPrefix(a.Handle, "@"))
		putTime(a.Created)
	}
	doc.SetIndexed() // as MapDocument does: Bleve counts it in its stats
	return doc, true
}

// add adds a field of the mapping to doc. A field that is not in the
// mapping is a mistake in this file, which the tests catch.
func (m *docMaker) add(doc *document.Document, field, v string, arrayPositions []uint64) {
	s, ok := m.fields[field]
	if !ok {
		panic("index: field " + field + " is not in the mapping")
	}
	doc.AddField(document.NewTextFieldCustom(field, arrayPositions, []byte(v), s.options, s.analyzer))
}

// accountText is the searchable and displayed text of an account:
// "display name (@handle): bio".
func accountText(a *schema.Account) string {
	var b strings.Builder
	handle := strings.TrimPrefix(a.Handle, "@")
	b.WriteString(a.DisplayName)
	if handle != "" {
		if b.Len() > 0 {
			b.WriteString(" (@" + handle + ")")
		} else {
			b.WriteString("@" + handle)
		}
	}
	if a.Bio != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(a.Bio)
	}
	return b.String()
}
