package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/podimport/podimport/schema"
)

// sampleBatch: alice (complete) authored a post mentioning bob (a ref);
// carol follows alice.
func sampleBatch() schema.Batch {
	alice := account("1", "Alice")
	alice.Account.FollowersCount = i64(10)
	p := post("100", alice.ID, "hello @bob")
	return schema.Batch{
		Nodes: []schema.Node{alice, p, refAccount("2", "bob"), refAccount("3", "carol")},
		Edges: []schema.Edge{
			{From: alice.ID, Kind: schema.EdgeAuthored, To: p.ID},
			{From: p.ID, Kind: schema.EdgeMentions, To: accountID("2")},
			{From: accountID("3"), Kind: schema.EdgeFollows, To: alice.ID},
		},
		Cursors: []schema.CursorUpdate{{Stream: "timeline", Value: `{"since_id":"100"}`}, {Stream: "likes", Value: "7"}},
	}
}

func TestApplyThenRead(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	now := c.Now()
	b := sampleBatch()

	applied := mustApply(t, s, 0, b)
	if d := cmp.Diff(Applied{Nodes: 4, Edges: 3}, applied); d != "" {
		t.Errorf("Applied (-want +got):\n%s", d)
	}

	// A node comes back as written, raw JSON by source included.
	got, err := s.Node(accountID("1"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(b.Nodes[0], got); d != "" {
		t.Errorf("Node (-want +got):\n%s", d)
	}
	if _, err := s.Node(accountID("999")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Node(missing) = %v, want ErrNotFound", err)
	}

	// Nodes: order kept, missing skipped, no raw.
	nodes, err := s.Nodes([]string{postID("100"), "twitter:post:missing", accountID("1")})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{postID("100"), accountID("1")}, ids(nodes)); d != "" {
		t.Errorf("Nodes ids (-want +got):\n%s", d)
	}
	for _, n := range nodes {
		if n.Raw != nil {
			t.Errorf("Nodes returned raw JSON for %s", n.ID)
		}
	}

	// Handles: case-insensitive, refs included.
	for _, h := range []string{"alice", "ALICE", "@Alice"} {
		n, err := s.NodeByHandle("twitter", h)
		if err != nil || n.ID != accountID("1") || n.Raw == nil {
			t.Errorf("NodeByHandle(%q) = %s, raw %v, %v", h, n.ID, n.Raw != nil, err)
		}
	}
	if n, err := s.NodeByHandle("twitter", "Bob"); err != nil || n.ID != accountID("2") {
		t.Errorf("NodeByHandle(Bob) = %s, %v", n.ID, err)
	}
	if _, err := s.NodeByHandle("mastodon", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("NodeByHandle(other platform) = %v, want ErrNotFound", err)
	}

	for id, want := range map[string]bool{accountID("1"): true, postID("100"): true, accountID("2"): false, "twitter:post:nope": false} {
		if got, err := s.HasComplete(id); err != nil || got != want {
			t.Errorf("HasComplete(%s) = %v, %v; want %v", id, got, err, want)
		}
	}

	// Edges in both directions; zero times became the store's clock.
	edgeCases := []struct {
		id   string
		dir  schema.Direction
		kind schema.EdgeKind
		want []schema.Edge
	}{
		{accountID("1"), schema.Out, "", []schema.Edge{{From: accountID("1"), Kind: schema.EdgeAuthored, To: postID("100"), FirstSeen: now, LastSeen: now}}},
		{accountID("1"), schema.In, "", []schema.Edge{{From: accountID("3"), Kind: schema.EdgeFollows, To: accountID("1"), FirstSeen: now, LastSeen: now}}},
		{accountID("1"), schema.In, schema.EdgeFollows, []schema.Edge{{From: accountID("3"), Kind: schema.EdgeFollows, To: accountID("1"), FirstSeen: now, LastSeen: now}}},
		{accountID("1"), schema.In, schema.EdgeMentions, nil},
		{postID("100"), schema.In, schema.EdgeAuthored, []schema.Edge{{From: accountID("1"), Kind: schema.EdgeAuthored, To: postID("100"), FirstSeen: now, LastSeen: now}}},
		{postID("100"), schema.Out, "", []schema.Edge{{From: postID("100"), Kind: schema.EdgeMentions, To: accountID("2"), FirstSeen: now, LastSeen: now}}},
		{accountID("2"), schema.In, "", []schema.Edge{{From: postID("100"), Kind: schema.EdgeMentions, To: accountID("2"), FirstSeen: now, LastSeen: now}}},
		{accountID("2"), schema.Out, "", nil},
	}
	for _, tc := range edgeCases {
		got, err := s.Edges(tc.id, tc.dir, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("Edges(%s, %s, %q) (-want +got):\n%s", tc.id, tc.dir, tc.kind, d)
		}
	}
	if _, err := s.Edges(accountID("1"), "sideways", ""); err == nil {
		t.Error("Edges with a bad direction: no error")
	}

	// Cursors.
	if v, err := s.Cursor("twitter", "alice", "timeline"); err != nil || v != `{"since_id":"100"}` {
		t.Errorf("Cursor = %q, %v", v, err)
	}
	if v, err := s.Cursor("twitter", "bob", "timeline"); err != nil || v != "" {
		t.Errorf("Cursor(other account) = %q, %v", v, err)
	}
	cursors, err := s.Cursors()
	if err != nil {
		t.Fatal(err)
	}
	wantCursors := []CursorEntry{
		{Plugin: "twitter", Account: "alice", Stream: "likes", Value: "7"},
		{Plugin: "twitter", Account: "alice", Stream: "timeline", Value: `{"since_id":"100"}`},
	}
	if d := cmp.Diff(wantCursors, cursors); d != "" {
		t.Errorf("Cursors (-want +got):\n%s", d)
	}

	// Counters.
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	wantStats := Stats{
		Nodes:   map[schema.Kind]int{schema.KindAccount: 1, schema.KindPost: 1},
		Refs:    map[schema.Kind]int{schema.KindAccount: 2},
		Edges:   map[schema.EdgeKind]int{schema.EdgeAuthored: 1, schema.EdgeMentions: 1, schema.EdgeFollows: 1},
		Changes: 4,
	}
	if d := cmp.Diff(wantStats, st, cmpopts.IgnoreFields(Stats{}, "FileBytes")); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
	if st.FileBytes <= 0 {
		t.Errorf("Stats.FileBytes = %d", st.FileBytes)
	}

	// An empty value deletes a cursor.
	mustApply(t, s, 0, schema.Batch{Cursors: []schema.CursorUpdate{{Stream: "likes"}}})
	if v, _ := s.Cursor("twitter", "alice", "likes"); v != "" {
		t.Errorf("cursor after delete = %q", v)
	}
}

func ids(nodes []schema.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.ID)
	}
	return out
}

func TestApplyIsIdempotent(t *testing.T) {
	s := openTest(t, newClock())
	b := sampleBatch()
	first := mustApply(t, s, 1, b)
	if first == (Applied{}) {
		t.Fatal("first Apply changed nothing")
	}
	last, _ := s.LastChange()
	stats, _ := s.Stats()

	if got := mustApply(t, s, 1, b); got != (Applied{}) {
		t.Errorf("second Apply = %+v, want all zeros", got)
	}
	if got, _ := s.LastChange(); got != last {
		t.Errorf("LastChange after second Apply = %d, want %d", got, last)
	}
	if got, _ := s.Stats(); !cmp.Equal(stats, got) {
		t.Errorf("Stats changed: %s", cmp.Diff(stats, got))
	}
	// The same node twice in one batch is one change.
	if got := mustApply(t, s, 1, schema.Batch{Nodes: []schema.Node{b.Nodes[0], b.Nodes[0]}}); got != (Applied{}) {
		t.Errorf("duplicate nodes Apply = %+v", got)
	}
}

func TestMergeThroughStore(t *testing.T) {
	created := time.Date(2023, 2, 24, 6, 58, 32, 0, time.UTC)
	id := postID("1629012888185610242")
	api := schema.Node{ID: id, Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter"},
		Post: &schema.Post{Text: "hi", Created: created, Author: accountID("1"), LikeCount: i64(7), Lang: "en"},
		Raw:  map[string]json.RawMessage{"twitter": json.RawMessage(`{"a":1}`)}}
	archive := schema.Node{ID: id, Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter-archive"},
		Post: &schema.Post{Text: "hi", Created: created, Author: accountID("1"), SourceApp: "Web"},
		Raw:  map[string]json.RawMessage{"twitter-archive": json.RawMessage(`{"b":2}`)}}
	union := schema.Node{ID: id, Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter", "twitter-archive"},
		Post: &schema.Post{Text: "hi", Created: created, Author: accountID("1"), LikeCount: i64(7), Lang: "en", SourceApp: "Web"},
		Raw: map[string]json.RawMessage{"twitter": json.RawMessage(`{"a":1}`),
			"twitter-archive": json.RawMessage(`{"b":2}`)}}
	alice := account("1", "alice")
	aliceRef := refAccount("1", "alice_old")
	aliceRef.Account.Location = "Berlin"
	aliceMerged := alice
	aliceMerged.Account = &schema.Account{Handle: "alice", DisplayName: "alice display", Location: "Berlin"}

	type step struct {
		n    schema.Node
		want Applied
	}
	cases := []struct {
		name      string
		steps     []step
		want      schema.Node
		wantStats Stats
	}{
		{
			name:  "api then archive gives the union",
			steps: []step{{api, Applied{Nodes: 1}}, {archive, Applied{Nodes: 1}}},
			want:  union,
			wantStats: Stats{Nodes: map[schema.Kind]int{schema.KindPost: 1}, Refs: map[schema.Kind]int{},
				Edges: map[schema.EdgeKind]int{}, Changes: 2},
		},
		{
			name:  "ref after complete stays complete and only fills gaps",
			steps: []step{{alice, Applied{Nodes: 1}}, {aliceRef, Applied{Nodes: 1}}, {refAccount("1", ""), Applied{}}},
			want:  aliceMerged,
			wantStats: Stats{Nodes: map[schema.Kind]int{schema.KindAccount: 1}, Refs: map[schema.Kind]int{},
				Edges: map[schema.EdgeKind]int{}, Changes: 2},
		},
		{
			name:  "ref then complete moves the count from refs to nodes",
			steps: []step{{refAccount("1", "alice"), Applied{Nodes: 1}}, {alice, Applied{Nodes: 1}}},
			want:  alice,
			wantStats: Stats{Nodes: map[schema.Kind]int{schema.KindAccount: 1}, Refs: map[schema.Kind]int{},
				Edges: map[schema.EdgeKind]int{}, Changes: 2},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, newClock())
			for i, st := range tc.steps {
				if got := mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{st.n}}); got != st.want {
					t.Errorf("step %d: Applied = %+v, want %+v", i, got, st.want)
				}
			}
			got, err := s.Node(tc.want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("stored node (-want +got):\n%s", d)
			}
			stats, _ := s.Stats()
			if d := cmp.Diff(tc.wantStats, stats, cmpopts.IgnoreFields(Stats{}, "FileBytes")); d != "" {
				t.Errorf("Stats (-want +got):\n%s", d)
			}
		})
	}
}

func TestRefInStatsBeforeComplete(t *testing.T) {
	s := openTest(t, newClock())
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{refAccount("1", "alice")}})
	st, _ := s.Stats()
	if st.Refs[schema.KindAccount] != 1 || st.Nodes[schema.KindAccount] != 0 {
		t.Fatalf("after ref: Refs %v Nodes %v", st.Refs, st.Nodes)
	}
	if ok, _ := s.HasComplete(accountID("1")); ok {
		t.Error("HasComplete(ref) = true")
	}
}

func TestInvalidBatchWritesNothing(t *testing.T) {
	good := account("1", "alice")
	noAuthor := post("100", "", "x")
	withNul := good
	withNul.ID = "twitter:account:1\x00x"
	badRaw := account("2", "bob")
	badRaw.Raw = map[string]json.RawMessage{"twitter": json.RawMessage(`{"truncated`)}
	cases := []struct {
		name     string
		b        schema.Batch
		plugin   string
		wantText string
	}{
		{"post without author", schema.Batch{Nodes: []schema.Node{good, noAuthor}}, "twitter", `post "twitter:post:100": no author`},
		{"edge to an unknown node", schema.Batch{Nodes: []schema.Node{good},
			Edges: []schema.Edge{{From: good.ID, Kind: schema.EdgeFollows, To: accountID("9")}}}, "twitter", `"twitter:account:9" is neither`},
		{"unknown edge kind", schema.Batch{Nodes: []schema.Node{good},
			Edges: []schema.Edge{{From: good.ID, Kind: "blocks", To: good.ID}}}, "twitter", `unknown kind "blocks"`},
		{"zero byte in id", schema.Batch{Nodes: []schema.Node{good, withNul}}, "twitter", "zero byte"},
		{"raw that is not JSON", schema.Batch{Nodes: []schema.Node{good, badRaw}}, "twitter", `node "twitter:account:2": raw JSON of source "twitter" is not valid JSON`},
		{"cursor without plugin", schema.Batch{Nodes: []schema.Node{good}}, "", "need a plugin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, newClock())
			tc.b.Cursors = append(tc.b.Cursors, schema.CursorUpdate{Stream: "timeline", Value: "100"})
			_, err := s.Apply(1, tc.plugin, "alice", tc.b)
			if !errors.Is(err, schema.ErrInvalid) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("Apply = %v, want ErrInvalid naming %q", err, tc.wantText)
			}
			if _, err := s.Node(good.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("valid node of the rejected batch was written: %v", err)
			}
			if v, _ := s.Cursor(tc.plugin, "alice", "timeline"); v != "" {
				t.Errorf("cursor advanced to %q by a rejected batch", v)
			}
			if seq, _ := s.LastChange(); seq != 0 {
				t.Errorf("LastChange = %d after a rejected batch", seq)
			}
			if hs, _ := s.History(good.ID); len(hs) != 0 {
				t.Errorf("history written by a rejected batch: %v", hs)
			}
		})
	}
}

func TestEdgeTimesSweepAndReopen(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	alice, bob, carol, dave := account("1", "alice"), refAccount("2", "bob"), refAccount("3", "carol"), refAccount("4", "dave")
	follows := func(from schema.Node) schema.Edge {
		return schema.Edge{From: from.ID, Kind: schema.EdgeFollows, To: alice.ID}
	}
	sweep := func(since time.Time) schema.Sweep {
		return schema.Sweep{Anchor: alice.ID, Kind: schema.EdgeFollows, Dir: schema.In, Since: since}
	}

	// Run 1: bob and carol follow alice; alice follows dave (an Out edge
	// of the same kind at the same anchor, which an In sweep must not end).
	t1 := c.Now()
	mustApply(t, s, 1, schema.Batch{
		Nodes:  []schema.Node{alice, bob, carol, dave},
		Edges:  []schema.Edge{follows(bob), follows(carol), {From: alice.ID, Kind: schema.EdgeFollows, To: dave.ID}},
		Sweeps: []schema.Sweep{sweep(t1)},
	})

	// Run 2: only bob is still there. The same edge with an explicit
	// earlier FirstSeen lowers first_seen.
	t2 := c.Advance(time.Hour)
	early := t1.Add(-24 * time.Hour)
	got := mustApply(t, s, 2, schema.Batch{
		Edges:  []schema.Edge{{From: bob.ID, Kind: schema.EdgeFollows, To: alice.ID, FirstSeen: early}},
		Sweeps: []schema.Sweep{sweep(t2)},
	})
	if want := (Applied{Edges: 1, Ended: 1}); got != want {
		t.Errorf("run 2 Applied = %+v, want %+v", got, want)
	}
	wantIn := []schema.Edge{
		{From: bob.ID, Kind: schema.EdgeFollows, To: alice.ID, FirstSeen: early, LastSeen: t2},
		{From: carol.ID, Kind: schema.EdgeFollows, To: alice.ID, FirstSeen: t1, LastSeen: t1, Ended: t2},
	}
	in, err := s.Edges(alice.ID, schema.In, schema.EdgeFollows)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(wantIn, in); d != "" {
		t.Errorf("followers after run 2 (-want +got):\n%s", d)
	}
	out, _ := s.Edges(alice.ID, schema.Out, schema.EdgeFollows)
	if len(out) != 1 || !out[0].Ended.IsZero() {
		t.Errorf("In sweep touched an Out edge: %+v", out)
	}
	st, _ := s.Stats()
	if st.EndedEdges != 1 || st.Edges[schema.EdgeFollows] != 3 {
		t.Errorf("Stats after sweep: ended %d, follows %d; want 1, 3", st.EndedEdges, st.Edges[schema.EdgeFollows])
	}

	// Sweeping again ends nothing new (already ended, or seen since).
	if got := mustApply(t, s, 2, schema.Batch{Sweeps: []schema.Sweep{sweep(t2)}}); got != (Applied{}) {
		t.Errorf("repeated sweep Applied = %+v", got)
	}

	// Run 3: carol is back, so her edge reopens; an Out sweep ends dave.
	t3 := c.Advance(time.Hour)
	mustApply(t, s, 3, schema.Batch{
		Edges:  []schema.Edge{follows(bob), follows(carol)},
		Sweeps: []schema.Sweep{sweep(t3), {Anchor: alice.ID, Kind: schema.EdgeFollows, Dir: schema.Out, Since: t3}},
	})
	wantIn = []schema.Edge{
		{From: bob.ID, Kind: schema.EdgeFollows, To: alice.ID, FirstSeen: early, LastSeen: t3},
		{From: carol.ID, Kind: schema.EdgeFollows, To: alice.ID, FirstSeen: t1, LastSeen: t3},
	}
	in, _ = s.Edges(alice.ID, schema.In, schema.EdgeFollows)
	if d := cmp.Diff(wantIn, in); d != "" {
		t.Errorf("followers after run 3 (-want +got):\n%s", d)
	}
	out, _ = s.Edges(alice.ID, schema.Out, "")
	if len(out) != 1 || !out[0].Ended.Equal(t3) {
		t.Errorf("Out sweep: %+v, want dave ended at %v", out, t3)
	}
	st, _ = s.Stats()
	if st.EndedEdges != 1 {
		t.Errorf("EndedEdges = %d, want 1 (carol reopened, dave ended)", st.EndedEdges)
	}
}

func TestEdgeTimesFromBatch(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	a, b := account("1", "a"), refAccount("2", "")
	archiveDate := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{a, b},
		Edges: []schema.Edge{{From: a.ID, Kind: schema.EdgeFollows, To: b.ID, LastSeen: archiveDate}}})
	e, _ := s.Edges(a.ID, schema.Out, "")
	// Only LastSeen given: FirstSeen cannot be later than it. Times in UTC.
	want := []schema.Edge{{From: a.ID, Kind: schema.EdgeFollows, To: b.ID, FirstSeen: archiveDate.UTC(), LastSeen: archiveDate.UTC()}}
	if d := cmp.Diff(want, e); d != "" {
		t.Errorf("edge (-want +got):\n%s", d)
	}
	// The same instant in another zone changes nothing.
	got := mustApply(t, s, 0, schema.Batch{Edges: []schema.Edge{{From: a.ID, Kind: schema.EdgeFollows, To: b.ID, FirstSeen: archiveDate.UTC(), LastSeen: archiveDate}}})
	if got != (Applied{}) {
		t.Errorf("same instant, other zone: Applied = %+v", got)
	}
}

func TestHistory(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	withCounts := func(followers, posts *int64) schema.Node {
		n := account("1", "alice")
		n.Account.FollowersCount, n.Account.PostCount = followers, posts
		return n
	}
	t1 := c.Now()
	mustApply(t, s, 1, schema.Batch{Nodes: []schema.Node{withCounts(i64(10), i64(5))}})
	// The same run again: one point, overwritten; a count it lacks keeps
	// its earlier value.
	mustApply(t, s, 1, schema.Batch{Nodes: []schema.Node{withCounts(i64(11), nil)}})
	t2 := c.Advance(time.Hour)
	mustApply(t, s, 2, schema.Batch{Nodes: []schema.Node{withCounts(i64(12), i64(6))}})
	// A ref with counts, or an account without counts, adds no point.
	ref := refAccount("1", "alice")
	ref.Account.FollowersCount = i64(99)
	mustApply(t, s, 3, schema.Batch{Nodes: []schema.Node{ref, account("1", "alice")}})

	got, err := s.History(accountID("1"))
	if err != nil {
		t.Fatal(err)
	}
	want := []HistoryPoint{
		{Run: 1, At: t1, Followers: i64(11), Posts: i64(5)},
		{Run: 2, At: t2, Followers: i64(12), Posts: i64(6)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("History (-want +got):\n%s", d)
	}
	if h, _ := s.History(accountID("11")); len(h) != 0 {
		t.Errorf("History of another account whose id extends this one: %v", h)
	}
}

func TestHandleIndex(t *testing.T) {
	s := openTest(t, newClock())
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{account("1", "alice")}})
	// Renamed: the old handle no longer finds the account.
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{account("1", "alice2")}})
	if _, err := s.NodeByHandle("twitter", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old handle: %v, want ErrNotFound", err)
	}
	if n, err := s.NodeByHandle("twitter", "Alice2"); err != nil || n.ID != accountID("1") {
		t.Errorf("new handle: %s, %v", n.ID, err)
	}
	// A mention with a stale handle does not take it from a complete
	// account that has it now.
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{refAccount("7", "alice2")}})
	if n, _ := s.NodeByHandle("twitter", "alice2"); n.ID != accountID("1") {
		t.Errorf("a ref took the handle: %s", n.ID)
	}
	// Someone else takes the freed handle; later writes follow.
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{account("8", "alice")}})
	if n, _ := s.NodeByHandle("twitter", "alice"); n.ID != accountID("8") {
		t.Errorf("freed handle: %s", n.ID)
	}
}

func TestChangesAndWatermark(t *testing.T) {
	s := openTest(t, newClock())
	a := account("1", "alice")
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{a, post("1", a.ID, "one")}})
	a.Account.Bio = "new bio"
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{a, post("2", a.ID, "two")}})

	all := []Change{{1, a.ID}, {2, postID("1")}, {3, a.ID}, {4, postID("2")}}
	cases := []struct {
		after uint64
		limit int
		want  []Change
	}{
		{0, 0, all},
		{0, 100, all},
		{1, 2, all[1:3]},
		{3, 0, all[3:]},
		{4, 10, nil},
		{^uint64(0), 10, nil},
	}
	for _, tc := range cases {
		got, err := s.Changes(tc.after, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("Changes(%d, %d) (-want +got):\n%s", tc.after, tc.limit, d)
		}
	}
	if last, _ := s.LastChange(); last != 4 {
		t.Errorf("LastChange = %d, want 4", last)
	}

	if w, _ := s.IndexWatermark(); w != 0 {
		t.Errorf("initial watermark = %d", w)
	}
	if err := s.SetIndexWatermark(3); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.IndexWatermark(); w != 3 {
		t.Errorf("watermark = %d, want 3", w)
	}
	if st, _ := s.Stats(); st.IndexWatermark != 3 || st.Changes != 4 {
		t.Errorf("Stats watermark %d changes %d", st.IndexWatermark, st.Changes)
	}
	if err := s.SetIndexWatermark(5); err == nil {
		t.Error("watermark past the last change accepted")
	}
}

func TestRuns(t *testing.T) {
	c := newClock()
	s := openTest(t, c)
	r1, err := s.BeginRun("twitter", "alice")
	if err != nil {
		t.Fatal(err)
	}
	want1 := Run{ID: 1, Plugin: "twitter", Account: "alice", Started: c.Now(), Status: StatusRunning}
	if d := cmp.Diff(want1, r1); d != "" {
		t.Errorf("BeginRun (-want +got):\n%s", d)
	}
	c.Advance(time.Minute)
	r2, _ := s.BeginRun("twitter-archive", "alice")
	end := c.Advance(time.Minute)
	r1.Status, r1.Written, r1.Requests = StatusDone, 42, map[string]int{"statuses/user_timeline": 3}
	if err := s.EndRun(r1); err != nil {
		t.Fatal(err)
	}
	got, err := s.RunByID(1)
	if err != nil {
		t.Fatal(err)
	}
	want1.Status, want1.Written, want1.Requests, want1.Ended = StatusDone, 42, r1.Requests, end
	if d := cmp.Diff(want1, got); d != "" {
		t.Errorf("RunByID after EndRun (-want +got):\n%s", d)
	}
	runs, _ := s.Runs(0)
	if d := cmp.Diff([]uint64{r2.ID, r1.ID}, []uint64{runs[0].ID, runs[1].ID}); d != "" || len(runs) != 2 {
		t.Errorf("Runs newest first: %s", d)
	}
	if runs, _ := s.Runs(1); len(runs) != 1 || runs[0].ID != r2.ID {
		t.Errorf("Runs(1) = %+v", runs)
	}
	if _, err := s.RunByID(9); !errors.Is(err, ErrNotFound) {
		t.Errorf("RunByID(9) = %v", err)
	}
	if err := s.EndRun(Run{ID: 9, Status: StatusDone}); !errors.Is(err, ErrNotFound) {
		t.Errorf("EndRun(9) = %v", err)
	}
}

func TestForEachCrossesChunks(t *testing.T) {
	s := openTest(t, newClock())
	a := account("1", "alice")
	n := 2*iterChunk + 7
	b := schema.Batch{Nodes: []schema.Node{a}}
	for i := range n {
		// Ids that are prefixes of one another ("1", "10", "100") test
		// that a node's raw scan stops at its own keys.
		p := post(strconv.Itoa(i), a.ID, "x")
		b.Nodes = append(b.Nodes, p)
		b.Edges = append(b.Edges, schema.Edge{From: a.ID, Kind: schema.EdgeAuthored, To: p.ID})
	}
	mustApply(t, s, 0, b)

	var nodes []string
	if err := s.ForEachNode(func(n schema.Node) error {
		_, _, native, _ := schema.ParseID(n.ID)
		if want := `{"id_str":"` + native; len(n.Raw) != 1 || !strings.HasPrefix(string(n.Raw["twitter"]), want) {
			t.Errorf("ForEachNode: %s has raw %s, want one source starting %s", n.ID, n.Raw, want)
		}
		nodes = append(nodes, n.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(nodes) != n+1 || !slicesSorted(nodes) {
		t.Errorf("ForEachNode: %d nodes, sorted %v; want %d sorted", len(nodes), slicesSorted(nodes), n+1)
	}
	// The same nodes without their raw JSON, each equal to what Node reads.
	var bare []string
	if err := s.ForEachNodeWithoutRaw(func(n schema.Node) error {
		if n.Raw != nil {
			t.Errorf("ForEachNodeWithoutRaw: %s has raw %s", n.ID, n.Raw)
		}
		want, err := s.Node(n.ID)
		if err != nil {
			return err
		}
		want.Raw = nil
		if diff := cmp.Diff(want, n); diff != "" {
			t.Errorf("ForEachNodeWithoutRaw: %s differs from Node (-want +got):\n%s", n.ID, diff)
		}
		bare = append(bare, n.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bare, nodes) {
		t.Errorf("ForEachNodeWithoutRaw: %d nodes, want the %d of ForEachNode in the same order", len(bare), len(nodes))
	}
	var edges []string
	if err := s.ForEachEdge(func(e schema.Edge) error { edges = append(edges, e.Key()); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(edges) != n || !slicesSorted(edges) {
		t.Errorf("ForEachEdge: %d edges, sorted %v", len(edges), slicesSorted(edges))
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.ForEachNode(func(schema.Node) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("ForEachNode stop: %v after %d calls", err, calls)
	}
}

func slicesSorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	s, err := Open(dir, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, 0, sampleBatch())
	want, _ := s.Stats()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.Stats()
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(Stats{}, "FileBytes")); d != "" {
		t.Errorf("Stats after reopen (-before +after):\n%s", d)
	}
	if v, _ := s.Cursor("twitter", "alice", "timeline"); v == "" {
		t.Error("cursor lost on reopen")
	}
	if _, err := s.Node(postID("100")); err != nil {
		t.Error(err)
	}
}

func TestClosedStoreErrors(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.Node(accountID("1")); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Node on a closed store = %v", err)
	}
	if _, err := s.Apply(0, "twitter", "alice", sampleBatch()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Apply on a closed store = %v", err)
	}
}

// An ended edge reopens when it is seen at or after its end, not when a
// late-arriving observation from before the end comes in.
func TestEndedEdgeReopensOnlyWhenSeenAfterEnd(t *testing.T) {
	cases := []struct {
		name       string
		seen       time.Duration // relative to the end
		wantEnded  bool
		wantLastAt time.Duration // relative to the end
	}{
		{"seen before the end", -time.Second, true, -time.Second},
		{"seen at the end", 0, false, 0},
		{"seen after the end", time.Hour, false, time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			s := openTest(t, c)
			a, b := account("1", "a"), refAccount("2", "")
			start := c.Now()
			mustApply(t, s, 1, schema.Batch{Nodes: []schema.Node{a, b},
				Edges: []schema.Edge{{From: b.ID, Kind: schema.EdgeFollows, To: a.ID, FirstSeen: start.Add(-time.Hour), LastSeen: start.Add(-time.Hour)}}})
			end := start
			mustApply(t, s, 2, schema.Batch{Sweeps: []schema.Sweep{{Anchor: a.ID, Kind: schema.EdgeFollows, Dir: schema.In, Since: end}}})
			seen := end.Add(tc.seen)
			mustApply(t, s, 3, schema.Batch{Edges: []schema.Edge{{From: b.ID, Kind: schema.EdgeFollows, To: a.ID, FirstSeen: seen, LastSeen: seen}}})
			e, _ := s.Edges(a.ID, schema.In, schema.EdgeFollows)
			want := schema.Edge{From: b.ID, Kind: schema.EdgeFollows, To: a.ID, FirstSeen: start.Add(-time.Hour), LastSeen: end.Add(tc.wantLastAt)}
			if tc.wantEnded {
				want.Ended = end
			}
			if d := cmp.Diff([]schema.Edge{want}, e); d != "" {
				t.Errorf("edge (-want +got):\n%s", d)
			}
		})
	}
}

// A write bbolt refuses mid-batch (here a key over bbolt's 32 KiB limit)
// rolls the whole batch back, cursor included, and says so.
func TestFailedWriteCommitsNothing(t *testing.T) {
	s := openTest(t, newClock())
	long := schema.ID("twitter", schema.KindLink, "https://example.com/"+strings.Repeat("a", 40000))
	b := schema.Batch{
		Nodes: []schema.Node{account("1", "alice"),
			{ID: long, Kind: schema.KindLink, Platform: "twitter", Link: &schema.Link{URL: "https://example.com/"}}},
		Cursors: []schema.CursorUpdate{{Stream: "timeline", Value: "100"}},
	}
	_, err := s.Apply(1, "twitter", "alice", b)
	if err == nil || !strings.Contains(err.Error(), "nothing from this batch was committed") {
		t.Fatalf("Apply = %v, want a write error saying nothing was committed", err)
	}
	if _, err := s.Node(accountID("1")); !errors.Is(err, ErrNotFound) {
		t.Errorf("node before the failed write was committed: %v", err)
	}
	if v, _ := s.Cursor("twitter", "alice", "timeline"); v != "" {
		t.Errorf("cursor advanced to %q", v)
	}
	if seq, _ := s.LastChange(); seq != 0 {
		t.Errorf("LastChange = %d", seq)
	}
}
