package index

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/segment"
)

// mappingVersion is kept in the index (as internal data). When the mapping
// or the way documents are built changes, bump it: an index built with
// another version is rebuilt from the store when it is opened.
const mappingVersion = "podimport-index-v2"

// createdLayout formats the created field: fixed width and UTC, so that
// its strings sort in time order.
const createdLayout = "2006-01-02T15:04:05.000000000Z"

// Layouts of the year, month and day fields.
const (
	yearLayout  = "2006"
	monthLayout = "2006-01"
	dayLayout   = "2006-01-02"
)

var mappingVersionKey = []byte("podimport_mapping_version")

// Names of the analysis pieces and fields.
const (
	tokenizerName = "podimport_unicode"
	textAnalyzer  = "podimport_text"

	fieldText     = "text"
	fieldKind     = "kind"
	fieldPlatform = "platform"
	fieldAuthor   = "author" // lowercased handle, indexed
	fieldHandle   = "handle" // the handle as written, stored only (for Hit.Author)
	fieldTo       = "to"
	fieldMentions = "mentions"
	fieldHashtags = "hashtags"
	fieldLang     = "lang"
	fieldCreated  = "created" // exact time as a sortable string (createdLayout): sort and display
	fieldYear     = "year"    // the UTC year of created, "2006": since: and until:
	fieldMonth    = "month"   // its month, "2006-01"
	fieldDay      = "day"     // its day, "2006-01-02"
	fieldHas      = "has"
	fieldIs       = "is"
)

func init() {
	// The tokenizer is referenced by name from the mapping that every index
	// stores, so it must be registered before any index is opened.
	if err := registry.RegisterTokenizer(tokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return socialTokenizer{}, nil
	}); err != nil {
		panic(err)
	}
}

// newMapping builds the static mapping that the shared storage notes
// (reference/storage-notes.md) recommend: nothing dynamic, term vectors only
// on text, doc values only on created (the sort field), keyword fields for
// everything that is matched exactly (values lowercased by document()).
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(textAnalyzer, map[string]interface{}{
		"type":      custom.Name,
		"tokenizer": tokenizerName,
		// cjk_width folds full-width Latin and half-width katakana; the
		// bigram filter turns runs of CJK characters into overlapping pairs
		// so Chinese and Japanese (which have no spaces) are searchable.
		"token_filters": []interface{}{cjk.WidthName, lowercase.Name, cjk.BigramName},
	}); err != nil {
		return nil, err
	}

	text := bleve.NewTextFieldMapping()
	text.Analyzer = textAnalyzer
	text.Store = true              // Hit.Text and highlighting
	text.IncludeTermVectors = true // phrases and highlight locations
	text.IncludeInAll = false
	text.DocValues = false

	keywordField := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	storedOnly := bleve.NewTextFieldMapping()
	storedOnly.Analyzer = keyword.Name
	storedOnly.Index = false
	storedOnly.Store = true
	storedOnly.IncludeTermVectors = false
	storedOnly.IncludeInAll = false
	storedOnly.DocValues = false

	// The creation time is four keyword fields of one term each. created
	// is the exact time as a sortable string, for sorting (doc values) and
	// display. year, month and day serve since: and until:, which become a
	// few term ranges over them (dateRange): at most about 10 years, 11
	// months and 30 days, whatever the range. (A datetime field indexes 16
	// prefix-coded terms per value, which made it a quarter of all
	// indexing time; a day field alone made a range of years thousands of
	// terms.)
	created := keywordField(true)
	created.DocValues = true // sort by date

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fieldText, text)
	dm.AddFieldMappingsAt(fieldKind, keywordField(true))
	dm.AddFieldMappingsAt(fieldPlatform, keywordField(false))
	dm.AddFieldMappingsAt(fieldAuthor, keywordField(false))
	dm.AddFieldMappingsAt(fieldHandle, storedOnly)
	dm.AddFieldMappingsAt(fieldTo, keywordField(false))
	dm.AddFieldMappingsAt(fieldMentions, keywordField(false))
	dm.AddFieldMappingsAt(fieldHashtags, keywordField(false))
	dm.AddFieldMappingsAt(fieldLang, keywordField(false))
	dm.AddFieldMappingsAt(fieldCreated, created)
	dm.AddFieldMappingsAt(fieldYear, keywordField(false))
	dm.AddFieldMappingsAt(fieldMonth, keywordField(false))
	dm.AddFieldMappingsAt(fieldDay, keywordField(false))
	dm.AddFieldMappingsAt(fieldHas, keywordField(false))
	dm.AddFieldMappingsAt(fieldIs, keywordField(false))

	// No _all field: every query names its field, and Bleve otherwise
	// builds an (empty) composite field with term vectors for every
	// document, which cost a tenth of indexing time.
	dm.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	im.DefaultMapping = dm
	im.DefaultAnalyzer = textAnalyzer
	im.DefaultField = fieldText
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	if err := im.Validate(); err != nil {
		return nil, err
	}
	return im, nil
}

func normHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}
func normTag(t string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#")) }

// socialTokenizer is Bleve's unicode tokenizer (UAX #29 word boundaries)
// with two changes for social text: emoji and other symbols (Unicode
// category So) are kept as tokens instead of being dropped, so 🎉 can be
// searched, with variation selectors removed so ❤ finds ❤️; and the
// typographic apostrophe is folded to ' so "don’t" and "don't" match.
type socialTokenizer struct{}

func (socialTokenizer) Tokenize(input []byte) analysis.TokenStream {
	rv := make(analysis.TokenStream, 0, len(input)/6+1)
	seg := segment.NewWordSegmenterDirect(input)
	start, pos := 0, 1
	for seg.Segment() {
		b := seg.Bytes()
		end := start + len(b)
		typ := seg.Type()
		var tok *analysis.Token
		switch {
		case typ != segment.None:
			term := b
			if bytes.Contains(term, []byte("’")) {
				term = bytes.ReplaceAll(term, []byte("’"), []byte("'"))
			}
			tt := analysis.AlphaNumeric
			switch typ {
			case segment.Ideo, segment.Kana:
				tt = analysis.Ideographic
			case segment.Number:
				tt = analysis.Numeric
			}
			tok = &analysis.Token{Term: term, Start: start, End: end, Position: pos, Type: tt}
		case isSymbol(b):
			term := stripVariationSelectors(b)
			if len(term) > 0 {
				tok = &analysis.Token{Term: term, Start: start, End: end, Position: pos, Type: analysis.AlphaNumeric}
			}
		}
		if tok != nil {
			rv = append(rv, tok)
			pos++
		}
		start = end
	}
	return rv
}

// isSymbol reports whether a non-word segment holds an emoji or other
// symbol worth indexing.
func isSymbol(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if unicode.Is(unicode.So, r) {
			return true
		}
		b = b[n:]
	}
	return false
}

func stripVariationSelectors(b []byte) []byte {
	if !bytes.ContainsAny(b, "\uFE0E\uFE0F") {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != '\uFE0E' && r != '\uFE0F' {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
