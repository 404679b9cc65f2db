package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The corpus of `bench fts5`: deterministic for a seed, generated in
// memory, so that podimport and SQLite FTS5 index exactly the same posts.
//
// Seven languages, each with a vocabulary of tens of thousands of words
// made of its own syllables, drawn with Zipf frequencies (the most common
// words short, as in real languages), plus collocations (word pairs and
// triples that recur, so phrases find something), loanwords shared by all
// languages, hashtags, @mentions, links, emoji and replies; authors with
// Zipf activity; ten years of dates, more posts in later years.
//
// The words are chosen so that the two engines' tokenizers see the same
// tokens wherever they can: no apostrophes, no decimal points, no two
// words that differ only in diacritics or case (FTS5's default tokenizer
// folds both, Bleve's lowercases only), no word equal to a name, a handle,
// a link's domain or a loanword. What remains different is where the
// tokenizers really differ: Japanese (Bleve indexes character bigrams,
// FTS5's unicode61 takes a run of Japanese text without spaces as one
// token), domains (Bleve keeps "github.com" whole, FTS5 splits it) and
// emoji (Bleve indexes them, FTS5 drops them).

// corpusStart and corpusYears bound the posts' dates: 2016-01-01 to
// 2025-12-31, UTC.
var corpusStart = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	corpusYears   = 10
	vocabSize     = 30000 // distinct words per language
	tagCount      = 3000
	collocCount   = 400 // collocations per language
	maxPostRunes  = 280
	maxJapanRunes = 140 // Twitter counts a CJK character twice
)

// corpus is the generated data: vocabularies, authors and posts.
type corpus struct {
	Seed    uint64
	Langs   []*corpusLang
	Authors []corpusAuthor
	Tags    []string // lowercased, by popularity
	Shared  []string // loanwords used in every language, by popularity
	Posts   []corpusPost

	// enDF is the number of posts each English word (by rank) is in, for
	// choosing a rare word that is really rare in this corpus.
	enDF []int32
}

// corpusLang is one language: its code, its vocabulary by rank (most
// common first) and its collocations by rank.
type corpusLang struct {
	Code   string
	Share  float64 // of authors
	Words  []string
	Colloc [][]int // ranks of the words of each collocation
	japan  bool
}

type corpusAuthor struct {
	ID      string // native (Twitter) id
	Handle  string // lowercase letters and digits: one token everywhere
	Name    string
	Lang    int // index into corpus.Langs
	Created time.Time
}

type corpusPost struct {
	ID       uint64
	Author   int32
	Created  time.Time // whole seconds, UTC
	Lang     uint8
	Text     string
	Tags     []string // lowercased names, in order of appearance
	Mentions []int32  // authors, in order of appearance
	URLs     []string
	ReplyTo  int32 // index of the post replied to, -1 for none
}

// Handle of the post's author.
func (c *corpus) handle(a int32) string { return c.Authors[a].Handle }

// newCorpus generates n posts. The vocabularies and hashtags depend only
// on the seed; the authors and posts on the seed and n.
func newCorpus(n int, seed uint64) *corpus {
	c := &corpus{Seed: seed}
	vr := rand.New(rand.NewPCG(seed, 1))
	ar := rand.New(rand.NewPCG(seed, 2))
	pr := rand.New(rand.NewPCG(seed, 3))

	reserved := map[string]bool{"https": true, "http": true, "www": true}
	for _, s := range [][]string{firstNames, lastNames, sharedWords} {
		for _, w := range s {
			reserved[fold(w)] = true
		}
	}
	for _, d := range domains {
		for _, l := range strings.Split(d, ".") {
			reserved[fold(l)] = true
		}
	}
	seen := map[string]bool{} // folded forms of every word, all languages
	for k := range reserved {
		seen[k] = true
	}
	for _, spec := range langSpecs {
		l := &corpusLang{Code: spec.code, Share: spec.share, japan: spec.code == "ja"}
		l.Words = makeVocab(vr, spec, seen)
		for i := range collocCount {
			size := 2 + i%2
			words := make([]int, size)
			for j := range words {
				words[j] = 5 + vr.IntN(1500)
			}
			l.Colloc = append(l.Colloc, words)
		}
		c.Langs = append(c.Langs, l)
	}
	// Hashtags: syllable words of all languages, lowercase ASCII letters
	// and digits only, so that FTS5 sees each as one token.
	tagSeen := map[string]bool{}
	for _, d := range domains {
		for _, l := range strings.Split(d, ".") {
			tagSeen[l] = true
		}
	}
	for len(c.Tags) < tagCount {
		spec := langSpecs[vr.IntN(len(langSpecs))]
		if spec.code == "ja" {
			continue
		}
		t := ascii(syllables(vr, spec, 2+vr.IntN(2)))
		if vr.IntN(8) == 0 {
			t += fmt.Sprint(2016 + vr.IntN(corpusYears))
		}
		if len(t) >= 4 && !tagSeen[t] {
			tagSeen[t] = true
			c.Tags = append(c.Tags, t)
		}
	}
	c.Shared = sharedWords

	// Authors: some thousands, each writing mostly in one language.
	nAuthors := min(max(n/200, 50), 5000)
	handles := map[string]bool{}
	for i := range nAuthors {
		first, last := firstNames[ar.IntN(len(firstNames))], lastNames[ar.IntN(len(lastNames))]
		// Always with digits, so that a handle is never a word.
		base := ascii(first + last)
		h := base + fmt.Sprint(ar.IntN(100))
		for handles[h] {
			h = base + fmt.Sprint(ar.IntN(10000))
		}
		handles[h] = true
		c.Authors = append(c.Authors, corpusAuthor{
			ID:      fmt.Sprint(100000 + i*7919),
			Handle:  h,
			Name:    first + " " + last,
			Lang:    langAt(math.Mod(float64(i)*0.6180339887498949, 1)),
			Created: time.Date(2008+ar.IntN(8), time.Month(1+ar.IntN(12)), 1+ar.IntN(28), ar.IntN(24), ar.IntN(60), 0, 0, time.UTC),
		})
	}

	// Posts, oldest first.
	g := &postGen{c: c, r: pr,
		authorZipf:  rand.NewZipf(pr, 1.1, 4, uint64(nAuthors-1)),
		mentionZipf: rand.NewZipf(pr, 1.3, 1, uint64(nAuthors-1)),
		tagZipf:     rand.NewZipf(pr, 1.1, 3, tagCount-1),
		sharedZipf:  rand.NewZipf(pr, 1.2, 1, uint64(len(sharedWords)-1)),
	}
	for _, l := range c.Langs {
		g.wordZipf = append(g.wordZipf, rand.NewZipf(pr, 1.07, 1, uint64(len(l.Words)-1)))
		g.collocZipf = append(g.collocZipf, rand.NewZipf(pr, 1.2, 2, uint64(len(l.Colloc)-1)))
	}
	c.enDF = make([]int32, len(c.Langs[0].Words))
	c.Posts = make([]corpusPost, n)
	span := float64(corpusStart.AddDate(corpusYears, 0, 0).Sub(corpusStart) / time.Second)
	for i := range c.Posts {
		g.post(i, n, span)
	}
	return c
}

// postGen holds the generator's state while posts are made.
type postGen struct {
	c                                            *corpus
	r                                            *rand.Rand
	authorZipf, mentionZipf, tagZipf, sharedZipf *rand.Zipf
	wordZipf, collocZipf                         []*rand.Zipf
	enWords                                      []int // ranks of the English words of the post being made
}

func (g *postGen) post(i, n int, span float64) {
	c, r := g.c, g.r
	p := &c.Posts[i]
	// More posts in later years: the i-th post is at (i/n)^0.8 of the span.
	x := (float64(i) + r.Float64()) / float64(n)
	sec := int64(span * math.Pow(x, 0.8))
	p.Created = corpusStart.Add(time.Duration(sec) * time.Second)
	// Snowflake-like ids: time in the high bits, unique low bits.
	ms := uint64(p.Created.Sub(time.Date(2010, 11, 4, 1, 42, 54, 0, time.UTC)) / time.Millisecond)
	p.ID = ms<<22 | uint64(i)&(1<<22-1)
	p.Author = int32(g.authorZipf.Uint64())
	p.ReplyTo = -1
	lang := c.Authors[p.Author].Lang
	if r.IntN(10) == 0 { // now and then in another language
		lang = pickLang(r)
	}
	p.Lang = uint8(lang)
	L := c.Langs[lang]

	var lead, tail []string      // before and after the body
	if i > 0 && r.IntN(5) == 0 { // a reply to a recent post
		p.ReplyTo = int32(i - 1 - r.IntN(min(i, 5000)))
		parent := c.Posts[p.ReplyTo].Author
		p.Mentions = append(p.Mentions, parent)
		lead = append(lead, "@"+c.handle(parent))
	}
	if r.IntN(4) == 0 { // mentions someone
		m := int32(g.mentionZipf.Uint64())
		if m != p.Author && !slices.Contains(p.Mentions, m) {
			p.Mentions = append(p.Mentions, m)
			tail = append(tail, "@"+c.handle(m))
		}
	}
	if r.IntN(5) == 0 {
		u := "https://" + domains[r.IntN(len(domains))] + "/" + linkID(r)
		p.URLs = append(p.URLs, u)
		tail = append(tail, u)
	}
	if nt := tagsPerPost[r.IntN(len(tagsPerPost))]; nt > 0 {
		for range nt {
			t := c.Tags[g.tagZipf.Uint64()]
			if slices.Contains(p.Tags, t) {
				continue
			}
			p.Tags = append(p.Tags, t)
			if r.IntN(3) == 0 { // #Travel: both engines fold case
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			tail = append(tail, "#"+t)
		}
	}
	if r.IntN(10) == 0 {
		tail = append(tail, emoji[r.IntN(len(emoji))])
	}

	extra := 0
	for _, s := range append(lead, tail...) {
		extra += utf8.RuneCountInString(s) + 1
	}
	limit := maxPostRunes
	if L.japan {
		limit = maxJapanRunes
	}
	body := g.body(lang, max(limit-extra, 20))
	p.Text = strings.Join(slices.Concat(lead, []string{body}, tail), " ")

	if lang == 0 { // document frequencies of English words
		slices.Sort(g.enWords)
		for _, k := range slices.Compact(g.enWords) {
			c.enDF[k]++
		}
	}
}

// body writes the words of a post in language lang, at most limit runes.
func (g *postGen) body(lang, limit int) string {
	r, L := g.r, g.c.Langs[lang]
	want := 3 + r.IntN(22)
	var b strings.Builder
	runes := 0
	g.enWords = g.enWords[:0]
	sentenceStart := true
	add := func(w string, rank int) bool {
		sep := " "
		if L.japan || b.Len() == 0 {
			sep = ""
		}
		if sentenceStart && !L.japan {
			first, size := utf8.DecodeRuneInString(w)
			w = strings.ToUpper(string(first)) + w[size:]
		}
		n := utf8.RuneCountInString(sep + w)
		if runes+n+1 > limit {
			return false
		}
		b.WriteString(sep + w)
		runes += n
		sentenceStart = false
		if rank >= 0 && lang == 0 {
			g.enWords = append(g.enWords, rank)
		}
		return true
	}
	words := 0
	for words < want {
		var ok bool
		switch x := r.IntN(100); {
		case x < 12: // a collocation
			col := L.Colloc[g.collocZipf[lang].Uint64()]
			for _, k := range col {
				if ok = add(L.Words[k], k); !ok {
					break
				}
			}
			words += len(col)
		case x < 15: // a loanword
			ok = add(g.c.Shared[g.sharedZipf.Uint64()], -1)
			words++
		case x < 17 && !L.japan: // a number
			ok = add(fmt.Sprint([]int{2, 3, 5, 10, 20, 100, 2024, 2025}[r.IntN(8)]), -1)
			words++
		default:
			k := int(g.wordZipf[lang].Uint64())
			ok = add(L.Words[k], k)
			words++
		}
		if !ok {
			break
		}
		if L.japan {
			switch x := r.IntN(100); {
			case x < 45:
				ok = add(particles[r.IntN(len(particles))], -1)
			case x < 55:
				ok = add("、", -1)
			}
		} else if words < want {
			switch x := r.IntN(100); {
			case x < 6:
				b.WriteString(",")
				runes++
			case x < 10:
				b.WriteString([]string{".", "!", "?"}[r.IntN(3)])
				runes++
				sentenceStart = true
			}
		}
		if !ok {
			break
		}
	}
	if L.japan {
		b.WriteString([]string{"。", "！", "", "w"}[r.IntN(4)])
	} else {
		b.WriteString([]string{".", "!", "?", "", ""}[r.IntN(5)])
	}
	return b.String()
}

// rareWord returns the English word whose number of posts is nearest to
// want from below, preferring the more common one on ties: a word that
// is in this corpus, but rarely.
func (c *corpus) rareWord(want int) (string, int) {
	best, bestDF := 0, int32(0)
	for k, df := range c.enDF {
		if df > 0 && int(df) <= want && df > bestDF {
			best, bestDF = k, df
		}
	}
	return c.Langs[0].Words[best], int(bestDF)
}

var tagsPerPost = []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3}

// pickLang draws a language by its share.
func pickLang(r *rand.Rand) int { return langAt(r.Float64()) }

// langAt maps x in [0, 1) onto the languages by their shares. Authors get
// theirs from a golden-ratio sequence rather than at random, so that the
// busiest few (who write much of the corpus) are spread over the
// languages and each language's share of posts stays near its share of
// authors.
func langAt(x float64) int {
	for i, s := range langSpecs {
		if x < s.share {
			return i
		}
		x -= s.share
	}
	return 0
}

func linkID(r *rand.Rand) string {
	const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 8)
	for i := range b {
		b[i] = abc[r.IntN(len(abc))]
	}
	b[1+r.IntN(6)] = byte('0' + r.IntN(10)) // a digit: never a word
	return string(b)
}

// langSpec is how a language's words are made: onset, nucleus and coda
// of each syllable.
type langSpec struct {
	code                  string
	share                 float64
	onsets, nuclei, codas []string
}

var langSpecs = []langSpec{
	{"en", 0.38,
		sp("b c d f g h j k l m n p r s t v w y th sh ch st tr pl br gr cl fl sp wh"),
		sp("a e i o u ee oo ea ai ou ow"),
		sp("_ _ _ n t r s l d ng st ck nd ll")},
	{"ja", 0.14, nil, nil, nil},
	{"es", 0.13,
		sp("b c d f g j l ll m n ñ p r s t v z ch br pr tr"),
		sp("a e i o u a e o á é í ó ú ue ie"),
		sp("_ _ _ _ n r s l z d")},
	{"pt", 0.10,
		sp("b c d f g j l lh m n nh p r s t v z ch br pr tr"),
		sp("a e i o u a e o ã õ á é ê ó ão ei ou"),
		sp("_ _ _ _ r s m l")},
	{"de", 0.09,
		sp("b d f g h k l m n p r s t w z sch pf kr spr st tr br gr"),
		sp("a e i o u ä ö ü ei au ie eu a e"),
		sp("_ _ n r t s ch ng nd st ck tz l")},
	{"fr", 0.08,
		sp("b c d f g j l m n p r s t v ch gr pr tr bl"),
		sp("a e i o u é è ê ou ai eau oi au on en"),
		sp("_ _ _ n r s t l x nt")},
	{"it", 0.08,
		sp("b c d f g l m n p r s t v z gl gn sc br tr pr"),
		sp("a e i o u a o à è ò ia io"),
		sp("_ _ _ _ n r l")},
}

func sp(s string) []string {
	f := strings.Fields(s)
	for i, x := range f {
		if x == "_" {
			f[i] = ""
		}
	}
	return f
}

func syllables(r *rand.Rand, spec langSpec, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(spec.onsets[r.IntN(len(spec.onsets))])
		b.WriteString(spec.nuclei[r.IntN(len(spec.nuclei))])
		b.WriteString(spec.codas[r.IntN(len(spec.codas))])
	}
	return b.String()
}

// makeVocab makes vocabSize distinct words, short ones first: the rank of
// a word is its Zipf rank. seen holds the folded form of every word made
// so far (in any language) and of reserved words; no two words fold alike.
func makeVocab(r *rand.Rand, spec langSpec, seen map[string]bool) []string {
	words := make([]string, 0, vocabSize)
	for tries := 0; len(words) < vocabSize; tries++ {
		k := len(words)
		var w string
		if spec.code == "ja" {
			w = japaneseWord(r, k)
		} else {
			n := 1
			switch {
			case k >= 8000:
				n = 2 + r.IntN(3)
			case k >= 600:
				n = 2 + r.IntN(2)
			case k >= 60:
				n = 1 + r.IntN(2)
			}
			w = syllables(r, spec, n)
			if utf8.RuneCountInString(w) < 2 {
				continue
			}
		}
		f := fold(w)
		if seen[f] {
			if tries > 50*vocabSize {
				panic("corpus: cannot make enough distinct words for " + spec.code)
			}
			continue
		}
		seen[f] = true
		words = append(words, w)
	}
	return words
}

// japaneseWord makes a word of kanji (two for the most common ranks),
// kanji with kana, or katakana.
func japaneseWord(r *rand.Rand, rank int) string {
	pick := func(s string) string {
		rs := []rune(s)
		return string(rs[r.IntN(len(rs))])
	}
	switch {
	case rank < 500 || r.IntN(3) == 0:
		w := pick(kanji) + pick(kanji)
		if rank >= 3000 && r.IntN(2) == 0 {
			w += pick(kanji)
		}
		return w
	case r.IntN(2) == 0:
		return pick(kanji) + pick(kanji) + pick(hiragana) + pick(hiragana)
	default:
		n := 3 + r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(pick(katakana))
		}
		return b.String()
	}
}

// fold lowercases and strips the diacritics the corpus uses, as FTS5's
// unicode61 tokenizer does.
func fold(s string) string {
	return foldReplacer.Replace(strings.ToLower(s))
}

var foldReplacer = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ñ", "n", "ç", "c")

// ascii keeps a-z and 0-9 of a folded word.
func ascii(s string) string {
	s = fold(s)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

const (
	kanji    = "日本人大年中出子生国上時行見月分後前間東京今高新事手自社会者学気地場市長金話私物電車方道食水山川田花雨空天明店本家族友達仕映画音楽写真旅朝夜春夏秋冬猫犬海島町駅店料理"
	hiragana = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
	katakana = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガギグゲゴパピプペポ"
)

var (
	particles   = []string{"の", "は", "が", "を", "に", "で", "と", "も", "から", "まで"}
	emoji       = []string{"🎉", "😂", "❤️", "👍", "🔥", "🙏", "😍", "✨", "🤔", "😭"}
	domains     = []string{"github.com", "youtu.be", "nytimes.com", "bbc.co.uk", "spiegel.de", "lemonde.fr", "elpais.com", "globo.com", "nhk.or.jp", "medium.com", "instagram.com", "example.org", "repubblica.it", "wikipedia.org", "substack.com"}
	sharedWords = []string{"internet", "video", "online", "app", "smartphone", "podcast", "streaming", "blog", "selfie", "wifi", "email", "software", "startup", "marketing", "design", "festival", "pizza", "taxi", "hotel", "radio", "football", "tennis", "jazz", "rock", "live", "show", "weekend", "shopping", "update", "bug", "server", "cloud", "open", "source", "data", "web", "chat", "meme", "emoji", "hashtag"}
	firstNames  = []string{"Anna", "Lukas", "Marie", "Jonas", "Emma", "Noah", "Sofia", "Liam", "Olivia", "Mateo", "Lucia", "Hugo", "Chloe", "Louis", "Camille", "Pedro", "Ana", "Joao", "Beatriz", "Giulia", "Marco", "Chiara", "Yuki", "Haruto", "Sakura", "Ren", "Aoi", "James", "Mia", "Ethan", "Leonie", "Felix", "Clara", "Paul", "Ines", "Diego", "Elena", "Rafael", "Sara", "Tom"}
	lastNames   = []string{"Smith", "Jones", "Brown", "Miller", "Wilson", "Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois", "Laurent", "Garcia", "Martinez", "Lopez", "Sanchez", "Silva", "Santos", "Oliveira", "Souza", "Rossi", "Russo", "Ferrari", "Esposito", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Sato", "Ito", "Kim", "Nguyen", "Novak", "Jensen", "Larsen", "Berg", "Moreau", "Costa"}
)
