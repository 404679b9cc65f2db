package main

// `bench fts5`: podimport side by side with SQLite FTS5 on one generated
// corpus (corpus.go). twitter-to-sqlite is the reference for what a user
// would otherwise build: a table of tweets and an FTS5 table over their
// text, queried with the sqlite3 command-line shell.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// fts5Options configure one comparison.
type fts5Options struct {
	Posts      int
	Dir        string // where the store, the CSV and the SQLite database go
	Runs       int    // timed runs of each query, after one warm-up
	Seed       uint64
	Page       int  // posts per store.Apply
	Appliers   int  // goroutines calling store.Apply at once
	NoSync     bool // store.Options.NoSync
	CPUProfile string
	Out        io.Writer // the report
	Log        io.Writer // progress
}

// fts5Query is one query, in podimport's query language and in SQL.
type fts5Query struct {
	Label string
	Pod   string     // podimport query
	Sort  index.Sort // podimport sort
	// FTS5: Match is the MATCH expression ("" when the query has no
	// text), Where more conditions on posts p, Newest orders by created
	// instead of rank (bm25).
	Match  string
	Where  string
	Newest bool
	// Agree is set where the two engines must find the same posts.
	Agree bool
}

// fts5Result is what one query measured.
type fts5Result struct {
	fts5Query
	PodHits, FTSHits uint64
	PodLat, FTSLat   []time.Duration
	FTSTimer         []time.Duration // sqlite's own .timer (millisecond resolution)
}

// fts5Report is the whole comparison.
type fts5Report struct {
	Posts                 int
	PodImport, PodApply   time.Duration
	PodCPU, PodReindexCPU time.Duration // CPU time of this process
	FTSCPU                time.Duration // CPU time of the sqlite3 processes
	PodReindex            time.Duration
	PodDocs               uint64
	StoreBytes, IdxBytes  uint64
	ReindexedBytes        uint64
	FTSLoad               time.Duration
	FTSSteps              []fts5Step
	FTSBytes              uint64
	FTSParts              map[string]uint64 // dbstat: table, indexes, fts
	Results               []fts5Result
}

type fts5Step struct {
	What string
	Took time.Duration
}

func benchFTS5(args []string) error {
	fl := flag.NewFlagSet("fts5", flag.ExitOnError)
	opt := fts5Options{Out: os.Stdout, Log: os.Stderr}
	fl.IntVar(&opt.Posts, "posts", 1000000, "posts in the generated corpus")
	fl.StringVar(&opt.Dir, "dir", "", "folder for the store, the CSV and the SQLite database; must be empty or missing (default: a temporary folder, removed afterwards)")
	fl.IntVar(&opt.Runs, "runs", 50, "timed runs of each query (after one warm-up run)")
	fl.Uint64Var(&opt.Seed, "seed", 1, "seed of the corpus")
	fl.IntVar(&opt.Page, "page", 200, "posts per store.Apply")
	fl.IntVar(&opt.Appliers, "appliers", 1, "goroutines calling store.Apply at once, as the importer's workers do (the store commits their pages together); 1 applies the pages one after the other")
	fl.BoolVar(&opt.NoSync, "nosync", false, "open the store without fsync on commit (by default every page is durable, as in a real import)")
	fl.StringVar(&opt.CPUProfile, "cpuprofile", "", "write a CPU profile of podimport's import to this file")
	fl.Parse(args)
	if fl.NArg() > 0 {
		return fmt.Errorf("fts5: unexpected arguments %q", fl.Args())
	}
	_, err := runFTS5(context.Background(), opt)
	return err
}

// runFTS5 runs the comparison and prints its report.
func runFTS5(ctx context.Context, opt fts5Options) (*fts5Report, error) {
	opt.Appliers = max(opt.Appliers, 1) // 0: one after the other
	if opt.Posts < 100 || opt.Runs < 1 || opt.Page < 1 {
		return nil, fmt.Errorf("fts5: want -posts >= 100, -runs >= 1, -page >= 1")
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	sqliteVersion, err := checkSQLite(ctx)
	if err != nil {
		return nil, err
	}
	dir := opt.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "podimport-fts5-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("fts5: -dir %s is not empty", dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	out := opt.Out
	load0 := loadAvg()

	logf(opt.Log, "generating %d posts (seed %d)...", opt.Posts, opt.Seed)
	t0 := time.Now()
	c := newCorpus(opt.Posts, opt.Seed)
	gen := time.Since(t0)
	csvPath := filepath.Join(dir, "posts.csv")
	if err := writeCorpusCSV(c, csvPath); err != nil {
		return nil, err
	}
	queries := fts5Queries(c)

	fmt.Fprintf(out, "machine: %d CPUs, %s, sqlite3 %s; load average %s at the start\n", runtime.NumCPU(), runtime.Version(), sqliteVersion, load0)
	describeCorpus(out, c, gen)

	rep := &fts5Report{Posts: opt.Posts}
	rep.Results = make([]fts5Result, len(queries))
	for i, q := range queries {
		rep.Results[i].fts5Query = q
	}
	// One engine after the other, so that neither competes with the other
	// for the CPU.
	if err := podSide(ctx, opt, c, filepath.Join(dir, "podimport"), rep, rep.Results); err != nil {
		return nil, err
	}
	if err := ftsSide(ctx, opt, c, csvPath, filepath.Join(dir, "fts5.db"), rep, rep.Results); err != nil {
		return nil, err
	}
	printFTS5Report(out, opt, rep)
	fmt.Fprintf(out, "load average %s at the end\n", loadAvg())
	return rep, nil
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// checkSQLite finds the sqlite3 shell and checks that it has FTS5.
func checkSQLite(ctx context.Context) (string, error) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		return "", errors.New("fts5: the sqlite3 command is not installed: run scripts/bench-fts5.sh, which installs it (apt-get install sqlite3)")
	}
	cmd := exec.CommandContext(ctx, "sqlite3", "-bail", ":memory:")
	cmd.Stdin = strings.NewReader("CREATE VIRTUAL TABLE t USING fts5(x);\nSELECT sqlite_version();\n")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("fts5: this sqlite3 has no FTS5 (%v: %s); install Debian's sqlite3 (scripts/bench-fts5.sh does)", err, bytes.TrimSpace(b))
	}
	return strings.TrimSpace(string(b)), nil
}

// cpuTimes returns the CPU time (user and system) used so far by this
// process and by its waited-for children, from /proc/self/stat; zero
// where there is no /proc.
func cpuTimes() (self, children time.Duration) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, 0
	}
	// The fields after the command name (which is in parentheses and may
	// hold spaces): utime, stime, cutime and cstime are the 12th to 15th.
	_, rest, ok := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if !ok || len(f) < 15 {
		return 0, 0
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(n) * time.Second / 100 // USER_HZ
	}
	return tick(11) + tick(12), tick(13) + tick(14)
}

// loadAvg is the 1-minute load average, as /proc/loadavg gives it.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// ---- the corpus ----------------------------------------------------------

const createdSQL = "2006-01-02T15:04:05Z" // created in the CSV: sorts as time

// writeCorpusCSV writes the posts table's rows: id, author, created, lang,
// text, hashtags (space-separated, lowercased).
func writeCorpusCSV(c *corpus, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	for _, p := range c.Posts {
		if err := w.Write([]string{
			strconv.FormatUint(p.ID, 10), c.handle(p.Author), p.Created.Format(createdSQL),
			c.Langs[p.Lang].Code, p.Text, strings.Join(p.Tags, " "),
		}); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func describeCorpus(out io.Writer, c *corpus, gen time.Duration) {
	langs := make([]int, len(c.Langs))
	var runes, replies, tagged, mentions, links int
	for _, p := range c.Posts {
		langs[p.Lang]++
		runes += len([]rune(p.Text))
		if p.ReplyTo >= 0 {
			replies++
		}
		if len(p.Tags) > 0 {
			tagged++
		}
		if len(p.Mentions) > 0 {
			mentions++
		}
		if len(p.URLs) > 0 {
			links++
		}
	}
	n := float64(len(c.Posts))
	var ls []string
	for i, l := range c.Langs {
		ls = append(ls, fmt.Sprintf("%s %.0f%%", l.Code, 100*float64(langs[i])/n))
	}
	first, last := c.Posts[0].Created, c.Posts[len(c.Posts)-1].Created
	fmt.Fprintf(out, "corpus: %d posts by %d authors, %s to %s, %.0f characters on average; %s\n",
		len(c.Posts), len(c.Authors), first.Format(time.DateOnly), last.Format(time.DateOnly), float64(runes)/n, strings.Join(ls, ", "))
	fmt.Fprintf(out, "        %d words per language (Zipf), %d hashtags (Zipf); replies %.0f%%, with hashtags %.0f%%, mentions %.0f%%, links %.0f%%; seed %d, generated in %s (not timed)\n",
		vocabSize, len(c.Tags), 100*float64(replies)/n, 100*float64(tagged)/n, 100*float64(mentions)/n, 100*float64(links)/n, c.Seed, gen.Round(time.Millisecond))
}

// fts5Queries are the 20 queries, made from the corpus's own words.
func fts5Queries(c *corpus) []fts5Query {
	lang := func(code string) *corpusLang {
		for _, l := range c.Langs {
			if l.Code == code {
				return l
			}
		}
		panic("no language " + code)
	}
	en, de, fr, es, ja := lang("en"), lang("de"), lang("fr"), lang("es"), lang("ja")
	phrase := func(l *corpusLang, ranks []int) string {
		ws := make([]string, len(ranks))
		for i, k := range ranks {
			ws[i] = l.Words[k]
		}
		return strings.Join(ws, " ")
	}
	quote := func(ws ...string) string { // FTS5 strings, ANDed
		for i, w := range ws {
			ws[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		return strings.Join(ws, " ")
	}
	word := func(l *corpusLang, k int) string { return l.Words[k] }
	rare, _ := c.rareWord(max(5, len(c.Posts)/20000))
	author := c.handle(int32(min(100, len(c.Authors)/3)))
	mentioned := c.handle(2)
	phrase2, phrase3 := phrase(en, en.Colloc[0]), phrase(en, en.Colloc[1])
	common, common2 := word(en, 0), word(en, 1)
	year := "p.created >= '2019-01-01' AND p.created < '2020-01-01'"
	month := "p.created >= '2024-03-01' AND p.created < '2024-04-01'"

	rel := func(label, pod, match string) fts5Query {
		return fts5Query{Label: label, Pod: pod, Match: match, Agree: true}
	}
	qs := []fts5Query{
		rel("word (en)", word(en, 30), quote(word(en, 30))),
		rel("word (de)", word(de, 15), quote(word(de, 15))),
		rel("word (fr)", word(fr, 40), quote(word(fr, 40))),
		rel("two words (en)", word(en, 10)+" "+word(en, 25), quote(word(en, 10), word(en, 25))),
		rel("two words (es)", word(es, 8)+" "+word(es, 20), quote(word(es, 8), word(es, 20))),
		rel("very common word", common, quote(common)),
		{Label: "very common word, newest", Pod: common, Sort: index.SortNewest, Match: quote(common), Newest: true, Agree: true},
		rel("rare word", rare, quote(rare)),
		{Label: "word in 2019, newest", Pod: word(en, 5) + " since:2019-01-01 until:2020-01-01", Sort: index.SortNewest,
			Match: quote(word(en, 5)), Where: year, Newest: true, Agree: true},
		{Label: "March 2024, newest", Pod: "kind:post since:2024-03-01 until:2024-04-01", Sort: index.SortNewest,
			Where: month, Newest: true, Agree: true},
		rel("phrase, 2 very common words", `"`+common+" "+common2+`"`, quote(common+" "+common2)),
		rel("phrase, 2 words", `"`+phrase2+`"`, quote(phrase2)),
		rel("phrase, 3 words", `"`+phrase3+`"`, quote(phrase3)),
		rel("hashtag", "#"+c.Tags[4], "hashtags:"+quote(c.Tags[4])),
		rel("hashtag and word", "#"+c.Tags[1]+" "+word(en, 12), "hashtags:"+quote(c.Tags[1])+" AND "+quote(word(en, 12))),
		{Label: "from:", Pod: "from:" + author + " kind:post", Where: "p.author = '" + author + "'", Newest: true, Agree: true},
		rel("@mention", "@"+mentioned, quote(mentioned)),
		{Label: "lang:es and a loanword", Pod: "lang:es " + c.Shared[0], Match: quote(c.Shared[0]), Where: "p.lang = 'es'", Agree: true},
		rel("exclusion", word(en, 3)+" -"+word(en, 7), quote(word(en, 3))+" NOT "+quote(word(en, 7))),
		{Label: "word (ja)", Pod: word(ja, 5), Match: quote(word(ja, 5))},
	}
	return qs
}

// sql returns the query's statement (top 20) and its count statement.
func (q fts5Query) sql() (page, count string) {
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var from, where, cols string
	if q.Match != "" {
		from = "posts_fts JOIN posts p ON p.id = posts_fts.rowid"
		where = "posts_fts MATCH " + lit(q.Match)
		cols = "p.id, p.author, p.created, snippet(posts_fts, 0, '<mark>', '</mark>', '…', 16)"
	} else {
		from = "posts p"
		cols = "p.id, p.author, p.created, p.text"
	}
	if q.Where != "" {
		if where != "" {
			where += " AND "
		}
		where += q.Where
	}
	order := "rank"
	if q.Newest || q.Match == "" {
		order = "p.created DESC"
	}
	page = fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT 20;", cols, from, where, order)
	count = fmt.Sprintf("SELECT count(*) FROM %s WHERE %s;", from, where)
	return page, count
}

// ---- podimport -----------------------------------------------------------

// podSide writes the corpus into a fresh store page by page, with the
// index following the store's change log in a goroutine (as the importer
// does), then times the queries and a rebuild of the index.
func podSide(ctx context.Context, opt fts5Options, c *corpus, dir string, rep *fts5Report, res []fts5Result) error {
	s, err := store.Open(dir, store.Options{NoSync: opt.NoSync})
	if err != nil {
		return err
	}
	defer func() {
		if s != nil {
			s.Close()
		}
	}()
	storePath := s.Path()
	ixDir := filepath.Join(dir, "index.bleve")
	ix, err := index.Open(ixDir, s)
	if err != nil {
		return err
	}
	defer func() {
		if ix != nil {
			ix.Close()
		}
	}()

	if opt.CPUProfile != "" {
		f, err := os.Create(opt.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	logf(opt.Log, "podimport: importing %d posts in pages of %d...", len(c.Posts), opt.Page)
	kicks := make(chan struct{}, 1)
	indexed := make(chan error, 1)
	go func() {
		var first error
		for range kicks {
			if _, err := ix.CatchUp(ctx); err != nil && first == nil {
				first = err
			}
		}
		indexed <- first
	}()
	kick := func() {
		select {
		case kicks <- struct{}{}:
		default:
		}
	}
	emitted := make([]bool, len(c.Authors))
	cpu0, _ := cpuTimes()
	start := time.Now()
	applyErr := applyPages(c, s, opt, emitted, kick)
	applying := time.Since(start)
	close(kicks)
	err = <-indexed
	if applyErr != nil {
		return applyErr
	}
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if _, err := ix.CatchUp(ctx); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	rep.PodImport = time.Since(start)
	cpu1, _ := cpuTimes()
	rep.PodCPU = cpu1 - cpu0
	rep.PodApply = applying
	pprof.StopCPUProfile()
	if rep.PodDocs, err = ix.DocCount(); err != nil {
		return err
	}
	if want := uint64(len(c.Posts) + len(c.Authors)); rep.PodDocs != want {
		return fmt.Errorf("podimport: the index holds %d documents, want %d posts and accounts", rep.PodDocs, want)
	}
	logf(opt.Log, "podimport: imported and indexed in %s", rep.PodImport.Round(time.Millisecond))

	// Sizes with everything closed, so that nothing is in flight; then
	// open again for the searches.
	if err := errors.Join(ix.Close(), s.Close()); err != nil {
		return err
	}
	ix, s = nil, nil
	rep.StoreBytes = fileSize(storePath)
	rep.IdxBytes = dirSize(ixDir)
	if s, err = store.Open(dir, store.Options{NoSync: opt.NoSync}); err != nil {
		return err
	}
	if ix, err = index.Open(ixDir, s); err != nil {
		return err
	}
	if ix.Rebuilt != "" {
		return fmt.Errorf("podimport: the index was rebuilt when opened again: %s", ix.Rebuilt)
	}
	// Searched as podimport serve searches: with the dates kept in memory.
	t0 := time.Now()
	ix.KeepDates()
	logf(opt.Log, "podimport: dates of %d documents read in %s", rep.PodDocs, time.Since(t0).Round(time.Millisecond))

	logf(opt.Log, "podimport: %d queries, %d runs each...", len(res), opt.Runs)
	for i := range res {
		q := &res[i]
		for run := 0; run <= opt.Runs; run++ {
			t := time.Now()
			r, err := ix.Search(ctx, q.Pod, index.SearchOptions{Limit: 20, Sort: q.Sort})
			if err != nil {
				return fmt.Errorf("podimport: search %q: %w", q.Pod, err)
			}
			if run > 0 { // the first run warms the caches
				q.PodLat = append(q.PodLat, time.Since(t))
			}
			q.PodHits = r.Total
		}
	}

	logf(opt.Log, "podimport: rebuilding the index from the store (Reindex)...")
	cpu0, _ = cpuTimes()
	t := time.Now()
	if err := ix.Reindex(ctx); err != nil {
		return err
	}
	rep.PodReindex = time.Since(t)
	cpu1, _ = cpuTimes()
	rep.PodReindexCPU = cpu1 - cpu0
	if err := ix.Close(); err != nil {
		return err
	}
	ix = nil
	rep.ReindexedBytes = dirSize(ixDir)
	return nil
}

// podBatch makes the batch of posts [lo, hi) the way the twitter plugin
// maps tweets: a post node with its authored edge, tag nodes and tagged
// edges, link nodes and links_to edges, mentions edges, and a reference
// to the parent of a reply with a reply_to edge. Each account is sent
// complete once, the first time a post names it; later batches name it
// by id only, with a reference node when refs is set (pages applied
// concurrently may be committed out of order). No raw JSON: the FTS5 side
// has none either.
func podBatch(c *corpus, lo, hi int, emitted []bool, refs bool) schema.Batch {
	const platform = "twitter"
	src := []string{platform}
	account := func(bl *schema.Builder, a int32) string {
		au := &c.Authors[a]
		id := schema.ID(platform, schema.KindAccount, au.ID)
		if !emitted[a] {
			emitted[a] = true
			bl.Node(schema.Node{ID: id, Kind: schema.KindAccount, Platform: platform, Sources: src,
				Account: &schema.Account{Handle: au.Handle, DisplayName: au.Name, Created: au.Created}})
		} else if refs {
			bl.Ref(id) // the page that has the account may not be committed yet
		}
		return id
	}
	postID := func(i int32) string {
		return schema.ID(platform, schema.KindPost, strconv.FormatUint(c.Posts[i].ID, 10))
	}
	var bl schema.Builder
	for i := lo; i < hi; i++ {
		p := &c.Posts[i]
		id := postID(int32(i))
		author := account(&bl, p.Author)
		post := &schema.Post{
			Text: p.Text, Created: p.Created, Lang: c.Langs[p.Lang].Code,
			Author: author, AuthorHandle: c.handle(p.Author),
			Hashtags: p.Tags, URLs: p.URLs,
		}
		bl.Edge(schema.Edge{From: author, Kind: schema.EdgeAuthored, To: id})
		if p.ReplyTo >= 0 {
			post.ReplyTo = postID(p.ReplyTo)
			post.ReplyToHandle = c.handle(c.Posts[p.ReplyTo].Author)
			bl.Ref(post.ReplyTo)
			bl.Edge(schema.Edge{From: id, Kind: schema.EdgeReplyTo, To: post.ReplyTo})
		}
		for _, t := range p.Tags {
			tag := schema.ID(platform, schema.KindTag, t)
			bl.Node(schema.Node{ID: tag, Kind: schema.KindTag, Platform: platform, Sources: src, Tag: &schema.Tag{Name: t}})
			bl.Edge(schema.Edge{From: id, Kind: schema.EdgeTagged, To: tag})
		}
		for _, m := range p.Mentions {
			post.Mentions = append(post.Mentions, c.handle(m))
			bl.Edge(schema.Edge{From: id, Kind: schema.EdgeMentions, To: account(&bl, m)})
		}
		for _, u := range p.URLs {
			link := schema.ID(platform, schema.KindLink, u)
			bl.Node(schema.Node{ID: link, Kind: schema.KindLink, Platform: platform, Sources: src,
				Link: &schema.Link{URL: u, Display: strings.TrimPrefix(u, "https://")}})
			bl.Edge(schema.Edge{From: id, Kind: schema.EdgeLinksTo, To: link})
		}
		bl.Node(schema.Node{ID: id, Kind: schema.KindPost, Platform: platform, Sources: src, Post: post})
	}
	return bl.Batch()
}

// applyPages applies the corpus in pages of opt.Page from opt.Appliers
// goroutines at once, as the importer's workers emit pages: the store
// commits the pages that wait together in one transaction. The pages are
// made in order on the calling goroutine, and each names the accounts it
// does not bring with reference nodes when there are several appliers
// (their pages may be committed out of order). kick is called after each
// page.
func applyPages(c *corpus, s *store.Store, opt fts5Options, emitted []bool, kick func()) error {
	type page struct {
		lo int
		b  schema.Batch
	}
	pages := make(chan page, opt.Appliers)
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range opt.Appliers {
		wg.Go(func() {
			for p := range pages {
				if failed.Load() != nil {
					continue // drain, so the maker never blocks
				}
				if _, err := s.Apply(0, "bench", "fts5", p.b); err != nil {
					err = fmt.Errorf("store.Apply of posts %d…: %w", p.lo, err)
					failed.CompareAndSwap(nil, &err)
					continue
				}
				kick()
			}
		})
	}
	refs := opt.Appliers > 1
	for lo := 0; lo < len(c.Posts) && failed.Load() == nil; lo += opt.Page {
		pages <- page{lo, podBatch(c, lo, min(lo+opt.Page, len(c.Posts)), emitted, refs)}
		if lo/opt.Page%500 == 499 {
			logf(opt.Log, "podimport: %d posts made into pages", lo+opt.Page)
		}
	}
	close(pages)
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}

// ---- SQLite FTS5 ---------------------------------------------------------

// ftsSide loads the CSV into a fresh database with the sqlite3 shell,
// builds its indexes and the FTS5 table, and times the queries.
func ftsSide(ctx context.Context, opt fts5Options, c *corpus, csvPath, db string, rep *fts5Report, res []fts5Result) error {
	steps := []struct{ what, script string }{
		{"posts table (.import of the CSV)", "CREATE TABLE posts(id INTEGER PRIMARY KEY, author TEXT, created TEXT, lang TEXT, text TEXT, hashtags TEXT);\n" +
			".import --csv " + strconv.Quote(csvPath) + " posts\n"},
		{"indexes on author and created", "CREATE INDEX posts_author ON posts(author, created);\nCREATE INDEX posts_created ON posts(created);\n"},
		{"FTS5 table (rebuild)", "CREATE VIRTUAL TABLE posts_fts USING fts5(text, hashtags, content='posts', content_rowid='id');\n" +
			"INSERT INTO posts_fts(posts_fts) VALUES('rebuild');\n"},
	}
	logf(opt.Log, "FTS5: loading %d posts with sqlite3...", len(c.Posts))
	_, cpu0 := cpuTimes()
	for _, st := range steps {
		t := time.Now()
		if _, err := sqlite(ctx, db, st.script); err != nil {
			return fmt.Errorf("fts5: %s: %w", st.what, err)
		}
		d := time.Since(t)
		rep.FTSSteps = append(rep.FTSSteps, fts5Step{st.what, d})
		rep.FTSLoad += d
	}
	_, cpu1 := cpuTimes()
	rep.FTSCPU = cpu1 - cpu0
	logf(opt.Log, "FTS5: loaded in %s", rep.FTSLoad.Round(time.Millisecond))
	rep.FTSBytes = fileSize(db) + fileSize(db+"-journal") + fileSize(db+"-wal")

	// Check the load, and measure what each part takes (dbstat).
	outp, err := sqlite(ctx, db, "SELECT count(*) FROM posts;\n"+
		"SELECT CASE WHEN name LIKE 'posts_fts%' THEN 'fts' WHEN name LIKE 'posts_%' THEN 'indexes' WHEN name = 'posts' THEN 'posts' ELSE 'other' END, sum(pgsize) FROM dbstat GROUP BY 1;\n")
	if err != nil {
		return fmt.Errorf("fts5: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(outp), "\n")
	if n, _ := strconv.Atoi(lines[0]); n != len(c.Posts) {
		return fmt.Errorf("fts5: the posts table has %s rows, want %d", lines[0], len(c.Posts))
	}
	rep.FTSParts = map[string]uint64{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, "|"); ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			rep.FTSParts[k] = n
		}
	}

	// Hit counts, once per query.
	var counts strings.Builder
	for _, q := range res {
		_, count := q.sql()
		counts.WriteString(count + "\n")
	}
	outp, err = sqlite(ctx, db, counts.String())
	if err != nil {
		return fmt.Errorf("fts5: counts: %w", err)
	}
	lines = strings.Fields(outp)
	if len(lines) != len(res) {
		return fmt.Errorf("fts5: %d counts for %d queries: %q", len(lines), len(res), outp)
	}
	for i := range res {
		if res[i].FTSHits, err = strconv.ParseUint(lines[i], 10, 64); err != nil {
			return fmt.Errorf("fts5: count of %q: %q", res[i].Label, lines[i])
		}
	}

	logf(opt.Log, "FTS5: %d queries, %d runs each...", len(res), opt.Runs)
	for i := range res {
		if err := timeSQLite(ctx, db, &res[i], opt.Runs); err != nil {
			return err
		}
	}
	return nil
}

// sqlite runs a script through the sqlite3 shell and returns its output.
func sqlite(ctx context.Context, db, script string) (string, error) {
	cmd := exec.CommandContext(ctx, "sqlite3", "-bail", db)
	cmd.Stdin = strings.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sqlite3: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	if stderr.Len() > 0 { // .import reports bad rows here and carries on
		return "", fmt.Errorf("sqlite3: %s", bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.String(), nil
}

// timeSQLite runs one query runs+1 times in one sqlite3 process, with
// .timer on: the first run warms the caches. Each run is timed from
// writing the statement to the shell until its "Run Time:" line arrives,
// so process start is not measured; .timer's own figure (printed to the
// millisecond only) is kept as a check.
func timeSQLite(ctx context.Context, db string, r *fts5Result, runs int) error {
	page, _ := r.sql()
	cmd := exec.CommandContext(ctx, "sqlite3", "-bail", db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Wait()
	defer stdin.Close()
	rd := bufio.NewReader(stdout)
	if _, err := io.WriteString(stdin, ".timer on\n"); err != nil {
		return err
	}
	for run := 0; run <= runs; run++ {
		t := time.Now()
		if _, err := io.WriteString(stdin, page+"\n"); err != nil {
			return fmt.Errorf("fts5: %q: %w: %s", r.Label, err, stderr.String())
		}
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				cmd.Wait()
				return fmt.Errorf("fts5: %s: %w: %s", page, err, bytes.TrimSpace(stderr.Bytes()))
			}
			rest, ok := strings.CutPrefix(line, "Run Time: real ")
			if !ok {
				continue
			}
			d := time.Since(t)
			if run > 0 {
				r.FTSLat = append(r.FTSLat, d)
				if f := strings.Fields(rest); len(f) > 0 {
					if s, err := strconv.ParseFloat(f[0], 64); err == nil {
						r.FTSTimer = append(r.FTSTimer, time.Duration(s*float64(time.Second)))
					}
				}
			}
			break
		}
	}
	io.WriteString(stdin, ".quit\n")
	return nil
}

// ---- the report ----------------------------------------------------------

func printFTS5Report(out io.Writer, opt fts5Options, rep *fts5Report) {
	n := float64(rep.Posts)
	rate := func(d time.Duration) float64 { return n / d.Seconds() }
	sync := "fsync on every commit, as in a real import"
	if opt.NoSync {
		sync = "without fsync (-nosync)"
	}
	fmt.Fprintf(out, "\nindexing %d posts:\n", rep.Posts)
	cpu := func(d time.Duration) string { return fmt.Sprintf("%.1f CPU-s", d.Seconds()) }
	applied := fmt.Sprintf("one after the other, all applied in %s", rep.PodApply.Round(time.Millisecond))
	if opt.Appliers > 1 {
		applied = fmt.Sprintf("from %d goroutines at once, all applied in %s", opt.Appliers, rep.PodApply.Round(time.Millisecond))
	}
	fmt.Fprintf(out, "  podimport  %9.0f posts/s  %s, %s: store.Apply in pages of %d (%s; %s) with the index following the change log, until it has caught up\n",
		rate(rep.PodImport), rep.PodImport.Round(time.Millisecond), cpu(rep.PodCPU), opt.Page, sync, applied)
	fmt.Fprintf(out, "  podimport  %9.0f posts/s  %s, %s: rebuilding only the Bleve index from the store (index.Reindex, %d documents)\n",
		rate(rep.PodReindex), rep.PodReindex.Round(time.Millisecond), cpu(rep.PodReindexCPU), rep.PodDocs)
	var steps []string
	for _, s := range rep.FTSSteps {
		steps = append(steps, fmt.Sprintf("%s %s", s.What, s.Took.Round(time.Millisecond)))
	}
	fmt.Fprintf(out, "  FTS5       %9.0f posts/s  %s, %s: sqlite3 shells, one after the other: %s\n",
		rate(rep.FTSLoad), rep.FTSLoad.Round(time.Millisecond), cpu(rep.FTSCPU), strings.Join(steps, ", "))
	fmt.Fprintf(out, "  ratio podimport/FTS5: %.2f (import), %.2f (index rebuild alone)\n",
		rate(rep.PodImport)/rate(rep.FTSLoad), rate(rep.PodReindex)/rate(rep.FTSLoad))

	pod := rep.StoreBytes + rep.IdxBytes
	fmt.Fprintf(out, "size on disk:\n")
	fmt.Fprintf(out, "  podimport  %s = store %s + index %s (%.0f bytes per post); the index after Reindex: %s\n",
		mib(pod), mib(rep.StoreBytes), mib(rep.IdxBytes), float64(pod)/n, mib(rep.ReindexedBytes))
	p := rep.FTSParts
	fmt.Fprintf(out, "  FTS5       %s = posts table %s + indexes %s + FTS5 tables %s (%.0f bytes per post)\n",
		mib(rep.FTSBytes), mib(p["posts"]), mib(p["indexes"]), mib(p["fts"]+p["other"]), float64(rep.FTSBytes)/n)
	fmt.Fprintf(out, "  ratio podimport/FTS5: %.2f\n", float64(pod)/float64(rep.FTSBytes))

	fmt.Fprintf(out, "search: %d queries, top 20, %d runs each after a warm-up; podimport in process (index.Search), FTS5 through a sqlite3 shell's pipes\n", len(rep.Results), opt.Runs)
	fmt.Fprintf(out, "  %-2s %-28s %9s %9s   %-19s   %-19s   %s\n", "", "", "hits", "", "podimport", "FTS5", "podimport/FTS5")
	fmt.Fprintf(out, "  %-2s %-28s %9s %9s   %9s %9s   %9s %9s   %6s %6s\n", "", "query", "podimport", "FTS5", "p50", "p99", "p50", "p99", "p50", "p99")
	var allPod, allFTS, allTimer []time.Duration
	var differ []string
	for i, r := range rep.Results {
		mark := ""
		if r.PodHits != r.FTSHits {
			mark = " ≠"
			differ = append(differ, fmt.Sprint(i+1))
		}
		fmt.Fprintf(out, "  %-2d %-28s %9d %9d   %9s %9s   %9s %9s   %6.1f %6.1f%s\n", i+1, r.Label, r.PodHits, r.FTSHits,
			pct(r.PodLat, 50), pct(r.PodLat, 99), pct(r.FTSLat, 50), pct(r.FTSLat, 99), ratio(r.PodLat, r.FTSLat, 50), ratio(r.PodLat, r.FTSLat, 99), mark)
		allPod, allFTS, allTimer = append(allPod, r.PodLat...), append(allFTS, r.FTSLat...), append(allTimer, r.FTSTimer...)
	}
	fmt.Fprintf(out, "  %-2s %-28s %9s %9s   %9s %9s   %9s %9s   %6.1f %6.1f\n", "", "all queries", "", "",
		pct(allPod, 50), pct(allPod, 99), pct(allFTS, 50), pct(allFTS, 99), ratio(allPod, allFTS, 50), ratio(allPod, allFTS, 99))
	fmt.Fprintf(out, "  (sqlite's own .timer, to the millisecond: all queries p50 %s, p99 %s)\n", pct(allTimer, 50), pct(allTimer, 99))
	if len(differ) > 0 {
		fmt.Fprintf(out, "  ≠ hit counts differ (queries %s): the tokenizers differ there (see below)\n", strings.Join(differ, ", "))
	}
	fmt.Fprintf(out, "the queries (podimport ⇔ FTS5):\n")
	for i, r := range rep.Results {
		page, _ := r.sql()
		sort := ""
		if r.Sort != "" {
			sort = "  [--sort " + string(r.Sort) + "]"
		}
		fmt.Fprintf(out, "  %-2d %s%s\n     %s\n", i+1, r.Pod, sort, page)
	}
	fmt.Fprintf(out, "notes: podimport stores each post as a node with its edges (authored, tagged, mentions, links_to, reply_to) and tag, link and\n"+
		"  account nodes, without raw JSON; FTS5 indexes text and hashtags with its default tokenizer (unicode61), which folds diacritics,\n"+
		"  splits domains (github.com) and takes Japanese text without spaces as one token, where Bleve indexes character bigrams.\n")
}

// ratio is a's p-th percentile over b's.
func ratio(a, b []time.Duration, p int) float64 {
	pa, pb := pctDur(a, p), pctDur(b, p)
	if pb == 0 {
		return 0
	}
	return float64(pa) / float64(pb)
}

// pctDur is the p-th percentile of d, unrounded (main.go's pct rounds it
// for printing).
func pctDur(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}
