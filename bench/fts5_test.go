package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// corpusHash sums everything generated about the posts.
func corpusHash(c *corpus) uint64 {
	h := fnv.New64a()
	for _, p := range c.Posts {
		io.WriteString(h, strings.Join([]string{
			p.Text, c.handle(p.Author), p.Created.String(), c.Langs[p.Lang].Code,
			strings.Join(p.Tags, ","), strings.Join(p.URLs, ","),
		}, "\x00"))
		for _, m := range p.Mentions {
			io.WriteString(h, c.handle(m))
		}
		io.WriteString(h, string(rune(p.ReplyTo+1)))
	}
	return h.Sum64()
}

func TestCorpusDeterministic(t *testing.T) {
	a, b := newCorpus(2000, 1), newCorpus(2000, 1)
	if corpusHash(a) != corpusHash(b) {
		t.Fatal("two corpora of the same seed differ")
	}
	if corpusHash(newCorpus(2000, 2)) == corpusHash(a) {
		t.Fatal("seeds 1 and 2 give the same corpus")
	}
	// The vocabulary does not depend on the number of posts, so queries
	// made from it mean the same at any size.
	if !slices.Equal(newCorpus(500, 1).Langs[0].Words, a.Langs[0].Words) {
		t.Fatal("the vocabulary depends on the number of posts")
	}
}

func TestCorpusProperties(t *testing.T) {
	const n = 20000
	c := newCorpus(n, 1)
	if len(c.Posts) != n {
		t.Fatalf("%d posts, want %d", len(c.Posts), n)
	}

	first, last := c.Posts[0].Created, c.Posts[n-1].Created
	if span := last.Sub(first); span < 9*365*24*time.Hour || span > 10*366*24*time.Hour {
		t.Errorf("dates span %s to %s, want about 10 years", first, last)
	}

	var replies, tagged, mentions, links, authors int
	langs := map[string]int{}
	perAuthor := map[int32]int{}
	ids := map[uint64]bool{}
	for i, p := range c.Posts {
		if r := utf8.RuneCountInString(p.Text); r > maxPostRunes || r == 0 {
			t.Fatalf("post %d has %d characters: %q", i, r, p.Text)
		}
		if ids[p.ID] {
			t.Fatalf("post %d: id %d twice", i, p.ID)
		}
		ids[p.ID] = true
		langs[c.Langs[p.Lang].Code]++
		perAuthor[p.Author]++
		if p.ReplyTo >= 0 {
			replies++
			if int(p.ReplyTo) >= i || !strings.HasPrefix(p.Text, "@"+c.handle(c.Posts[p.ReplyTo].Author)+" ") {
				t.Fatalf("post %d replies to %d but reads %q", i, p.ReplyTo, p.Text)
			}
		}
		if len(p.Tags) > 0 {
			tagged++
		}
		for _, tag := range p.Tags {
			if !strings.Contains(strings.ToLower(p.Text), "#"+tag) {
				t.Fatalf("post %d: hashtag %q is not in its text %q", i, tag, p.Text)
			}
		}
		if len(p.Mentions) > 0 {
			mentions++
		}
		for _, m := range p.Mentions {
			if !strings.Contains(p.Text, "@"+c.handle(m)) {
				t.Fatalf("post %d: mention of %q is not in its text %q", i, c.handle(m), p.Text)
			}
		}
		if len(p.URLs) > 0 {
			links++
			if !strings.Contains(p.Text, p.URLs[0]) {
				t.Fatalf("post %d: link %q is not in its text", i, p.URLs[0])
			}
		}
	}
	authors = len(perAuthor)
	share := func(k int) float64 { return float64(k) / n }
	for what, s := range map[string]float64{"replies": share(replies), "hashtags": share(tagged), "mentions": share(mentions), "links": share(links)} {
		if s < 0.1 || s > 0.6 {
			t.Errorf("%s in %.0f%% of posts", what, 100*s)
		}
	}
	if len(langs) < 6 {
		t.Errorf("languages %v, want at least 6", langs)
	}
	for l, k := range langs {
		if share(k) < 0.03 {
			t.Errorf("language %s in only %d posts", l, k)
		}
	}
	if authors < 50 {
		t.Errorf("%d authors", authors)
	}
	// Zipf activity: the busiest author writes far more than the median.
	counts := slices.Sorted(func(yield func(int) bool) {
		for _, k := range perAuthor {
			if !yield(k) {
				return
			}
		}
	})
	if busiest, median := counts[len(counts)-1], counts[len(counts)/2]; busiest < 10*median {
		t.Errorf("busiest author %d posts, median %d: not Zipf", busiest, median)
	}

	// Vocabularies of tens of thousands of words, distinct even after
	// folding case and diacritics, as FTS5 does.
	folded := map[string]bool{}
	for _, l := range c.Langs {
		if len(l.Words) < 20000 {
			t.Errorf("%s: %d words", l.Code, len(l.Words))
		}
		for _, w := range l.Words {
			if folded[fold(w)] {
				t.Fatalf("%s: %q folds like another word", l.Code, w)
			}
			folded[fold(w)] = true
		}
	}
	// Zipf words: the most common English word is in far more posts than
	// the median word that occurs at all.
	var dfs []int32
	for _, df := range c.enDF {
		if df > 0 {
			dfs = append(dfs, df)
		}
	}
	slices.Sort(dfs)
	if top, median := dfs[len(dfs)-1], dfs[len(dfs)/2]; top < 100*median || c.enDF[0] != top {
		t.Errorf("English words: most common in %d posts (rank 0 in %d), median %d", top, c.enDF[0], median)
	}
	if len(dfs) < 5000 {
		t.Errorf("only %d distinct English words used", len(dfs))
	}
}

// TestFTS5EndToEnd runs the whole comparison on a small corpus and checks
// that both engines find the same posts wherever their tokenizers agree.
func TestFTS5EndToEnd(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 is not installed (scripts/bench-fts5.sh or CI's .ci/run install it): skipping the FTS5 comparison")
	}
	// One after the other, and from several goroutines at once (pages
	// committed together, maybe out of order).
	for _, appliers := range []int{1, 4} {
		t.Run(fmt.Sprint("appliers=", appliers), func(t *testing.T) {
			var out strings.Builder
			rep, err := runFTS5(context.Background(), fts5Options{
				Posts: 3000, Dir: t.TempDir(), Runs: 2, Seed: 1, Page: 200, Appliers: appliers, NoSync: true, Out: &out,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + out.String())
			if len(rep.Results) != 20 {
				t.Fatalf("%d queries, want 20", len(rep.Results))
			}
			mustFind := map[string]bool{"rare word": true, "hashtag": true, "from:": true, "@mention": true, "phrase, 2 words": true}
			for _, r := range rep.Results {
				if r.Agree && r.PodHits != r.FTSHits {
					t.Errorf("%s: podimport %q finds %d, FTS5 %q finds %d", r.Label, r.Pod, r.PodHits, r.Match+" "+r.Where, r.FTSHits)
				}
				if mustFind[r.Label] && r.PodHits == 0 {
					t.Errorf("%s: %q finds nothing", r.Label, r.Pod)
				}
				if len(r.PodLat) != 2 || len(r.FTSLat) != 2 {
					t.Errorf("%s: %d and %d timed runs, want 2", r.Label, len(r.PodLat), len(r.FTSLat))
				}
			}
			for _, want := range []string{"posts/s", "ratio podimport/FTS5", "all queries", "bytes per post"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			if rep.PodImport <= 0 || rep.FTSLoad <= 0 || rep.PodReindex <= 0 || rep.StoreBytes == 0 || rep.IdxBytes == 0 || rep.FTSBytes == 0 {
				t.Errorf("missing figures: %+v", rep)
			}
		})
	}
}
