package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

func TestSearchOperators(t *testing.T) {
	ix, _ := openCorpus(t)
	accounts := []string{a1, a2, a3}
	tests := []struct {
		q    string
		want []string
	}{
		// Everything.
		{"", allDocs},
		{"   ", allDocs},
		// Bare words: analyzed like the text (lowercased, any language).
		{"golang", []string{a1, p1, p2, p7, p10}},
		{"GoLang", []string{a1, p1, p2, p7, p10}},
		{"golang generics", []string{p2, p7}},
		{"golang nosuchword", nil},
		{"grüße", []string{p3}},
		{"GRÜSSE", nil}, // no folding of ß
		{"münchen", []string{a2, p3}},
		{"MÜNCHEN", []string{a2, p3}},
		{"über", []string{p10}},
		{"köstlich", []string{p3}},
		{"straßenbahn", []string{a2}},
		{"東京", []string{a3, p5}},
		{"東京タワー", []string{p5}},
		{"タワー", []string{p5}},
		{"中文", []string{p6}},
		{"学习中文", []string{p6}},
		{"☕", []string{p4, p9}}, // ☕ and ☕️ (with a variation selector)
		{"☕️", []string{p4, p9}},
		{"🎉", []string{p1}},
		{"🚋", []string{a2}},
		{"don't", []string{p9}}, // the text has don’t
		{"don’t", []string{p9}},
		{"alice", []string{a1, p4, p7}}, // text mentions; from: is the author
		{"https://go.dev/blog/intro-generics", []string{p2}},
		{"go.dev", []string{p2}},
		{"golang !", []string{a1, p1, p2, p7, p10}}, // punctuation alone is ignored
		// Phrases.
		{`"exact phrase"`, []string{p9}},
		{"exact phrase", []string{p8, p9}},
		{`"phrase exact"`, nil},
		{`"generics are great"`, []string{p2, p7}},
		{`"Grüße aus München"`, []string{p3}},
		// Negation.
		{"-golang", minus(allDocs, a1, p1, p2, p7, p10)},
		{`-"exact phrase"`, minus(allDocs, p9)},
		{"golang -from:alice", []string{p7, p10}},
		{"-from:alice -from:bobm", []string{a3, p5, p6, p7, p8}},
		{"-#golang", minus(allDocs, p1)},
		{"-@alice golang", []string{a1, p1, p2, p10}},
		{"-kind:post", accounts},
		// A must that matches nothing stays nothing beside a must-not.
		{"nosuchword -golang", nil},
		{`"no such phrase" -golang`, nil},
		{"from:nobody -golang", nil},
		{"nosuchword lang:de -golang", nil},
		{"#nosuchtag -golang", nil},
		{"since:2030-01-01 -golang", nil},
		{"#golang since:2030-01-01 -golang", nil},
		{"#golang since:2030-01-01", nil},
		{"@alice since:2030-01-01 -golang", nil},
		{"-is:reply -is:repost -is:quote kind:post", []string{p1, p2, p3, p4, p6, p9, p10}},
		// from: / to: / mentions / hashtags.
		{"from:alice", []string{a1, p1, p2, p9}},
		{"from:@ALICE", []string{a1, p1, p2, p9}},
		{"from:bobm", []string{a2, p3, p4, p10}},
		{"from:erin.bsky.social", []string{p8}},
		{"from:nobody", nil},
		{"to:alice", []string{p5}},
		{"to:@Alice", []string{p5}},
		{"@alice", []string{p4, p7}},
		{"@ALICE", []string{p4, p7}},
		{"#golang", []string{p1}},
		{"#GOLANG", []string{p1}},
		{"#café", []string{p4}},
		{"#Café", []string{p4}},
		{"#caf", nil},
		{"café", []string{p4}},
		// Dates: since is inclusive, until exclusive, both at 00:00 UTC.
		{"since:2024-03-01", []string{p5, p6, p7, p8, p9}},
		{"until:2024-01-01", []string{a1, a2, p10}},
		{"since:2024-01-01 until:2024-01-10", []string{p1}},
		{"since:2024-01-01 until:2024-01-11", []string{p1, p2}},
		{"-since:2024-01-01", []string{a1, a2, a3, p10}},
		// has: / is:
		{"has:media", []string{p4, p9}},
		{"has:links", []string{p2}},
		{"has:media has:links", nil},
		{"is:reply", []string{p5}},
		{"is:repost", []string{p7}},
		{"is:retweet", []string{p7}},
		{"is:quote", []string{p8}},
		// lang: / platform: / kind:
		{"lang:de", []string{p3, p10}},
		{"lang:JA", []string{p5}},
		{"platform:mastodon", []string{a2, p3, p4, p10}},
		{"platform:bluesky", []string{p8}},
		{"kind:account", accounts},
		{"kind:post", allPosts},
		// Combinations.
		{`from:alice since:2024-01-01 has:media "exact phrase"`, []string{p9}},
		{"from:alice golang", []string{a1, p1, p2}},
		{"golang lang:de", []string{p10}},
		{"☕ from:bobm", []string{p4}},
		// OR: either alternative, and tighter than AND.
		{"generics OR münchen", []string{a2, p2, p3, p7}},
		{"中文 OR münchen OR tea", []string{a1, a2, p3, p6, p9}},
		{`"exact phrase" OR 中文`, []string{p6, p9}},
		{"golang OR nosuchword", []string{a1, p1, p2, p7, p10}},
		{"nosuchword OR alsonothing", nil},
		{"golang OR !", []string{a1, p1, p2, p7, p10}}, // punctuation alone is ignored here too
		{"#golang OR #café", []string{p1, p4}},
		{"#golang OR #nosuchtag", []string{p1}},
		{"@alice OR @nobody", []string{p4, p7}},
		{"from:alice OR from:bobm", []string{a1, a2, p1, p2, p3, p4, p9, p10}},
		{"from:alice OR from:bobm golang", []string{a1, p1, p2, p10}},
		{"golang generics OR fun", []string{p1, p2, p7}},
		{"golang OR tea -from:alice", []string{p7, p10}},
		{"golang OR münchen -kind:account", []string{p1, p2, p3, p7, p10}},
		{"golang OR münchen since:2024-01-01", []string{p1, p2, p3, p7}},
		{"-golang from:carol OR to:alice", []string{a3, p5, p6}},
		{"kind:account OR lang:ja", []string{a1, a2, a3, p5}},
		{"kind:account OR lang:ja 東京", []string{a3, p5}},
		{"lang:de OR lang:fr", []string{p3, p4, p10}},
		{"lang:de OR lang:fr golang", []string{p10}},
		{"has:media OR is:reply OR is:quote", []string{p4, p5, p8, p9}},
		{"platform:bluesky OR platform:mastodon -kind:account", []string{p3, p4, p8, p10}},
		{"from:nobody OR #nosuchtag", nil},
		// Mixed: a tag, a mention or a word, or a filter.
		{"#café OR from:carol", []string{a3, p4, p5, p6}},
		{"@alice OR to:alice", []string{p4, p5, p7}},
		{"münchen OR is:quote OR kind:account", []string{a1, a2, a3, p3, p8}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.q, SearchOptions{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := sorted(ids(res.Hits))
			if diff := cmp.Diff(sorted(tt.want), got, cmpNilEmpty); diff != "" {
				t.Errorf("Search(%q) (-want +got):\n%s", tt.q, diff)
			}
			if res.Total != uint64(len(tt.want)) {
				t.Errorf("Search(%q).Total = %d, want %d", tt.q, res.Total, len(tt.want))
			}
		})
	}
}

var cmpNilEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestSearchErrors(t *testing.T) {
	ix, _ := openCorpus(t)
	for _, q := range []string{"since:yesterday", "foo:bar", `"open`} {
		if _, err := ix.Search(context.Background(), q, SearchOptions{}); err == nil {
			t.Errorf("Search(%q): no error", q)
		}
	}
	if _, err := ix.Search(context.Background(), "golang", SearchOptions{Sort: "sideways"}); err == nil {
		t.Error("unknown sort: no error")
	}
	// Punctuation alone would have matched every document.
	for _, q := range []string{"#", " * ", "((", `\`, "@", "#!", "- #", "-#", `"?"`} {
		_, err := ix.Search(t.Context(), q, SearchOptions{})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "nothing to search for") ||
			pe.Token != strings.TrimSpace(q) || q[pe.Offset:pe.Offset+len(pe.Token)] != pe.Token {
			t.Errorf("Search(%q): %v (%#v), want a ParseError saying there is nothing to search for, at the query as written", q, err, pe)
		}
	}
	// Beside a word, punctuation is dropped; emoji are searched.
	for _, q := range []string{"golang #", "golang ((", "🎉"} {
		if _, err := ix.Search(t.Context(), q, SearchOptions{}); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
}

func TestSearchSort(t *testing.T) {
	ix, _ := openCorpus(t)
	ctx := context.Background()
	newest := []string{p9, p8, p7, p6, p5, p4, p3, p2, p1, p10}
	// scored is how many hits, first, score more than 0 (the rest score
	// 0); -1 leaves scores unchecked.
	tests := []struct {
		q      string
		sort   Sort
		want   []string
		scored int
	}{
		{"kind:post", SortNewest, newest, -1},
		{"kind:post", SortOldest, reversed(newest), -1},
		// Accounts without a creation time come last in both orders.
		{"kind:account", SortNewest, []string{a2, a1, a3}, -1},
		{"kind:account", SortOldest, []string{a1, a2, a3}, -1},
		{"golang", SortNewest, []string{p7, p2, p1, p10, a1}, -1},
		{"golang", SortOldest, []string{a1, p10, p1, p2, p7}, -1},
		// Filters do not score, so by relevance a query of filters alone
		// is newest first: from:, and also since: (whose days differ in
		// how many posts they hold) and has: (whose posts differ in how
		// many has: values they carry).
		{"from:alice", SortRelevance, []string{p9, p2, p1, a1}, 0},
		{"from:alice", "", []string{p9, p2, p1, a1}, 0},
		{"since:2024-03-01", SortRelevance, []string{p9, p8, p7, p6, p5}, 0},
		{"since:2024-01-01 until:2024-01-11", SortRelevance, []string{p2, p1}, 0},
		{"has:media", SortRelevance, []string{p9, p4}, 0},
		{"kind:post -has:media since:2024-01-01", SortRelevance, []string{p8, p7, p6, p5, p3, p2, p1}, 0},
		// OR: filters alone score 0 too; of a tag or a filter, the posts
		// of the filter alone score 0 and come after the tagged one.
		{"from:alice OR from:carol", SortRelevance, []string{p9, p6, p5, p2, p1, a1, a3}, 0},
		{"from:alice OR from:carol", SortNewest, []string{p9, p6, p5, p2, p1, a1, a3}, 0},
		{"from:alice OR from:carol", SortOldest, []string{a1, p1, p2, p5, p6, p9, a3}, 0},
		{"lang:de OR kind:account -from:carol", SortRelevance, []string{p3, p10, a2, a1}, 0},
		{"#café OR from:carol", SortRelevance, []string{p4, p6, p5, a3}, 1},
		{"#café OR from:carol", SortNewest, []string{p6, p5, p4, a3}, -1},
		{"#café OR from:carol", SortOldest, []string{p4, p5, p6, a3}, -1},
		{"generics OR münchen", SortNewest, []string{p7, p3, p2, a2}, -1},
		{"generics OR münchen", SortOldest, []string{a2, p2, p3, p7}, -1},
		{"#golang OR #café", SortNewest, []string{p4, p1}, -1},
		{"#golang OR #café", SortOldest, []string{p1, p4}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.q+"/"+string(tt.sort), func(t *testing.T) {
			res, err := ix.Search(ctx, tt.q, SearchOptions{Sort: tt.sort})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(res.Hits)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for i, h := range res.Hits {
				if tt.scored >= 0 && (i < tt.scored) != (h.Score > 0) {
					t.Errorf("hit %d, %s, scores %v; want the first %d alone to score more than 0", i, h.ID, h.Score, tt.scored)
				}
			}
		})
	}

	// Relevance: scores never increase; among equal scores, newer first.
	res, err := ix.Search(ctx, "golang generics great", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res2, err := ix.Search(ctx, "golang", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res3, err := ix.Search(ctx, "golang OR münchen OR tea", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Hits) != 8 || res3.Hits[len(res3.Hits)-1].Score <= 0 {
		t.Errorf("golang OR münchen OR tea: %d hits, the last scoring %v; want 8, all scoring", len(res3.Hits), res3.Hits[len(res3.Hits)-1].Score)
	}
	for _, r := range []*Result{res, res2, res3} {
		for i := 1; i < len(r.Hits); i++ {
			prev, cur := r.Hits[i-1], r.Hits[i]
			if cur.Score > prev.Score {
				t.Errorf("hit %d (%s) scores %v > hit %d (%s) %v", i, cur.ID, cur.Score, i-1, prev.ID, prev.Score)
			}
			if cur.Score == prev.Score && cur.Created.After(prev.Created) {
				t.Errorf("equal scores: %s (%v) after older %s (%v)", cur.ID, cur.Created, prev.ID, prev.Created)
			}
		}
	}
	// A post that says golang twice and is short ranks above one that
	// says it once in a longer text.
	if res2.Hits[0].ID != p1 && res2.Hits[0].ID != p10 {
		t.Errorf("golang: top hit %s, want p1 or p10 (short texts)", res2.Hits[0].ID)
	}
}

func TestSearchPaging(t *testing.T) {
	ix, _ := openCorpus(t)
	ctx := context.Background()
	all, err := ix.Search(ctx, "kind:post", SearchOptions{Sort: SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	for off := 0; off < 12; off += 3 {
		res, err := ix.Search(ctx, "kind:post", SearchOptions{Sort: SortNewest, Limit: 3, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 10 {
			t.Errorf("offset %d: total %d, want 10", off, res.Total)
		}
		if len(res.Hits) > 3 {
			t.Errorf("offset %d: %d hits, limit 3", off, len(res.Hits))
		}
		paged = append(paged, ids(res.Hits)...)
	}
	if diff := cmp.Diff(ids(all.Hits), paged); diff != "" {
		t.Errorf("pages differ from one search (-one +pages):\n%s", diff)
	}
	// ORs, by date and by relevance, the scored and the filters.
	for _, c := range []struct {
		q    string
		sort Sort
	}{
		{"from:alice OR from:carol", SortNewest}, {"from:alice OR from:carol", SortRelevance},
		{"golang OR münchen OR tea", SortRelevance}, {"golang OR münchen OR tea", SortOldest},
		{"#café OR from:carol OR from:alice", SortRelevance},
	} {
		all, err := ix.Search(ctx, c.q, SearchOptions{Sort: c.sort})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Hits) < 7 {
			t.Fatalf("%q/%s: %d hits, want 7 or more to page", c.q, c.sort, len(all.Hits))
		}
		var paged []string
		for off := 0; off < len(all.Hits); off += 3 {
			res, err := ix.Search(ctx, c.q, SearchOptions{Sort: c.sort, Limit: 3, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != all.Total || res.Total != uint64(len(all.Hits)) {
				t.Errorf("%q/%s offset %d: total %d, want %d", c.q, c.sort, off, res.Total, len(all.Hits))
			}
			paged = append(paged, ids(res.Hits)...)
		}
		if diff := cmp.Diff(ids(all.Hits), paged); diff != "" {
			t.Errorf("%q/%s: pages differ from one search (-one +pages):\n%s", c.q, c.sort, diff)
		}
	}
	// Defaults and limits.
	res, err := ix.Search(ctx, "", SearchOptions{Limit: 0})
	if err != nil || len(res.Hits) != len(allDocs) { // fewer than DefaultLimit
		t.Errorf("default limit: %d hits, err %v", len(res.Hits), err)
	}
	res, err = ix.Search(ctx, "", SearchOptions{Limit: 1_000_000, Offset: -5})
	if err != nil || len(res.Hits) != len(allDocs) {
		t.Errorf("huge limit, negative offset: %d hits, err %v", len(res.Hits), err)
	}
}

func TestSearchHits(t *testing.T) {
	ix, _ := openCorpus(t)
	ctx := context.Background()
	res, err := ix.Search(ctx, "#café", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Hit{{
		ID: p4, Kind: "post", Text: "Un petit #café avec @alice ☕", Author: "BobM",
		Created:    time.Date(2024, 2, 14, 9, 30, 0, 0, time.UTC),
		Highlights: []string{"Un petit #<mark>café</mark> avec @alice ☕"},
	}}
	if diff := cmp.Diff(want, res.Hits, cmpIgnoreScore); diff != "" {
		t.Errorf("#café (-want +got):\n%s", diff)
	}

	res, err = ix.Search(ctx, "kind:account from:alice", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = []Hit{{
		ID: a1, Kind: "account", Text: "Alice Liddell (@alice): Gopher, writes about golang and tea", Author: "alice",
		Created: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC),
	}}
	if diff := cmp.Diff(want, res.Hits, cmpIgnoreScore); diff != "" {
		t.Errorf("account (-want +got):\n%s", diff)
	}

	// Sub-second times survive.
	res, err = ix.Search(ctx, "from:alice has:media", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || !res.Hits[0].Created.Equal(day("2024-04-20T16:00:00.123Z")) {
		t.Errorf("p9 created: %+v", res.Hits)
	}
}

var cmpIgnoreScore = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Score" }, cmp.Ignore())

func TestSearchHighlights(t *testing.T) {
	ix, _ := openCorpus(t)
	ctx := context.Background()
	tests := []struct {
		q    string
		id   string
		want []string // each must appear in the highlights of id
	}{
		{"generics", p2, []string{"golang <mark>generics</mark> are great"}},
		{"GOLANG", p10, []string{"<mark>GOLANG</mark>"}},
		{"golang", p1, []string{"Learning <mark>golang</mark> today, #<mark>golang</mark> is fun"}},
		{`"exact phrase"`, p9, []string{"the <mark>exact</mark> <mark>phrase</mark> nobody"}},
		{"münchen", p3, []string{"Grüße aus <mark>München</mark>!"}},
		{"東京", p5, []string{"<mark>東京</mark>タワー"}},
		{"中文", p6, []string{"学习<mark>中文</mark>"}},
		{"☕", p4, []string{"<mark>☕</mark>"}},
		{"golang from:alice", a1, []string{"about <mark>golang</mark> and tea"}},
		// Tags and mentions are marked where the text has them.
		{"#golang", p1, []string{"#<mark>golang</mark> is fun"}},
		// ... and only there: the bare word is not the tag asked for,
		// unless the query asks for the word too.
		{"#golang", p1, []string{"Learning golang today, #<mark>golang</mark> is fun"}},
		{"#golang golang", p1, []string{"Learning <mark>golang</mark> today, #<mark>golang</mark> is fun"}},
		{"#café", p4, []string{"Un petit #<mark>café</mark> avec"}},
		{"@alice", p4, []string{"avec @<mark>alice</mark>"}},
		{"@ALICE", p7, []string{"RT @<mark>alice</mark>: golang"}},
		{"#café from:BobM", p4, []string{"#<mark>café</mark>"}},
		// Every alternative of an OR is marked where the text has it.
		{"generics OR münchen", p2, []string{"golang <mark>generics</mark> are great"}},
		{"generics OR münchen", p3, []string{"Grüße aus <mark>München</mark>!"}},
		{"golang OR generics", p2, []string{"<mark>golang</mark> <mark>generics</mark> are great"}},
		{`"exact phrase" OR tea`, p9, []string{"<mark>Tea</mark> time", "the <mark>exact</mark> <mark>phrase</mark> nobody"}},
		{"#golang OR #café", p1, []string{"Learning golang today, #<mark>golang</mark> is fun"}},
		{"#golang OR #café", p4, []string{"Un petit #<mark>café</mark> avec"}},
		{"@alice OR to:alice", p7, []string{"RT @<mark>alice</mark>: golang"}},
		{"from:bobm OR #café", p4, []string{"Un petit #<mark>café</mark> avec"}},
		{"from:carol OR golang", p10, []string{"<mark>GOLANG</mark>"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res, err := ix.Search(ctx, tt.q, SearchOptions{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(res.Hits, func(h Hit) bool { return h.ID == tt.id })
			if i < 0 {
				t.Fatalf("%s not found: %v", tt.id, ids(res.Hits))
			}
			hl := strings.Join(res.Hits[i].Highlights, " … ")
			for _, w := range tt.want {
				if !strings.Contains(hl, w) {
					t.Errorf("highlights of %s = %q, want them to contain %q", tt.id, hl, w)
				}
			}
		})
	}
	// No words, no highlights.
	res, err := ix.Search(ctx, "from:alice", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if len(h.Highlights) > 0 {
			t.Errorf("from:alice: %s has highlights %q", h.ID, h.Highlights)
		}
	}
	// A hit of an OR's filter alone has nothing marked.
	res, err = ix.Search(ctx, "from:carol OR golang", SearchOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if (h.ID == p5 || h.ID == p6) && len(h.Highlights) > 0 {
			t.Errorf("from:carol OR golang: %s has highlights %q", h.ID, h.Highlights)
		}
	}
	// A tag that the text does not have (a post's entities may hold what
	// its text lost to truncation): the post is found, with no highlight.
	src0 := newFakeSource(post("twitter", "51", "1", "alice", "2024-05-01T00:00:00Z", "en", "cut short…", func(p *schema.Post) {
		p.Hashtags = []string{"golang"}
	}))
	ix0, err := Open(t.TempDir()+"/i", src0)
	if err != nil {
		t.Fatal(err)
	}
	defer ix0.Close()
	for _, sort := range []Sort{SortRelevance, SortNewest} {
		res, err = ix0.Search(ctx, "#golang", SearchOptions{Sort: sort})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].Text != "cut short…" || len(res.Hits[0].Highlights) != 0 {
			t.Errorf("#golang by %s, in the entities only: %+v", sort, res.Hits)
		}
	}
	// Highlights are HTML: the text is escaped.
	src := newFakeSource(post("twitter", "50", "1", "alice", "2024-05-01T00:00:00Z", "en", "<b>bold</b> & golang", nil))
	ix2, err := Open(t.TempDir()+"/i", src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	res, err = ix2.Search(ctx, "golang", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || len(res.Hits[0].Highlights) != 1 || res.Hits[0].Highlights[0] != "&lt;b&gt;bold&lt;/b&gt; &amp; <mark>golang</mark>" {
		t.Errorf("escaped highlight: %+v", res.Hits)
	}
}

func TestCountByKind(t *testing.T) {
	ix, _ := openCorpus(t)
	got, err := ix.CountByKind()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]uint64{"post": 10, "account": 3}, got); diff != "" {
		t.Errorf("CountByKind (-want +got):\n%s", diff)
	}
	n, err := ix.DocCount()
	if err != nil || n != 13 {
		t.Errorf("DocCount = %d, %v; want 13", n, err)
	}
}

// since: and until: are term ranges over the year, month and day fields;
// check them against the creation times at every kind of boundary: the
// first and last day of a month and of a year, a leap day, and the days
// before and after the corpus.
func TestSinceUntilBoundaries(t *testing.T) {
	var nodes []schema.Node
	created := map[string]time.Time{}
	start := time.Date(2019, 12, 30, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 420; i++ {
		// Every third day over about 3.5 years, at varying times of day.
		at := start.AddDate(0, 0, 3*i).Add(time.Duration(i%24)*time.Hour + 59*time.Minute)
		n := post("twitter", fmt.Sprint(i+1), "1", "alice", at.Format(time.RFC3339), "en", "post", nil)
		nodes = append(nodes, n)
		created[n.ID] = at
	}
	ix, err := Open(t.TempDir()+"/index.bleve", newFakeSource(nodes...))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	days := []string{"2019-01-01", "2019-12-31", "2020-01-01", "2020-01-02", "2020-02-28", "2020-02-29",
		"2020-03-01", "2020-12-31", "2021-01-01", "2021-06-15", "2021-06-30", "2021-07-01",
		"2022-11-30", "2022-12-01", "2023-06-01", "2024-01-01"}
	for _, d := range days {
		day, _ := time.Parse("2006-01-02", d)
		for _, q := range []string{"since:" + d, "until:" + d, "since:" + d + " until:2022-03-15", "kind:post -since:" + d} {
			var want []string
			for id, at := range created {
				after := !at.Before(day)
				switch {
				case strings.HasPrefix(q, "since:") && strings.Contains(q, "until:"):
					if after && at.Before(time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)) {
						want = append(want, id)
					}
				case strings.HasPrefix(q, "since:"):
					if after {
						want = append(want, id)
					}
				default: // until:, and -since:
					if !after {
						want = append(want, id)
					}
				}
			}
			res, err := ix.Search(context.Background(), q, SearchOptions{Limit: MaxLimit})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if diff := cmp.Diff(sorted(want), sorted(ids(res.Hits))); diff != "" || res.Total != uint64(len(want)) {
				t.Errorf("%s: total %d, want %d (-want +got):\n%s", q, res.Total, len(want), diff)
			}
		}
	}
}

// TestNewestIsOldestBackwards checks that posts created at the same time
// come in one order newest first and in the reverse order oldest first,
// on every path a page by date may take (one sorted search, windows of
// time, the kept dates, filters alone), page by page.
func TestNewestIsOldestBackwards(t *testing.T) {
	var nodes []schema.Node
	base := day("2024-05-01T00:00:00Z")
	for i := range 30 {
		created := base.Add(time.Duration(i/3) * time.Hour).Format(time.RFC3339) // three posts a time
		nodes = append(nodes, post("twitter", fmt.Sprint(100+i), fmt.Sprint(i%2), fmt.Sprintf("u%d", i%2), created, "en",
			fmt.Sprintf("golang tie %d", i), nil))
	}
	src := newFakeSource(nodes...)
	ix, err := Open(t.TempDir()+"/index.bleve", src)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	pages := func(q string, sort Sort) []string {
		t.Helper()
		var out []string
		for offset := 0; offset < 40; offset += 7 {
			res, err := ix.Search(t.Context(), q, SearchOptions{Sort: sort, Limit: 7, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ids(res.Hits)...)
		}
		return out
	}
	check := func(how string) {
		t.Helper()
		for _, q := range []string{"kind:post", "golang", "from:u1", "kind:post since:2024-05-01 until:2024-05-02"} {
			newest, oldest := pages(q, SortNewest), pages(q, SortOldest)
			if len(newest) == 0 || !slices.Equal(newest, reversed(oldest)) {
				t.Errorf("%s, %q: newest %v\nis not oldest backwards %v", how, q, newest, oldest)
			}
			ref, _ := Parse(q)
			_, one, err := ix.findPage(t.Context(), ref, ref.compile(ix.analyzer), SortNewest, 40, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range one {
				want = append(want, h.ID)
			}
			if !slices.Equal(newest, want) {
				t.Errorf("%s, %q: newest page by page %v\none sorted search %v", how, q, newest, want)
			}
		}
	}
	check("without kept dates")
	ix.KeepDates()
	datesRead(t, ix)
	check("with kept dates")
}
