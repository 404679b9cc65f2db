package index

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Op is the kind of one clause of a query.
type Op string

// Clause operators. The comment shows the syntax.
const (
	OpWord     Op = "word"     // golang            (analyzed like the text)
	OpPhrase   Op = "phrase"   // "exact phrase"
	OpFrom     Op = "from"     // from:alice, from:@alice
	OpTo       Op = "to"       // to:bob             (replies to bob)
	OpMention  Op = "mention"  // @carol
	OpHashtag  Op = "hashtag"  // #golang, #café
	OpSince    Op = "since"    // since:2024-01-31   (created >= that day, 00:00 UTC)
	OpUntil    Op = "until"    // until:2024-02-01   (created < that day, 00:00 UTC)
	OpHas      Op = "has"      // has:media, has:links
	OpIs       Op = "is"       // is:reply, is:repost, is:quote
	OpLang     Op = "lang"     // lang:de
	OpPlatform Op = "platform" // platform:twitter
	OpKind     Op = "kind"     // kind:post, kind:account
	OpOr       Op = "or"       // cats OR dogs OR from:bob  (any of the alternatives, Or)
)

// operators are the op:value operators, by name.
var operators = map[string]Op{
	"from": OpFrom, "to": OpTo, "since": OpSince, "until": OpUntil,
	"has": OpHas, "is": OpIs, "lang": OpLang, "platform": OpPlatform, "kind": OpKind,
}

const knownOperators = "from, to, since, until, has, is, lang, platform, kind"

// Clause is one term of a query. All clauses of a query must hold (AND);
// a negated clause must not. An OR clause holds when one of its
// alternatives does: two or more clauses, none negated, none an OR, a
// since: or an until: (the parser refuses them), and it has no Value.
type Clause struct {
	Op     Op        `json:"op"`
	Value  string    `json:"value,omitempty"`  // normalized: handles and tags lowercased without @/#; words and phrases as typed
	Time   time.Time `json:"time,omitzero"`    // since and until: midnight UTC of the day
	Negate bool      `json:"negate,omitempty"` // -clause
	Or     []Clause  `json:"or,omitempty"`     // or: the alternatives, in the order written
}

// Query is a parsed query: the AND of its clauses. No clauses, or only
// negated ones, match every document (minus the negated ones).
type Query struct {
	Clauses []Clause `json:"clauses"`
}

// ParseError is returned by Parse. Token is the offending part of the query
// and Offset its byte offset.
type ParseError struct {
	Token  string
	Offset int
	Msg    string
}

func (e *ParseError) Error() string { return e.Msg }

// String renders the query in canonical form; Parse(q.String()) gives q back.
func (q *Query) String() string {
	parts := make([]string, 0, len(q.Clauses))
	for _, c := range q.Clauses {
		parts = append(parts, c.text())
	}
	return strings.Join(parts, " ")
}

// text is the clause in the query language, as String writes it.
func (c Clause) text() string {
	var s string
	switch c.Op {
	case OpWord:
		s = c.Value
	case OpPhrase:
		s = `"` + c.Value + `"`
	case OpMention:
		s = "@" + c.Value
	case OpHashtag:
		s = "#" + c.Value
	case OpSince, OpUntil:
		s = string(c.Op) + ":" + c.Time.Format(time.DateOnly)
	case OpOr:
		alts := make([]string, len(c.Or))
		for i, a := range c.Or {
			alts[i] = a.text()
		}
		s = strings.Join(alts, " OR ")
	default:
		s = string(c.Op) + ":" + c.Value
	}
	if c.Negate {
		s = "-" + s
	}
	return s
}

// Parse reads the query language: bare words, "exact phrases", -negation,
// @mention, #hashtag, the operators from:, to:, since:, until:, has:,
// is:, lang:, platform: and kind:, and OR between two terms. Words that
// look like urls (https://…) are words. A word of the form name: with
// nothing after the colon is a word too; name:value with an unknown name
// is an error.
//
// OR, uppercase and a token of its own, binds tighter than the implicit
// AND, as on the platforms: golang cats OR dogs is golang AND (cats OR
// dogs). Its alternatives are words, phrases, tags, mentions and the
// operators but since: and until:, which bound every hit's date; none
// negated. There are no parentheses. "OR", -OR and or are words.
func Parse(q string) (*Query, error) {
	p := queryParser{q: q, out: &Query{Clauses: []Clause{}}, or: -1}
	i := 0
	for i < len(q) {
		r, n := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		start := i
		negate := false
		if r == '-' {
			next, _ := utf8.DecodeRuneInString(q[i+n:])
			if i+n >= len(q) || unicode.IsSpace(next) {
				i += n // a lone dash is punctuation
				continue
			}
			negate = true
			i += n
			r, n = utf8.DecodeRuneInString(q[i:])
		}
		if closing, ok := quotePair(r); ok {
			body := i + n
			end := strings.IndexAny(q[body:], closing)
			if end < 0 {
				return nil, &ParseError{Token: q[start:], Offset: start,
					Msg: fmt.Sprintf("unterminated quote: %s (add the closing quote)", q[start:])}
			}
			phrase := strings.TrimSpace(q[body : body+end])
			_, cn := utf8.DecodeRuneInString(q[body+end:])
			i = body + end + cn
			if phrase != "" {
				if err := p.add(Clause{Op: OpPhrase, Value: phrase, Negate: negate}, start, i); err != nil {
					return nil, err
				}
			}
			continue
		}
		end := strings.IndexFunc(q[i:], unicode.IsSpace)
		if end < 0 {
			end = len(q) - i
		}
		tok, tokStart := q[i:i+end], i
		i += end
		if tok == "OR" && !negate {
			if err := p.orAt(tokStart); err != nil {
				return nil, err
			}
			continue
		}
		c, err := parseToken(tok)
		if err != nil {
			err.Offset = tokStart
			return nil, err
		}
		c.Negate = negate
		if err := p.add(c, start, i); err != nil {
			return nil, err
		}
	}
	if p.or >= 0 {
		return nil, &ParseError{Token: "OR", Offset: p.or,
			Msg: `OR at the end of the query: OR goes between two alternatives, as in cats OR dogs (write "OR" in quotes for the word)`}
	}
	return p.out, nil
}

// queryParser is the state of Parse between tokens.
type queryParser struct {
	q            string
	out          *Query
	or           int // the offset of an OR that awaits its right side; -1 for none
	last, lastTo int // where the last clause added was written, [last, lastTo)
}

// add adds clause c, written at q[from:to]: as a clause of its own, or
// as the right side of the OR before it.
func (p *queryParser) add(c Clause, from, to int) *ParseError {
	p.last, p.lastTo = from, to
	if p.or < 0 {
		p.out.Clauses = append(p.out.Clauses, c)
		return nil
	}
	if err := alternative(c, p.q[from:to], from); err != nil {
		return err
	}
	p.or = -1
	left := &p.out.Clauses[len(p.out.Clauses)-1]
	if left.Op != OpOr {
		*left = Clause{Op: OpOr, Or: []Clause{*left}}
	}
	left.Or = append(left.Or, c)
	return nil
}

// orAt takes the OR at offset at, whose left side is the last clause.
func (p *queryParser) orAt(at int) *ParseError {
	switch {
	case p.or >= 0:
		return &ParseError{Token: "OR", Offset: at,
			Msg: `OR after OR: write one OR between two alternatives, as in cats OR dogs OR birds (write "OR" in quotes for the word)`}
	case len(p.out.Clauses) == 0:
		return &ParseError{Token: "OR", Offset: at,
			Msg: `OR at the start of the query: OR goes between two alternatives, as in cats OR dogs (write "OR" in quotes for the word)`}
	}
	if left := p.out.Clauses[len(p.out.Clauses)-1]; left.Op != OpOr {
		if err := alternative(left, p.q[p.last:p.lastTo], p.last); err != nil {
			return err
		}
	}
	p.or = at
	return nil
}

// alternative refuses clause c, written as tok at offset at, as a side
// of an OR: a negation, or a since: or until:.
func alternative(c Clause, tok string, at int) *ParseError {
	switch {
	case c.Negate:
		return &ParseError{Token: tok, Offset: at,
			Msg: fmt.Sprintf("%s cannot be an alternative of OR: an exclusion applies to every hit; write it beside the alternatives (cats OR dogs -birds), or exclude each of them (-cats -dogs)", tok)}
	case c.Op == OpSince || c.Op == OpUntil:
		return &ParseError{Token: tok, Offset: at,
			Msg: fmt.Sprintf("%s cannot be an alternative of OR: since: and until: bound the dates of every hit; write it beside the alternatives (cats OR dogs %s)", tok, tok)}
	}
	return nil
}

// quotePair returns the closing quote(s) for an opening quote.
func quotePair(r rune) (string, bool) {
	switch r {
	case '"':
		return `"`, true
	case '“', '”', '„':
		return `"”“`, true
	}
	return "", false
}

func parseToken(tok string) (Clause, *ParseError) {
	switch {
	case len(tok) > 1 && tok[0] == '#':
		if v := trimTrailingPunct(normTag(tok)); v != "" {
			return Clause{Op: OpHashtag, Value: v}, nil
		}
	case len(tok) > 1 && tok[0] == '@':
		if v := trimTrailingPunct(normHandle(tok)); v != "" {
			return Clause{Op: OpMention, Value: v}, nil
		}
	}
	colon := strings.IndexByte(tok, ':')
	if colon <= 0 || !asciiLetters(tok[:colon]) {
		return Clause{Op: OpWord, Value: tok}, nil
	}
	name, value := strings.ToLower(tok[:colon]), tok[colon+1:]
	if strings.HasPrefix(value, "//") {
		return Clause{Op: OpWord, Value: tok}, nil // a url
	}
	op, known := operators[name]
	if !known {
		if value == "" {
			return Clause{Op: OpWord, Value: tok}, nil // prose, like "note:"
		}
		return Clause{}, &ParseError{Token: tok,
			Msg: fmt.Sprintf("unknown operator %q in %q (known: %s)", name+":", tok, knownOperators)}
	}
	bad := func(want string) *ParseError {
		return &ParseError{Token: tok, Msg: fmt.Sprintf("%s: wants %s, got %q", name, want, value)}
	}
	value = strings.Trim(value, `"”“`)
	switch op {
	case OpFrom, OpTo:
		v := normHandle(value)
		if v == "" {
			return Clause{}, bad("a handle")
		}
		return Clause{Op: op, Value: v}, nil
	case OpSince, OpUntil:
		t, err := time.ParseInLocation(time.DateOnly, value, time.UTC)
		if err != nil {
			return Clause{}, bad("YYYY-MM-DD")
		}
		return Clause{Op: op, Value: t.Format(time.DateOnly), Time: t}, nil
	case OpHas:
		switch strings.ToLower(value) {
		case "media":
			return Clause{Op: op, Value: "media"}, nil
		case "links", "link":
			return Clause{Op: op, Value: "links"}, nil
		}
		return Clause{}, bad("media or links")
	case OpIs:
		switch strings.ToLower(value) {
		case "reply":
			return Clause{Op: op, Value: "reply"}, nil
		case "repost", "retweet", "reblog", "boost":
			return Clause{Op: op, Value: "repost"}, nil
		case "quote":
			return Clause{Op: op, Value: "quote"}, nil
		}
		return Clause{}, bad("reply, repost or quote")
	case OpKind:
		switch strings.ToLower(value) {
		case "post", "account":
			return Clause{Op: op, Value: strings.ToLower(value)}, nil
		}
		return Clause{}, bad("post or account")
	default: // lang, platform
		v := strings.ToLower(value)
		if v == "" {
			return Clause{}, bad("a value")
		}
		return Clause{Op: op, Value: v}, nil
	}
}

func asciiLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// trimTrailingPunct drops punctuation typed after a handle or tag
// ("@alice," "#golang!"), keeping underscores.
func trimTrailingPunct(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return r != '_' && unicode.IsPunct(r) })
}

// fieldFor maps an operator onto its keyword field.
var fieldFor = map[Op]string{
	OpFrom: fieldAuthor, OpTo: fieldTo, OpMention: fieldMentions, OpHashtag: fieldHashtags,
	OpHas: fieldHas, OpIs: fieldIs, OpLang: fieldLang, OpPlatform: fieldPlatform, OpKind: fieldKind,
}

// compile turns the AST into a Bleve query.
//
// Only words, phrases, hashtags and mentions score: relevance is how well
// a post matches what was searched for. The other operators (from:, to:,
// since:, until:, has:, is:, lang:, platform:, kind:) only select: a post
// with media and links is not less "has:media" than one with media alone,
// and a post of a busy day is not less "since:" than one of a quiet day,
// which is what their term scores would say. A query of such filters alone
// scores every hit 0, so by relevance its hits come newest first (the tie
// break), and Bleve, not asked for scores, answers it from its posting
// bitmaps.
//
// An OR is a disjunction of its alternatives (see orQuery): it scores
// when one of them does, and else is a filter like the others.
//
// Words are analyzed with the text analyzer here: one token becomes a term
// query, several (a CJK run, "e-mail", a url) a phrase. A clause whose text
// has no tokens at all (punctuation) is dropped, and so is such an
// alternative of an OR.
func (q *Query) compile(an analysis.Analyzer) query.Query {
	var scored, filters, not []query.Query
	for _, c := range q.Clauses {
		bq := c.query(an)
		switch {
		case bq == nil:
		case c.Negate:
			not = append(not, bq)
		case c.scores(an):
			scored = append(scored, bq)
		default:
			filters = append(filters, bq)
		}
	}
	if len(scored)+len(filters)+len(not) == 0 {
		return query.NewMatchAllQuery()
	}
	bq := &query.BooleanQuery{}
	switch {
	case len(scored) > 0:
		bq.Must = conj(scored)
		if len(filters) > 0 {
			bq.Filter = conj(filters)
		}
	case len(filters) > 0:
		bq.Must = unscored{conj(filters)}
		if len(not) > 0 {
			// Bleve drops a Must that matches nothing (a since: past
			// every post has no terms in its range), and a Boolean
			// query left with only MustNot matches every document. As
			// a Filter too, such a Must still excludes everything.
			bq.Filter = bq.Must
		}
	}
	if len(not) > 0 {
		bq.MustNot = query.NewDisjunctionQuery(not)
	}
	if bq.MustNot == nil && bq.Filter == nil {
		return bq.Must
	}
	return bq
}

// asked yields the clauses whose matches q asks for: those not negated,
// and the alternatives of each OR in their stead.
func (q *Query) asked(yield func(Clause) bool) {
	for _, c := range q.Clauses {
		switch {
		case c.Negate:
		case c.Op == OpOr:
			for _, a := range c.Or {
				if !yield(a) {
					return
				}
			}
		default:
			if !yield(c) {
				return
			}
		}
	}
}

// marked returns the queries on the text field whose matches a hit's
// highlights mark: its words and phrases, and its hashtags and mentions as
// they are written in the text ("#golang" is marked for #golang), those of
// every alternative of an OR too. A hit need not match them all: a tag
// may be in a post's entities only, and a hit matches one alternative of
// an OR at least.
func (q *Query) marked(an analysis.Analyzer) []query.Query {
	var out []query.Query
	for c := range q.asked {
		var tq query.Query
		switch c.Op {
		case OpWord, OpPhrase:
			tq = textQuery(an, c.Value)
		case OpHashtag:
			tq = textQuery(an, "#"+c.Value)
		case OpMention:
			tq = textQuery(an, "@"+c.Value)
		}
		if tq != nil {
			out = append(out, tq)
		}
	}
	return out
}

// tagged returns the terms that q asks for only as a #tag or @mention,
// each with its sign: the text's other occurrences of such a term are no
// match of q's to mark (see onlyTagged). A tag of several terms, or a term
// that a word or phrase of q asks for too, is not in it.
func (q *Query) tagged(an analysis.Analyzer) map[string]byte {
	out := map[string]byte{}
	asText := map[string]bool{}
	for c := range q.asked {
		switch c.Op {
		case OpHashtag, OpMention:
			sign := byte('#')
			if c.Op == OpMention {
				sign = '@'
			}
			toks := an.Analyze([]byte(string(sign) + c.Value))
			if len(toks) != 1 {
				continue
			}
			term := string(toks[0].Term)
			if other, seen := out[term]; seen && other != sign {
				asText[term] = true // #go and @go: either sign marks
			}
			out[term] = sign
		case OpWord, OpPhrase:
			for _, t := range an.Analyze([]byte(c.Value)) {
				asText[string(t.Term)] = true
			}
		}
	}
	for term := range asText {
		delete(out, term)
	}
	return out
}

// unscored matches what q matches, every document with score 0. Its
// searcher is q's, built not to score: Bleve then skips term frequencies
// and norms, and answers a conjunction or disjunction of terms from their
// posting bitmaps.
type unscored struct{ q query.Query }

func (u unscored) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return u.q.Searcher(ctx, i, m, search.SearcherOptions{Score: "none"})
}

// query is the Bleve query of a clause, without its negation; nil for
// text without tokens.
func (c Clause) query(an analysis.Analyzer) query.Query {
	switch c.Op {
	case OpWord, OpPhrase:
		return textQuery(an, c.Value)
	case OpSince:
		return sinceQuery(c.Time)
	case OpUntil:
		return untilQuery(c.Time)
	case OpOr:
		return c.orQuery(an)
	}
	return termQuery(fieldFor[c.Op], c.Value)
}

// orQuery is the query of an OR: Bleve's disjunction of its alternatives,
// those without tokens left out; nil when none is left. It scores as
// Bleve scores a disjunction, the sum of the scores of the alternatives a
// document matches times the share of the alternatives it matches, with
// the filters among them scoring 0 (see compile): of #go OR from:bob, a
// post of bob's without the tag scores 0, and one tagged #go scores more
// when it is bob's too.
func (c Clause) orQuery(an analysis.Analyzer) query.Query {
	alts := make([]query.Query, 0, len(c.Or))
	for _, a := range c.Or {
		switch aq := a.query(an); {
		case aq == nil:
		case a.scores(an):
			alts = append(alts, aq)
		default:
			alts = append(alts, unscored{aq})
		}
	}
	switch len(alts) {
	case 0:
		return nil
	case 1:
		if u, ok := alts[0].(unscored); ok {
			return u.q // a filter alone: compile takes it for one
		}
		return alts[0]
	}
	return query.NewDisjunctionQuery(alts)
}

// scores tells whether the matches of c score (see compile): words,
// phrases, hashtags and mentions do, and an OR with one of them, with
// tokens, among its alternatives.
func (c Clause) scores(an analysis.Analyzer) bool {
	switch c.Op {
	case OpWord, OpPhrase, OpHashtag, OpMention:
		return true
	case OpOr:
		for _, a := range c.Or {
			if a.scores(an) && a.query(an) != nil {
				return true
			}
		}
	}
	return false
}

// searchable tells whether a query with clauses has one that finds
// anything: a query of punctuation alone ("#", "*", "((") has clauses that
// all analyze to nothing, and compile would make it match everything.
func (q *Query) searchable(an analysis.Analyzer) bool {
	for _, c := range q.Clauses {
		if c.query(an) != nil {
			return true
		}
	}
	return len(q.Clauses) == 0
}

// selects tells whether q has a clause that is not negated: then, when
// its hits surely score alike (scoresAlike), they score 0 (see compile).
// A query of negations alone matches all other documents, which Bleve
// scores by itself.
func (q *Query) selects() bool {
	for _, c := range q.Clauses {
		if !c.Negate {
			return true
		}
	}
	return false
}

// scoresAlike tells whether all the hits of q, a query without text,
// score alike: surely when none of its positive clauses scores (see
// compile: they are filters); maybe when some are hashtags or mentions, as
// a document's score falls with its number of tags or mentions; not when
// there are words or phrases. An OR counts as its alternatives: one of
// filters alone is a filter, and one with a tag or mention may score
// alike (its hits may match only its filters, or one tag each).
func (q *Query) scoresAlike() (sure, maybe bool) {
	sure = true
	for c := range q.asked {
		switch {
		case c.Op == OpWord || c.Op == OpPhrase:
			return false, false
		case c.Op == OpHashtag || c.Op == OpMention:
			sure = false
		}
	}
	return sure, true
}

// dates returns the span of time that q's since: and until: clauses allow,
// [since, until); a zero time is no bound.
func (q *Query) dates() (since, until time.Time) {
	for _, c := range q.Clauses {
		switch {
		case c.Negate:
		case c.Op == OpSince && c.Time.After(since):
			since = c.Time
		case c.Op == OpUntil && (until.IsZero() || c.Time.Before(until)):
			until = c.Time
		}
	}
	return since, until
}

// within compiles q for the documents created in a window of time (a term
// query on year, month or day) that lies within q's dates (see dates),
// leaving out the since: and until: clauses, and without scoring. This is
// cheaper to search than q and the window together: a date range is tens
// of terms, and a query with no positive clause is every document minus
// some.
func (q *Query) within(an analysis.Analyzer, window query.Query) query.Query {
	must := []query.Query{window}
	var not []query.Query
	for _, c := range q.Clauses {
		if (c.Op == OpSince || c.Op == OpUntil) && !c.Negate {
			continue
		}
		switch bq := c.query(an); {
		case bq == nil:
		case c.Negate:
			not = append(not, bq)
		default:
			must = append(must, bq)
		}
	}
	if len(not) > 0 {
		return filtered{conj(must), query.NewDisjunctionQuery(not), true}
	}
	return conj(must)
}

func termQuery(field, term string) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

func conj(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// textQuery analyzes s and returns a term query for one token, a phrase
// query for several, nil for none.
func textQuery(an analysis.Analyzer, s string) query.Query {
	toks := an.Analyze([]byte(s))
	switch len(toks) {
	case 0:
		return nil
	case 1:
		tq := query.NewTermQuery(string(toks[0].Term))
		tq.SetField(fieldText)
		return tq
	}
	terms := make([]string, len(toks))
	for i, t := range toks {
		if t.Position != toks[0].Position+i {
			// Two terms at one position, or a gap: Bleve's phrase
			// searcher knows what to do.
			pq := query.NewMatchPhraseQuery(s)
			pq.SetField(fieldText)
			pq.Analyzer = textAnalyzer
			return pq
		}
		terms[i] = string(t.Term)
	}
	return phraseQuery{terms: terms}
}

// sinceQuery matches documents created on day d (midnight UTC) or later:
// the rest of d's month by day, the rest of its year by month, and the
// years after it.
func sinceQuery(d time.Time) query.Query {
	d = d.UTC()
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	return query.NewDisjunctionQuery([]query.Query{
		termRange(fieldDay, d.Format(dayLayout), month.AddDate(0, 1, 0).Format(dayLayout)),
		termRange(fieldMonth, month.AddDate(0, 1, 0).Format(monthLayout), year.AddDate(1, 0, 0).Format(monthLayout)),
		termRange(fieldYear, year.AddDate(1, 0, 0).Format(yearLayout), ""),
	})
}

// untilQuery matches documents created before day d (midnight UTC): the
// years before d's, the months of its year before its month, and the days
// of its month before it.
func untilQuery(d time.Time) query.Query {
	d = d.UTC()
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	return query.NewDisjunctionQuery([]query.Query{
		termRange(fieldYear, "", year.Format(yearLayout)),
		termRange(fieldMonth, year.Format(monthLayout), month.Format(monthLayout)),
		termRange(fieldDay, month.Format(dayLayout), d.Format(dayLayout)),
	})
}

// termRange matches the terms t of field with min <= t < max; "" leaves a
// side open.
func termRange(field, min, max string) query.Query {
	incl, excl := true, false
	q := query.NewTermRangeInclusiveQuery(min, max, &incl, &excl)
	q.SetField(field)
	return q
}
