// Package podtest is a fake memri pod for podrun's tests: it serves the two
// v4 item endpoints a plugin uses to report on its PluginRun,
// POST /v4/{owner}/update_item and POST /v4/{owner}/get_item, with
// PluginAuth checked the way the pod reads it ({"auth": {"type":
// "PluginAuth", "data": …}, "payload": …}), and records every update.
package podtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Default identities; fake, like the rest.
const (
	DefaultOwner = "3f1c2a7b9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"
	DefaultRunID = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
)

// DefaultAuth is the POD_AUTH_JSON a pod would pass: its PluginAuth
// serialized ({"data": {"nonce", "encryptedPermissions"}}, hex).
const DefaultAuth = `{"data":{"nonce":"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718","encryptedPermissions":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0deadbeefcafe"}}`

// Update is one update_item the pod accepted.
type Update struct {
	Time   time.Time
	Fields map[string]any // without "id"
}

// Status is the update's "status", "" if it has none.
func (u Update) Status() string { s, _ := u.Fields["status"].(string); return s }

// Progress is the update's "progress", -1 if it has none.
func (u Update) Progress() float64 {
	if p, ok := u.Fields["progress"].(float64); ok {
		return p
	}
	return -1
}

// Pod is a fake pod holding one PluginRun item.
type Pod struct {
	*httptest.Server
	Owner string
	RunID string
	Auth  string // POD_AUTH_JSON

	mu          sync.Mutex
	item        map[string]any
	updates     []Update
	failUpdates int // the next n update_item calls answer 500
	slowUpdates int // the next n update_item calls wait slowFor before they are applied
	slowFor     time.Duration
	slowBegun   int // slow update_item calls that began waiting
	failGets    int
	rejected    []string // requests refused for a bad shape or auth
	gets        int
	failed      int
}

// New starts a fake pod on 127.0.0.1 with a PluginRun item.
func New() *Pod {
	p := &Pod{Owner: DefaultOwner, RunID: DefaultRunID, Auth: DefaultAuth}
	p.item = map[string]any{"type": "PluginRun", "id": p.RunID, "containerImage": "podimport", "status": "initialized"}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// Env returns the variables a pod sets for the plugin container. With
// targetOnly the run id is given only through POD_TARGET_ITEM.
func (p *Pod) Env(targetOnly bool) []string {
	target, _ := json.Marshal(map[string]any{"type": "PluginRun", "id": p.RunID, "containerImage": "podimport",
		"dateCreated": 1623241923508, "deleted": false})
	env := []string{
		"POD_FULL_ADDRESS=" + p.URL,
		"POD_OWNER=" + p.Owner,
		"POD_AUTH_JSON=" + p.Auth,
		"POD_TARGET_ITEM=" + string(target),
	}
	if !targetOnly {
		env = append(env, "POD_PLUGINRUN_ID="+p.RunID)
	}
	return env
}

// SetStatus sets the PluginRun's status, as the pod's user would
// ("aborted").
func (p *Pod) SetStatus(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.item["status"] = s
}

// FailUpdates makes the next n update_item calls answer 500.
func (p *Pod) FailUpdates(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failUpdates = n
}

// SlowUpdates makes the next n update_item calls wait d before the pod
// applies them, as a busy pod would; the wait does not end when the
// client gives up on the request.
func (p *Pod) SlowUpdates(n int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slowUpdates, p.slowFor = n, d
}

// SlowBegun counts the slow update_item calls that have arrived.
func (p *Pod) SlowBegun() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slowBegun
}

// FailGets makes the next n get_item calls answer 500.
func (p *Pod) FailGets(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failGets = n
}

// Updates returns the accepted updates, oldest first.
func (p *Pod) Updates() []Update {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Update(nil), p.updates...)
}

// Failed counts the calls answered 500 on purpose.
func (p *Pod) Failed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// Gets counts the get_item calls answered.
func (p *Pod) Gets() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gets
}

// Rejected returns why requests were refused (bad path, auth or payload).
func (p *Pod) Rejected() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.rejected...)
}

// Item returns a copy of the PluginRun item.
func (p *Pod) Item() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := map[string]any{}
	for k, v := range p.item {
		m[k] = v
	}
	return m
}

// Statuses returns the statuses the updates set, in order.
func (p *Pod) Statuses() []string {
	var out []string
	for _, u := range p.Updates() {
		if s := u.Status(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *Pod) reject(w http.ResponseWriter, code int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.mu.Lock()
	p.rejected = append(p.rejected, msg)
	p.mu.Unlock()
	http.Error(w, msg, code)
}

func (p *Pod) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || len(parts) != 3 || parts[0] != "v4" {
		p.reject(w, http.StatusNotFound, "%s %s: no such endpoint", r.Method, r.URL.Path)
		return
	}
	if parts[1] != p.Owner {
		p.reject(w, http.StatusUnauthorized, "unknown owner %q", parts[1])
		return
	}
	var body struct {
		Auth    json.RawMessage `json:"auth"`
		Payload json.RawMessage `json:"payload"`
	}
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &body); err != nil {
		p.reject(w, http.StatusBadRequest, "body: %v", err)
		return
	}
	if err := p.checkAuth(body.Auth); err != nil {
		p.reject(w, http.StatusUnauthorized, "auth: %v", err)
		return
	}
	switch parts[2] {
	case "update_item":
		p.updateItem(w, body.Payload)
	case "get_item":
		p.getItem(w, body.Payload)
	default:
		p.reject(w, http.StatusNotFound, "no endpoint %q", parts[2])
	}
}

// checkAuth wants {"type": "PluginAuth", "data": <POD_AUTH_JSON's data>}.
func (p *Pod) checkAuth(raw json.RawMessage) error {
	var got struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		return err
	}
	var want struct {
		Data any `json:"data"`
	}
	if err := json.Unmarshal([]byte(p.Auth), &want); err != nil {
		return err
	}
	if got.Type != "PluginAuth" {
		return fmt.Errorf("type %q, want PluginAuth", got.Type)
	}
	if !reflect.DeepEqual(got.Data, want.Data) {
		return fmt.Errorf("data is not the POD_AUTH_JSON data")
	}
	return nil
}

func (p *Pod) updateItem(w http.ResponseWriter, payload json.RawMessage) {
	var fields map[string]any
	if err := json.Unmarshal(payload, &fields); err != nil {
		p.reject(w, http.StatusBadRequest, "update_item payload: %v", err)
		return
	}
	if fields["id"] != p.RunID {
		p.reject(w, http.StatusNotFound, "update_item: no item %v", fields["id"])
		return
	}
	p.mu.Lock()
	if p.slowUpdates > 0 {
		p.slowUpdates--
		p.slowBegun++
		d := p.slowFor
		p.mu.Unlock()
		time.Sleep(d)
		p.mu.Lock()
	}
	if p.failUpdates > 0 {
		p.failUpdates--
		p.failed++
		p.mu.Unlock()
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	delete(fields, "id")
	for k, v := range fields {
		p.item[k] = v
	}
	p.updates = append(p.updates, Update{Time: time.Now(), Fields: fields})
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}")
}

func (p *Pod) getItem(w http.ResponseWriter, payload json.RawMessage) {
	var id string
	if err := json.Unmarshal(payload, &id); err != nil {
		p.reject(w, http.StatusBadRequest, "get_item payload: want the id as a string: %v", err)
		return
	}
	p.mu.Lock()
	if p.failGets > 0 {
		p.failGets--
		p.failed++
		p.mu.Unlock()
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	p.gets++
	items := []map[string]any{} // the pod answers [] when there is no such item
	if id == p.RunID {
		m := map[string]any{}
		for k, v := range p.item {
			m[k] = v
		}
		items = append(items, m)
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(items)
}
