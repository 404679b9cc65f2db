package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/api"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/schema"
)

// imported is a pod holding one import of @owner (20 followers, 10
// followings, 60 tweets, likes), served by an API without a token.
func imported(t *testing.T) (*pod, *client) {
	t.Helper()
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	importDirect(t, p, srv, "likes", "true", "followings-tweets", "2")
	return p, newClient(t, p, api.Config{})
}

func TestHealth(t *testing.T) {
	_, c := imported(t)
	var h api.Health
	if code := c.get("/v1/health", &h); code != http.StatusOK || h != (api.Health{Status: "ok"}) {
		t.Errorf("health: %d %+v", code, h)
	}
}

func TestSearchIsTheCLIsJSON(t *testing.T) {
	p, c := imported(t)
	q := "from:owner -is:reply"
	code, body := c.do(http.MethodGet, "/v1/search?sort=newest&limit=5&q="+url.QueryEscape(q), "", nil)
	if code != http.StatusOK {
		t.Fatalf("search: %d %s", code, body)
	}
	// The CLI's `search --json` encodes the index's Result, indented.
	want, err := p.index.Search(context.Background(), q, index.SearchOptions{Limit: 5, Sort: index.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	var wantJSON bytes.Buffer
	enc := json.NewEncoder(&wantJSON)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantJSON.String(), string(body)); diff != "" {
		t.Errorf("search JSON differs from the CLI's (-cli +api):\n%s", diff)
	}

	var res index.Result
	c.decode("search", body, &res)
	if res.Total < 30 || len(res.Hits) != 5 {
		t.Fatalf("from:owner -is:reply: total %d, %d hits", res.Total, len(res.Hits))
	}
	for i, h := range res.Hits {
		if h.Author != "owner" || h.Kind != "post" {
			t.Errorf("hit %d: %+v", i, h)
		}
		if i > 0 && h.Created.After(res.Hits[i-1].Created) {
			t.Errorf("sort=newest: hit %d is newer than hit %d", i, i-1)
		}
	}

	// Paging: offset 5 continues where the first page ended.
	var page2, both index.Result
	c.get("/v1/search?sort=newest&limit=5&offset=5&q="+url.QueryEscape(q), &page2)
	c.get("/v1/search?sort=newest&limit=10&q="+url.QueryEscape(q), &both)
	if len(both.Hits) != 10 || len(page2.Hits) != 5 || page2.Hits[0].ID != both.Hits[5].ID {
		t.Errorf("offset=5 does not continue the first page")
	}

	// Words highlight; kind: and phrases work as on the command line.
	var acc index.Result
	if code := c.get("/v1/search?q="+url.QueryEscape("kind:account"), &acc); code != http.StatusOK || acc.Total == 0 || acc.Hits[0].Kind != "account" {
		t.Errorf("kind:account: %d, %+v", code, acc)
	}
	word := strings.Fields(res.Hits[0].Text)[0]
	var words index.Result
	c.get("/v1/search?q="+url.QueryEscape(word), &words)
	if words.Total == 0 {
		t.Errorf("search %q found nothing", word)
	}
	// Highlights as written, not escaped for HTML.
	if _, body := c.do(http.MethodGet, "/v1/search?q="+url.QueryEscape(word), "", nil); !bytes.Contains(body, []byte("<mark>")) {
		t.Errorf("search %q: no <mark> in the answer:\n%.300s", word, body)
	}
}

func TestSearchRejectsBadParameters(t *testing.T) {
	_, c := imported(t)
	for _, tc := range []struct{ query, want string }{
		{"q=" + url.QueryEscape("nosuch:thing"), "unknown operator"},
		{"q=" + url.QueryEscape(`"unterminated`), "unterminated quote"},
		{"q=" + url.QueryEscape("hello OR"), "OR at the end of the query"},
		{"q=x&limit=0", "limit"},
		{"q=x&limit=1001", "limit"},
		{"q=x&limit=ten", "limit"},
		{"q=x&offset=-1", "offset"},
		{"q=x&offset=10001", "offset"},
		{"q=x&sort=sideways", "sort"},
	} {
		code, body := c.do(http.MethodGet, "/v1/search?"+tc.query, "", nil)
		if msg := errorOf(t, body); code != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
			t.Errorf("search?%s: %d %s, want 400 naming %q", tc.query, code, body, tc.want)
		}
	}
	var perr struct {
		Token  string `json:"token"`
		Offset *int   `json:"offset"`
	}
	c.get("/v1/search?q="+url.QueryEscape("hello nosuch:thing"), &perr)
	if perr.Token != "nosuch:thing" || perr.Offset == nil {
		t.Errorf("a query's syntax error should locate the token: %+v", perr)
	}
	perr.Offset = nil
	c.get("/v1/search?q="+url.QueryEscape("hello OR -bye"), &perr)
	if perr.Token != "-bye" || perr.Offset == nil || *perr.Offset != 9 {
		t.Errorf("an excluded alternative of OR should be located: %+v", perr)
	}
}

func TestNodesByIDAndHandle(t *testing.T) {
	p, c := imported(t)
	owner, err := p.store.NodeByHandle("twitter", "owner")
	if err != nil {
		t.Fatal(err)
	}
	var res index.Result
	c.get("/v1/search?limit=1&q=from:owner", &res)
	if len(res.Hits) != 1 {
		t.Fatal("no post of @owner")
	}
	postID := res.Hits[0].ID

	for _, tc := range []struct{ path, wantID string }{
		{"/v1/nodes/" + postID, postID},                                 // colons as they are
		{"/v1/nodes/" + strings.ReplaceAll(postID, ":", "%3A"), postID}, // or escaped
		{"/v1/nodes/" + owner.ID, owner.ID},                             // twitter:account:…
		{"/v1/nodes/@owner", owner.ID},                                  // a Twitter handle
		{"/v1/nodes/@OWNER", owner.ID},                                  // in any case
		{"/v1/nodes/@owner@twitter", owner.ID},                          // with its platform
		{"/v1/nodes/" + url.PathEscape("@owner@twitter"), owner.ID},     // escaped
		{"/v1/nodes/twitter:post:" + strings.Split(postID, ":")[2], postID},
	} {
		var n schema.Node
		if code := c.get(tc.path, &n); code != http.StatusOK || n.ID != tc.wantID {
			t.Errorf("GET %s: %d, node %q, want %q", tc.path, code, n.ID, tc.wantID)
		}
	}

	// The node is show --json's "node": the stored node with its raw JSON.
	want, _ := p.store.Node(postID)
	wantJSON, _ := json.Marshal(want)
	var wantAny, gotAny any
	_ = json.Unmarshal(wantJSON, &wantAny)
	_, body := c.do(http.MethodGet, "/v1/nodes/"+postID, "", nil)
	c.decode("node", body, &gotAny)
	if diff := cmp.Diff(wantAny, gotAny); diff != "" {
		t.Errorf("node JSON (-store +api):\n%s", diff)
	}
	var got schema.Node
	c.decode("node", body, &got)
	if len(got.Raw) == 0 || got.Post == nil {
		t.Errorf("node %s lacks its post or raw JSON", postID)
	}

	// Ids of links hold a url: slashes and '?' are percent-encoded.
	var link schema.Node
	err = p.store.ForEachNode(func(n schema.Node) error {
		if n.Kind == schema.KindLink && strings.Contains(n.ID, "/") && link.ID == "" {
			link = n
		}
		return nil
	})
	if err != nil || link.ID == "" {
		t.Fatalf("no link node in the store (%v)", err)
	}
	var n schema.Node
	if code := c.get("/v1/nodes/"+url.PathEscape(link.ID), &n); code != http.StatusOK || n.ID != link.ID {
		t.Errorf("link %s: %d, %q", link.ID, code, n.ID)
	}
	// Not encoded: a JSON error that says what to do, not the mux's
	// redirect to a path with "//" made "/".
	code, body := c.do(http.MethodGet, "/v1/nodes/"+link.ID, "", nil)
	if msg := errorOf(t, body); code != http.StatusBadRequest || !strings.Contains(msg, "not percent-encoded") {
		t.Errorf("GET /v1/nodes/%s unencoded: %d %s, want 400 saying to percent-encode", link.ID, code, body)
	}

	for _, path := range []string{"/v1/nodes/twitter:post:1", "/v1/nodes/@nobody_here", "/v1/nodes/@owner@mastodon"} {
		code, body := c.do(http.MethodGet, path, "", nil)
		if msg := errorOf(t, body); code != http.StatusNotFound || !strings.Contains(msg, "no ") {
			t.Errorf("GET %s: %d %s, want 404", path, code, body)
		}
	}
}

func TestEdgesFilterByKindAndDirection(t *testing.T) {
	p, c := imported(t)
	owner, _ := p.store.NodeByHandle("twitter", "owner")

	var all api.Edges
	if code := c.get("/v1/nodes/@owner/edges", &all); code != http.StatusOK {
		t.Fatalf("edges: %d", code)
	}
	wantOut, _ := p.store.Edges(owner.ID, schema.Out, "")
	wantIn, _ := p.store.Edges(owner.ID, schema.In, "")
	if all.ID != owner.ID || len(all.Out) != len(wantOut) || len(all.In) != len(wantIn) {
		t.Errorf("dir=both: %s, %d out, %d in; want %s, %d, %d", all.ID, len(all.Out), len(all.In), owner.ID, len(wantOut), len(wantIn))
	}
	count := func(es []schema.Edge, k schema.EdgeKind) int {
		n := 0
		for _, e := range es {
			if e.Kind == k {
				n++
			}
		}
		return n
	}
	if count(all.In, schema.EdgeFollows) != 20 || count(all.Out, schema.EdgeFollows) != 10 || count(all.Out, schema.EdgeLikes) == 0 {
		t.Errorf("@owner: %d followers, %d followings, %d likes", count(all.In, schema.EdgeFollows), count(all.Out, schema.EdgeFollows), count(all.Out, schema.EdgeLikes))
	}

	var out api.Edges
	c.get("/v1/nodes/"+owner.ID+"/edges?kind=follows&dir=out", &out)
	if len(out.Out) != 10 || out.In != nil || count(out.Out, schema.EdgeFollows) != 10 {
		t.Errorf("kind=follows&dir=out: %d out (%d follows), in %v", len(out.Out), count(out.Out, schema.EdgeFollows), out.In)
	}
	for _, e := range out.Out {
		if e.From != owner.ID {
			t.Errorf("out edge %s does not start at the owner", e.Key())
		}
	}

	// A direction asked for is a list even when empty; one not asked for
	// is absent.
	code, body := c.do(http.MethodGet, "/v1/nodes/@owner/edges?kind=authored&dir=in", "", nil)
	var raw map[string]json.RawMessage
	c.decode("edges", body, &raw)
	if code != http.StatusOK || string(raw["in"]) != "[]" || raw["out"] != nil {
		t.Errorf("kind=authored&dir=in: %d %s", code, body)
	}

	for _, tc := range []struct {
		path string
		code int
	}{
		{"/v1/nodes/@owner/edges?kind=befriends", http.StatusBadRequest},
		{"/v1/nodes/@owner/edges?dir=up", http.StatusBadRequest},
		{"/v1/nodes/twitter:account:1/edges", http.StatusNotFound},
	} {
		code, body := c.do(http.MethodGet, tc.path, "", nil)
		if errorOf(t, body); code != tc.code {
			t.Errorf("GET %s: %d %s, want %d", tc.path, code, body, tc.code)
		}
	}
}

// TestHistory follows an account's counts over two runs: a point per
// run, oldest first, as the store keeps them.
func TestHistory(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	first := importDirect(t, p, srv)
	srv.World().AddFollowers(5)
	srv.World().AddTweets(srv.World().Owner().IDStr, 3)
	second := importDirect(t, p, srv)
	c := newClient(t, p, api.Config{})

	var h api.History
	if code := c.get("/v1/nodes/@owner/history", &h); code != http.StatusOK {
		t.Fatalf("history: %d", code)
	}
	owner, _ := p.store.NodeByHandle("twitter", "owner")
	if h.ID != owner.ID || len(h.Points) != 2 || h.Points[0].Run != first.ID || h.Points[1].Run != second.ID {
		t.Fatalf("history of %s: %+v", owner.ID, h)
	}
	val := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	if f0, f1 := val(h.Points[0].Followers), val(h.Points[1].Followers); f0 != 20 || f1 != 25 {
		t.Errorf("followers %d then %d, want 20 then 25", f0, f1)
	}
	if p0, p1 := val(h.Points[0].Posts), val(h.Points[1].Posts); p1 != p0+3 {
		t.Errorf("posts %d then %d, want 3 more", p0, p1)
	}

	// A post has no history: an empty list. An unknown node is a 404.
	var res index.Result
	if c.get("/v1/search?limit=1&q=from:owner", &res); len(res.Hits) != 1 {
		t.Fatal("no post of @owner")
	}
	code, body := c.do(http.MethodGet, "/v1/nodes/"+res.Hits[0].ID+"/history", "", nil)
	var raw map[string]json.RawMessage
	c.decode("history", body, &raw)
	if code != http.StatusOK || string(raw["history"]) != "[]" {
		t.Errorf("history of a post: %d %s", code, body)
	}
	if code, body := c.do(http.MethodGet, "/v1/nodes/twitter:account:1/history", "", nil); code != http.StatusNotFound {
		t.Errorf("history of an unknown node: %d %s", code, body)
	}
}

func TestStatsIsTheCLIsJSON(t *testing.T) {
	p, c := imported(t)
	var got api.StatsReport
	if code := c.get("/v1/stats", &got); code != http.StatusOK {
		t.Fatalf("stats: %d", code)
	}
	st, _ := p.store.Stats()
	docs, _ := p.index.DocCount()
	runs, _ := p.store.Runs(5)
	if diff := cmp.Diff(st.Nodes, got.Nodes); diff != "" {
		t.Errorf("nodes (-store +api):\n%s", diff)
	}
	if diff := cmp.Diff(st.Edges, got.Edges); diff != "" {
		t.Errorf("edges (-store +api):\n%s", diff)
	}
	if got.IndexDocs != docs || docs == 0 || len(got.Runs) != len(runs) || got.Runs[0].Status != "done" || len(got.Cursors) == 0 {
		t.Errorf("stats: %d docs (index %d), runs %+v, %d cursors", got.IndexDocs, docs, got.Runs, len(got.Cursors))
	}
	// The keys of `podimport stats --json`.
	var raw map[string]json.RawMessage
	_, body := c.do(http.MethodGet, "/v1/stats", "", nil)
	c.decode("stats", body, &raw)
	for _, k := range []string{"nodes", "refs", "edges", "ended_edges", "changes", "index_watermark", "file_bytes", "index_docs", "cursors", "runs"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("stats lacks %q", k)
		}
	}
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	_, c := imported(t)
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/v1/nothing", http.StatusNotFound},
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodPost, "/v1/search", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/v1/imports", http.StatusMethodNotAllowed},
		{http.MethodGet, "/v1/imports/seven", http.StatusBadRequest},
		{http.MethodGet, "/v1/imports/999", http.StatusNotFound},
	} {
		code, body := c.do(tc.method, tc.path, "", nil)
		if errorOf(t, body); code != tc.code {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, code, body, tc.code)
		}
	}
}

// A client that mistypes a route is told every route there is.
func TestUnknownRouteListsTheRoutes(t *testing.T) {
	_, c := imported(t)
	code, body := c.do(http.MethodGet, "/v1/nothing", "", nil)
	msg := errorOf(t, body)
	for _, route := range []string{"/v1/health", "/v1/search", "/v1/nodes/{id}", "/v1/nodes/{id}/edges", "/v1/nodes/{id}/history", "/v1/stats", "/v1/imports"} {
		if code != http.StatusNotFound || !strings.Contains(msg, route+",") && !strings.HasSuffix(msg, route) {
			t.Errorf("GET /v1/nothing: %d %q, want 404 naming %s", code, msg, route)
		}
	}
}

// A path without a node id is not an id that needs percent-encoding.
func TestNodeWithoutAnIDSaysSo(t *testing.T) {
	_, c := imported(t)
	for _, path := range []string{"/v1/nodes/", "/v1/nodes//edges", "/v1/nodes//history"} {
		code, body := c.do(http.MethodGet, path, "", nil)
		if msg := errorOf(t, body); code != http.StatusNotFound || !strings.Contains(msg, "no node id") || strings.Contains(msg, "percent-encoded") {
			t.Errorf("GET %s: %d %s, want 404 saying the node id is missing", path, code, body)
		}
	}
}

func TestToken(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	importDirect(t, p, srv)

	open := newClient(t, p, api.Config{})
	if code, body := open.do(http.MethodGet, "/v1/health", "", nil); code != http.StatusOK {
		t.Errorf("no token configured, on loopback: %d %s", code, body)
	}
	// Without a token only loopback names are answered (DNS rebinding).
	if code, body := open.do(http.MethodGet, "/v1/health", "", nil, "Host", "evil.example:8080"); code != http.StatusForbidden {
		t.Errorf("Host evil.example without a token: %d %s, want 403", code, body)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1", "[::1]:80"} {
		if code, body := open.do(http.MethodGet, "/v1/health", "", nil, "Host", host); code != http.StatusOK {
			t.Errorf("Host %s: %d %s", host, code, body)
		}
	}

	const token = "s3cret-token-0123456789abcdef"
	locked := newClient(t, p, api.Config{Token: token})
	locked.token = ""
	for _, tc := range []struct {
		name, auth string
		code       int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", "Bearer nope", http.StatusUnauthorized},
		{"prefix", "Bearer " + token[:10], http.StatusUnauthorized},
		{"basic", "Basic " + token, http.StatusUnauthorized},
		{"right", "Bearer " + token, http.StatusOK},
		{"right, any case", "bearer " + token, http.StatusOK},
	} {
		for _, path := range []string{"/v1/health", "/v1/stats", "/v1/search?q=x", "/v1/nodes/@owner"} {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			code, body := locked.do(http.MethodGet, path, "", nil, hdr...)
			if code != tc.code {
				t.Errorf("%s token, GET %s: %d %s, want %d", tc.name, path, code, body, tc.code)
			}
			if code == http.StatusUnauthorized && !strings.Contains(errorOf(t, body), "token") {
				t.Errorf("401 without a word on the token: %s", body)
			}
		}
	}
	// Imports need the token too.
	if code, _ := locked.do(http.MethodPost, "/v1/imports", "application/json", strings.NewReader(`{"plugin":"twitter"}`)); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/imports without the token: %d", code)
	}
	// With a token, any Host is fine (the token is the check).
	if code, _ := locked.do(http.MethodGet, "/v1/health", "", nil, "Authorization", "Bearer "+token, "Host", "pod.example:8080"); code != http.StatusOK {
		t.Errorf("right token, Host pod.example: %d", code)
	}
	if strings.Contains(locked.log.String(), token) {
		t.Errorf("the token was logged")
	}
}
