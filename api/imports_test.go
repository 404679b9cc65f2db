package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/api"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/plugins/twitter/twittertest"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// importBody asks for an import of @owner from srv; options add to or
// replace the defaults. Credentials come from the server's environment.
func importBody(srv *twittertest.Server, options map[string]any) map[string]any {
	opts := map[string]any{"api-base": srv.BaseURL(), "followings-tweets": 0}
	for k, v := range options {
		opts[k] = v
	}
	return map[string]any{"plugin": "twitter", "account": srv.World().Owner().ScreenName, "options": opts}
}

func TestImportThroughTheAPI(t *testing.T) {
	srv := fakeTwitter(t, twittertest.WorldConfig{Seed: 5, Followers: 30, Followings: 12, OwnTweets: 250, TweetsPerFollowing: 4, Likes: 15})
	p := openPod(t, t.TempDir())
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})

	// Numbers and booleans as JSON types, named like the CLI's flags.
	body := importBody(srv, map[string]any{"followings-tweets": 2, "likes": true})
	code, out := c.do(http.MethodPost, "/v1/imports", "application/json", strings.NewReader(mustJSON(t, body)))
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/imports: %d %s", code, out)
	}
	var started api.Import
	c.decode("post", out, &started)
	if started.ID == 0 || started.Status != "running" || !started.Active || started.Plugin != "twitter" || started.Account != "owner" {
		t.Errorf("POST answer: %+v", started)
	}

	imp := c.waitImport(started.ID)
	if imp.Status != "done" || imp.Error != "" || imp.Counts.Written == 0 || imp.Counts.Requests == 0 ||
		imp.Counts.Endpoints["statuses/user_timeline"] == 0 || imp.Progress == nil || imp.Ended.IsZero() {
		t.Fatalf("finished import: %+v", imp)
	}
	rec, err := p.store.RunByID(started.ID)
	if err != nil || rec.Status != "done" || rec.Written != imp.Counts.Written {
		t.Errorf("run record %+v (%v); API says %+v", rec, err, imp)
	}

	// The list has it, newest first.
	var list api.Imports
	if code := c.get("/v1/imports", &list); code != http.StatusOK || len(list.Imports) != 1 || list.Imports[0].ID != started.ID || list.Imports[0].Status != "done" {
		t.Errorf("GET /v1/imports: %d %+v", code, list)
	}

	// Search finds what it imported, at once.
	var res index.Result
	c.get("/v1/search?limit=1&q="+url.QueryEscape("from:owner"), &res)
	if res.Total < 250 {
		t.Errorf("from:owner after the import: %d hits, want at least 250", res.Total)
	}
	var likes api.Edges
	c.get("/v1/nodes/@owner/edges?kind=likes&dir=out", &likes)
	if len(likes.Out) != 15 {
		t.Errorf("%d likes imported, want 15 (likes: true)", len(likes.Out))
	}

	// A second import is incremental and allowed now the first is done.
	srv.World().AddTweets(srv.World().Owner().IDStr, 7)
	var again api.Import
	if code := c.post("/v1/imports", body, &again); code != http.StatusAccepted {
		t.Fatalf("second import: %d", code)
	}
	if done := c.waitImport(again.ID); done.Status != "done" || again.ID <= started.ID {
		t.Errorf("second import: %+v", done)
	}
	c.get("/v1/search?limit=1&q="+url.QueryEscape("from:owner"), &res)
	if res.Total < 257 {
		t.Errorf("from:owner after the second import: %d hits, want 7 more", res.Total)
	}
	c.get("/v1/imports?limit=1", &list)
	if len(list.Imports) != 1 || list.Imports[0].ID != again.ID {
		t.Errorf("GET /v1/imports?limit=1: %+v", list)
	}
}

func TestSecondImportOfTheSameAccountIsRefused(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})
	srv.SetLatency(100 * time.Millisecond) // the first import takes seconds

	var first api.Import
	if code := c.post("/v1/imports", importBody(srv, nil), &first); code != http.StatusAccepted {
		t.Fatalf("first import: %d", code)
	}
	var busy struct {
		Error string `json:"error"`
		ID    uint64 `json:"id"`
	}
	// The same account, even written differently.
	body := importBody(srv, nil)
	body["account"] = "@Owner"
	if code := c.post("/v1/imports", body, &busy); code != http.StatusConflict || busy.ID != first.ID || !strings.Contains(busy.Error, "already running") {
		t.Errorf("second import of @owner: %d %+v, want 409 naming run %d", code, busy, first.ID)
	}
	// And named by no account: the token's owner, which is the same one.
	body = importBody(srv, nil)
	delete(body, "account")
	busy.Error, busy.ID = "", 0
	if code := c.post("/v1/imports", body, &busy); code != http.StatusConflict || busy.ID != first.ID || !strings.Contains(busy.Error, "already running") {
		t.Errorf("second import, of the token's owner: %d %+v, want 409 naming run %d", code, busy, first.ID)
	}
	var h api.Health
	if c.get("/v1/health", &h); h.RunningImports != 1 {
		t.Errorf("health during the import: %+v", h)
	}
	var list api.Imports
	c.get("/v1/imports", &list)
	if len(list.Imports) != 1 || !list.Imports[0].Active || list.Imports[0].Status != "running" {
		t.Errorf("GET /v1/imports during the import: %+v", list)
	}

	srv.SetLatency(0)
	if imp := c.waitImport(first.ID); imp.Status != "done" {
		t.Fatalf("first import: %+v", imp)
	}
	var next api.Import
	if code := c.post("/v1/imports", importBody(srv, nil), &next); code != http.StatusAccepted {
		t.Errorf("import after the first finished: %d", code)
	}
	c.waitImport(next.ID)
}

// Imports that name no account are all "me" until each has asked the
// platform for the token's owner: one that finds the owner busy must not
// make the others answer for "me", a run 0 that does not exist.
func TestConcurrentImportsOfTheTokensOwnerNameTheBusyRun(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})
	srv.SetLatency(100 * time.Millisecond) // the first import takes seconds

	var first api.Import
	if code := c.post("/v1/imports", importBody(srv, nil), &first); code != http.StatusAccepted {
		t.Fatalf("first import: %d", code)
	}
	body := importBody(srv, nil)
	delete(body, "account")
	b := mustJSON(t, body)

	type answer struct {
		code int
		body string
	}
	const n = 4
	answers := make(chan answer, n)
	for range n {
		go func() {
			res, err := c.srv.Client().Post(c.srv.URL+"/v1/imports", "application/json", strings.NewReader(b))
			if err != nil {
				answers <- answer{body: err.Error()}
				return
			}
			defer res.Body.Close()
			var out strings.Builder
			_, _ = io.Copy(&out, res.Body)
			answers <- answer{res.StatusCode, out.String()}
		}()
	}
	owner := srv.World().Owner().ScreenName
	for range n {
		a := <-answers
		var busy struct {
			Error string `json:"error"`
			ID    uint64 `json:"id"`
		}
		_ = json.Unmarshal([]byte(a.body), &busy)
		if a.code != http.StatusConflict || busy.ID != first.ID || !strings.Contains(busy.Error, "twitter "+owner+" is already running") {
			t.Errorf("import of the token's owner while run %d imports @%s: %d %s", first.ID, owner, a.code, a.body)
		}
	}
	srv.SetLatency(0)
	c.waitImport(first.ID)
}

func TestImportNoWaitStopsAtASpentWindow(t *testing.T) {
	srv := fakeTwitter(t, twittertest.WorldConfig{Seed: 6, Followers: 3, Followings: 3, OwnTweets: 450})
	p := openPod(t, t.TempDir())
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})
	srv.SetRemaining("statuses/user_timeline", 1)
	var imp api.Import
	if code := c.post("/v1/imports", importBody(srv, map[string]any{"no-wait": true}), &imp); code != http.StatusAccepted {
		t.Fatalf("import: %d", code)
	}
	if imp = c.waitImport(imp.ID); imp.Status != "rate_limited" || !strings.Contains(imp.Error, "rate limit") {
		t.Errorf("import with no-wait and a spent window: %+v", imp)
	}
}

func TestImportRequestErrors(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	env := credentialsEnv(srv)
	c := newClient(t, p, api.Config{Env: func(k string) string {
		if k == "TWITTER_ACCESS_SECRET" {
			return "" // one credential missing from the environment
		}
		return env(k)
	}})
	secret := srv.Credentials().TokenSecret
	withSecret := func(opts map[string]any) string {
		b := importBody(srv, opts)
		b["options"].(map[string]any)["access-secret"] = secret
		return mustJSON(t, b)
	}

	for _, tc := range []struct {
		name, contentType, body string
		code                    int
		want                    string
	}{
		{"bad JSON", "application/json", `{"plugin": "twitter",`, http.StatusBadRequest, "bad JSON"},
		{"not an object", "application/json", `["twitter"]`, http.StatusBadRequest, "bad JSON"},
		{"two values", "application/json", `{"plugin":"twitter"} {}`, http.StatusBadRequest, "more than one"},
		{"empty", "application/json", ``, http.StatusBadRequest, "empty body"},
		{"unknown field", "application/json", `{"plugin":"twitter","acount":"x"}`, http.StatusBadRequest, "acount"},
		{"no plugin", "application/json", `{"account":"x"}`, http.StatusBadRequest, "plugin"},
		{"unknown plugin", "application/json", `{"plugin":"myspace"}`, http.StatusBadRequest, "myspace"},
		{"form", "application/x-www-form-urlencoded", `plugin=twitter`, http.StatusUnsupportedMediaType, "application/json"},
		{"text", "text/plain", `{"plugin":"twitter"}`, http.StatusUnsupportedMediaType, "application/json"},
		{"unknown options", "application/json", withSecret(map[string]any{"likess": true, "max": 3}), http.StatusBadRequest, "likess, max"},
		{"option of a bad type", "application/json", withSecret(map[string]any{"likes": []int{1}}), http.StatusBadRequest, "likes"},
		{"bad int", "application/json", withSecret(map[string]any{"followings-tweets": "many"}), http.StatusBadRequest, "followings-tweets"},
		{"bad bool", "application/json", withSecret(map[string]any{"likes": "maybe"}), http.StatusBadRequest, "likes"},
		{"out of range", "application/json", withSecret(map[string]any{"followings-tweets": 5000}), http.StatusBadRequest, "followings-tweets"},
		{"bad no-wait", "application/json", withSecret(map[string]any{"no-wait": 2}), http.StatusBadRequest, "no-wait"},
		{"account twice", "application/json", withSecret(map[string]any{"user": "someone_else"}), http.StatusBadRequest, "disagree"},
		{"missing credential", "application/json", mustJSON(t, importBody(srv, nil)), http.StatusBadRequest, "TWITTER_ACCESS_SECRET"},
		{"too big", "application/json", `{"plugin":"twitter","account":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`, http.StatusRequestEntityTooLarge, "over"},
	} {
		code, body := c.do(http.MethodPost, "/v1/imports", tc.contentType, strings.NewReader(tc.body))
		if msg := errorOf(t, body); code != tc.code || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, code, body, tc.code, tc.want)
		}
		if strings.Contains(string(body), secret) || strings.Contains(string(body), srv.Credentials().ConsumerSecret) {
			t.Errorf("%s: the answer holds a secret: %s", tc.name, body)
		}
	}
	if strings.Contains(c.log.String(), secret) {
		t.Errorf("a secret was logged")
	}

	// The credential given in the options instead: accepted.
	var imp api.Import
	if code := c.post("/v1/imports", json.RawMessage(withSecret(nil)), &imp); code != http.StatusAccepted {
		t.Fatalf("with the secret in options: %d", code)
	}
	if imp = c.waitImport(imp.ID); imp.Status != "done" {
		t.Errorf("import: %+v", imp)
	}
	if strings.Contains(c.log.String(), secret) {
		t.Errorf("a secret was logged")
	}
}

// A web page can post a body without a Content-Type (a Blob of no type)
// to 127.0.0.1 with no CORS preflight: such a request must not start an
// import with the server's credentials.
func TestImportWithoutContentTypeIsRefused(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})
	code, body := c.do(http.MethodPost, "/v1/imports", "", strings.NewReader(mustJSON(t, importBody(srv, nil))),
		"Origin", "https://example.com")
	if msg := errorOf(t, body); code != http.StatusUnsupportedMediaType || !strings.Contains(msg, "application/json") {
		t.Errorf("POST without Content-Type: %d %s, want 415 asking for application/json", code, body)
	}
	if srv.TotalRequests() != 0 {
		t.Errorf("the refused request made %d requests to the API", srv.TotalRequests())
	}
}

// A request has no flags: a missing credential is asked for as an option
// or in the server's environment, not as the CLI's --access-secret.
func TestMissingCredentialSaysHowToGiveIt(t *testing.T) {
	srv := fakeTwitter(t, smallWorld())
	p := openPod(t, t.TempDir())
	env := credentialsEnv(srv)
	c := newClient(t, p, api.Config{Env: func(k string) string {
		if k == "TWITTER_ACCESS_SECRET" {
			return ""
		}
		return env(k)
	}})
	code, body := c.do(http.MethodPost, "/v1/imports", "application/json", strings.NewReader(mustJSON(t, importBody(srv, nil))))
	msg := errorOf(t, body)
	if code != http.StatusBadRequest || !strings.Contains(msg, `"access-secret"`) || !strings.Contains(msg, "TWITTER_ACCESS_SECRET") || strings.Contains(msg, "--") {
		t.Errorf("import without access-secret: %d %q, want 400 naming the option and TWITTER_ACCESS_SECRET, and no flag", code, msg)
	}
}

// TestShutdownInterruptsImportsAndNothingIsLost stops the server in the
// middle of an import, then imports again in a new server on the same
// store: the result counts the same as one uninterrupted import.
func TestShutdownInterruptsImportsAndNothingIsLost(t *testing.T) {
	cfg := twittertest.WorldConfig{Seed: 8, Followers: 60, Followings: 12, OwnTweets: 700, TweetsPerFollowing: 4, Likes: 20}
	opts := map[string]any{"followings-tweets": 3, "likes": true}

	// The reference: one import that is not interrupted.
	refSrv := fakeTwitter(t, cfg)
	ref := openPod(t, t.TempDir())
	refC := newClient(t, ref, api.Config{Env: credentialsEnv(refSrv)})
	var refImp api.Import
	refC.post("/v1/imports", importBody(refSrv, opts), &refImp)
	if refImp = refC.waitImport(refImp.ID); refImp.Status != "done" {
		t.Fatalf("reference import: %+v", refImp)
	}

	srv := fakeTwitter(t, cfg)
	dir := t.TempDir()
	p := openPod(t, dir)
	c := newClient(t, p, api.Config{Env: credentialsEnv(srv)})
	srv.SetLatency(60 * time.Millisecond)
	var imp api.Import
	if code := c.post("/v1/imports", importBody(srv, opts), &imp); code != http.StatusAccepted {
		t.Fatalf("import: %d", code)
	}
	// Wait until the walk down the owner's timeline (4 pages) has
	// committed a page, or has gone past it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var cur api.Import
		c.get(importPath(imp.ID), &cur)
		if !cur.Active {
			t.Fatalf("the import ended before it could be interrupted: %+v", cur)
		}
		if s := cur.Progress.Stream; (s == "timeline" && cur.Progress.Items > 0) || s == "followings' timelines" || s == "likes" {
			t.Logf("interrupting in stream %q after %d items, %d written", s, cur.Progress.Items, cur.Counts.Written)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing written after 30s")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.api.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	var after api.Import
	c.get(importPath(imp.ID), &after)
	if after.Status != store.StatusInterrupted || after.Active {
		t.Errorf("after shutdown the API says %+v", after)
	}
	rec, err := p.store.RunByID(imp.ID)
	if err != nil || rec.Status != store.StatusInterrupted || rec.Written == 0 || !strings.HasPrefix(rec.Error, "stopped: the server shut down") {
		t.Errorf("run record after shutdown: %+v, %v; want interrupted, with records written, and why", rec, err)
	}
	// A server shutting down takes no imports.
	code, body := c.do(http.MethodPost, "/v1/imports", "application/json", strings.NewReader(mustJSON(t, importBody(srv, opts))))
	if code != http.StatusServiceUnavailable {
		t.Errorf("import after shutdown: %d %s", code, body)
	}

	// The store closes and opens cleanly, and the next import completes.
	if err := p.close(); err != nil {
		t.Fatalf("closing the pod: %v", err)
	}
	p2 := openPod(t, dir)
	c2 := newClient(t, p2, api.Config{Env: credentialsEnv(srv)})
	srv.SetLatency(0)
	var imp2 api.Import
	if code := c2.post("/v1/imports", importBody(srv, opts), &imp2); code != http.StatusAccepted {
		t.Fatalf("import after restart: %d", code)
	}
	if imp2 = c2.waitImport(imp2.ID); imp2.Status != "done" {
		t.Fatalf("import after restart: %+v", imp2)
	}

	var want, got api.StatsReport
	refC.get("/v1/stats", &want)
	c2.get("/v1/stats", &got)
	for _, part := range []struct {
		name      string
		want, got any
	}{
		{"nodes", want.Nodes, got.Nodes},
		{"refs", want.Refs, got.Refs},
		{"edges", want.Edges, got.Edges},
		{"ended edges", want.EndedEdges, got.EndedEdges},
		{"index documents", want.IndexDocs, got.IndexDocs},
	} {
		if diff := cmp.Diff(part.want, part.got); diff != "" {
			t.Errorf("%s of the interrupted and resumed import differ from one import (-one +resumed):\n%s", part.name, diff)
		}
	}
	if got.IndexDocs != uint64(got.Nodes[schema.KindPost]+got.Nodes[schema.KindAccount]) {
		t.Errorf("index has %d documents, the store %d posts and accounts", got.IndexDocs, got.Nodes[schema.KindPost]+got.Nodes[schema.KindAccount])
	}
	var list api.Imports
	c2.get("/v1/imports", &list)
	if len(list.Imports) != 2 || list.Imports[0].Status != "done" || list.Imports[1].Status != "interrupted" {
		t.Errorf("runs: %+v", list.Imports)
	}
}

// A run whose process was killed is not reported as running once the
// server has the store: it is interrupted, says why, and counts what it
// committed. A client waiting for the end of the run stops.
func TestKilledImportIsNotRunning(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.BeginRun("twitter", "owner")
	if err != nil {
		t.Fatal(err)
	}
	owner := schema.Node{ID: schema.ID("twitter", schema.KindAccount, "1"), Kind: schema.KindAccount, Platform: "twitter",
		Account: &schema.Account{Handle: "owner"}}
	s.NoteRequests(run.ID, map[string]int{"users/show": 1})
	a, err := s.Apply(run.ID, "twitter", "owner", schema.Batch{Nodes: []schema.Node{owner}})
	if err != nil || a.Nodes != 1 {
		t.Fatalf("Apply: %+v, %v", a, err)
	}
	// The process ends without EndRun, as a killed one does (the store's
	// tests kill a real one).
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	p := openPod(t, dir)
	c := newClient(t, p, api.Config{})
	var imp api.Import
	if code := c.get(importPath(run.ID), &imp); code != http.StatusOK {
		t.Fatalf("GET %s: %d", importPath(run.ID), code)
	}
	if imp.Status != store.StatusInterrupted || imp.Active || imp.Ended.IsZero() ||
		!strings.Contains(imp.Error, "killed or crashed") || imp.Counts.Written != 1 ||
		imp.Counts.Requests != 1 || imp.Counts.Endpoints["users/show"] != 1 {
		t.Errorf("GET %s after a kill: %+v", importPath(run.ID), imp)
	}
	var list api.Imports
	c.get("/v1/imports", &list)
	if len(list.Imports) != 1 || list.Imports[0].Status != store.StatusInterrupted || list.Imports[0].Active {
		t.Errorf("GET /v1/imports after a kill: %+v", list.Imports)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
