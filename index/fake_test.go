package index

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/podimport/podimport/schema"
)

// fakeSource is an in-memory Source: a map of nodes and a change log.
type fakeSource struct {
	mu        sync.Mutex
	nodes     map[string]schema.Node
	log       []change
	wm        uint64
	requested []string // every id passed to Nodes, in order
	forEach   int      // ForEachNodeWithoutRaw calls
}

type change struct {
	seq uint64
	id  string
}

func newFakeSource(nodes ...schema.Node) *fakeSource {
	f := &fakeSource{nodes: map[string]schema.Node{}}
	f.put(nodes...)
	return f
}

// put stores nodes, each as one change.
func (f *fakeSource) put(nodes ...schema.Node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range nodes {
		f.nodes[n.ID] = n
		f.log = append(f.log, change{seq: uint64(len(f.log)) + 1, id: n.ID})
	}
}

// del removes a node, as one change.
func (f *fakeSource) del(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.nodes, id)
	f.log = append(f.log, change{seq: uint64(len(f.log)) + 1, id: id})
}

func (f *fakeSource) ChangedSince(after uint64, limit int) ([]string, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	last := after
	for _, c := range f.log {
		if c.seq <= after {
			continue
		}
		if len(ids) == limit {
			break
		}
		ids = append(ids, c.id)
		last = c.seq
	}
	return ids, last, nil
}

func (f *fakeSource) Nodes(ids []string) ([]schema.Node, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requested = append(f.requested, ids...)
	var out []schema.Node
	for _, id := range ids {
		if n, ok := f.nodes[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeSource) ForEachNodeWithoutRaw(fn func(schema.Node) error) error {
	f.mu.Lock()
	f.forEach++
	nodes := make([]schema.Node, 0, len(f.nodes))
	for _, id := range slices.Sorted(maps.Keys(f.nodes)) {
		nodes = append(nodes, f.nodes[id])
	}
	f.mu.Unlock()
	for _, n := range nodes {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) LastChange() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return uint64(len(f.log)), nil
}

func (f *fakeSource) IndexWatermark() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wm, nil
}

func (f *fakeSource) SetIndexWatermark(seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wm = seq
	return nil
}

func (f *fakeSource) watermark() uint64 { w, _ := f.IndexWatermark(); return w }

func (f *fakeSource) takeRequested() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requested
	f.requested = nil
	return r
}

// Builders for the test corpus.

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func account(platform, native, handle, name, bio string, created time.Time) schema.Node {
	return schema.Node{
		ID: schema.ID(platform, schema.KindAccount, native), Kind: schema.KindAccount, Platform: platform,
		Account: &schema.Account{Handle: handle, DisplayName: name, Bio: bio, Created: created},
	}
}

func post(platform, native, author, handle, created, lang, text string, edit func(*schema.Post)) schema.Node {
	p := &schema.Post{
		Text: text, Created: day(created), Lang: lang,
		Author: schema.ID(platform, schema.KindAccount, author), AuthorHandle: handle,
	}
	if edit != nil {
		edit(p)
	}
	return schema.Node{ID: schema.ID(platform, schema.KindPost, native), Kind: schema.KindPost, Platform: platform, Post: p}
}

// Short ids of the corpus documents.
const (
	a1  = "twitter:account:1"
	a2  = "mastodon:account:2"
	a3  = "twitter:account:3"
	p1  = "twitter:post:1"
	p2  = "twitter:post:2"
	p3  = "mastodon:post:3"
	p4  = "mastodon:post:4"
	p5  = "twitter:post:5"
	p6  = "twitter:post:6"
	p7  = "twitter:post:7"
	p8  = "bluesky:post:8"
	p9  = "twitter:post:9"
	p10 = "mastodon:post:10"
)

// corpus is a small fixed set of nodes: three accounts and ten posts in
// English, German, French, Japanese and Chinese, with emoji, plus nodes
// that must not be indexed (references, media, a tag).
func corpus() []schema.Node {
	return []schema.Node{
		account("twitter", "1", "alice", "Alice Liddell", "Gopher, writes about golang and tea", day("2010-05-01T00:00:00Z")),
		account("mastodon", "2", "BobM", "Bob Müller", "Straßenbahn-Fan aus München 🚋", day("2015-07-01T12:00:00Z")),
		account("twitter", "3", "carol", "Carol 🌸", "東京在住", time.Time{}),
		post("twitter", "1", "1", "alice", "2024-01-05T10:00:00Z", "en", "Learning golang today, #golang is fun 🎉", func(p *schema.Post) {
			p.Hashtags = []string{"golang"}
		}),
		post("twitter", "2", "1", "alice", "2024-01-10T00:00:00Z", "en", "golang generics are great https://go.dev/blog/intro-generics", func(p *schema.Post) {
			p.URLs = []string{"https://go.dev/blog/intro-generics"}
		}),
		post("mastodon", "3", "2", "BobM", "2024-02-01T08:00:00Z", "de", "Grüße aus München! Die Brötchen sind köstlich", nil),
		post("mastodon", "4", "2", "BobM", "2024-02-14T09:30:00Z", "fr", "Un petit #café avec @alice ☕", func(p *schema.Post) {
			p.Hashtags = []string{"café"}
			p.Mentions = []string{"alice"}
			p.Media = []string{"mastodon:media:9"}
		}),
		post("twitter", "5", "3", "carol", "2024-03-01T00:00:00Z", "ja", "東京タワーに行きました", func(p *schema.Post) {
			p.ReplyTo = p1
			p.ReplyToHandle = "Alice"
		}),
		post("twitter", "6", "3", "carol", "2024-03-02T00:00:00Z", "zh", "我喜欢学习中文", nil),
		post("twitter", "7", "4", "dave", "2024-03-15T00:00:00Z", "en", "RT @alice: golang generics are great", func(p *schema.Post) {
			p.RepostOf = p2
			p.Mentions = []string{"Alice"}
		}),
		post("bluesky", "8", "5", "erin.bsky.social", "2024-04-01T00:00:00Z", "en", "So true! This phrase is exact", func(p *schema.Post) {
			p.Quotes = "bluesky:post:7x"
		}),
		post("twitter", "9", "1", "alice", "2024-04-20T16:00:00.123Z", "en", "Tea time ☕️ — don’t tell anyone, the exact phrase nobody expects", func(p *schema.Post) {
			p.Media = []string{"twitter:media:1", "twitter:media:2"}
		}),
		post("mastodon", "10", "2", "BobM", "2023-12-31T23:59:59Z", "de", "Frohes neues Jahr! Über alles: GOLANG", nil),
		// Not indexed:
		schema.Ref("twitter:post:99"),
		schema.Ref("twitter:account:77"),
		{ID: "twitter:media:1", Kind: schema.KindMedia, Platform: "twitter", Media: &schema.Media{Type: "photo", AltText: "golang gopher"}},
		{ID: "twitter:tag:golang", Kind: schema.KindTag, Platform: "twitter", Tag: &schema.Tag{Name: "golang"}},
	}
}

var allDocs = []string{a1, a2, a3, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10}

var allPosts = []string{p1, p2, p3, p4, p5, p6, p7, p8, p9, p10}

// openCorpus opens an index over the corpus in a temporary directory.
func openCorpus(t testing.TB) (*Index, *fakeSource) {
	t.Helper()
	src := newFakeSource(corpus()...)
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, src
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func sorted(xs []string) []string { return slices.Sorted(slices.Values(xs)) }

func minus(all []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
}

func genPosts(n int) []schema.Node {
	words := []string{"golang", "rust", "coffee", "tea", "music", "berlin", "münchen", "東京", "release", "bug",
		"today", "tomorrow", "great", "happy", "the", "a", "of", "and", "to", "in", "is", "it", "you", "that",
		"weekend", "code", "review", "deploy", "server", "cat", "dog", "photo", "sunset", "train", "late", "again"}
	tags := []string{"golang", "rust", "café", "music", "caturday"}
	out := make([]schema.Node, 0, n)
	base := day("2021-01-01T00:00:00Z")
	r := uint64(42)
	next := func(m int) int { // xorshift: deterministic and cheap
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		return int(r % uint64(m))
	}
	for i := range n {
		nw := 8 + next(20)
		text := make([]byte, 0, 160)
		for j := range nw {
			if j > 0 {
				text = append(text, ' ')
			}
			// Skewed choice: low indexes are more frequent.
			w := words[next(len(words))*next(len(words))/len(words)]
			text = append(text, w...)
		}
		author := next(500)
		p := post("twitter", fmt.Sprintf("%019d", i), fmt.Sprint(author), fmt.Sprintf("user%d", author),
			base.Add(time.Duration(i)*15*time.Minute).Format(time.RFC3339), "en", string(text), nil)
		if next(5) == 0 {
			tag := tags[next(len(tags))]
			p.Post.Hashtags = []string{tag}
			p.Post.Text += " #" + tag
		}
		if next(4) == 0 {
			p.Post.Media = []string{"twitter:media:" + fmt.Sprint(i)}
		}
		if next(10) == 0 {
			m := fmt.Sprintf("user%d", next(500))
			p.Post.Mentions = []string{m}
			p.Post.Text = "@" + m + " " + p.Post.Text
		}
		out = append(out, p)
	}
	return out
}

func reversed(xs []string) []string {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}
