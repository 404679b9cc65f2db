package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/store"
)

// ImportRequest is the body of POST /v1/imports.
type ImportRequest struct {
	// Plugin is a registered plugin's name ("twitter").
	Plugin string `json:"plugin"`
	// Account fills the plugin's account option (importer.AccountOption:
	// the twitter plugin's "user").
	Account string `json:"account,omitempty"`
	// Options are the plugin's options named like its CLI flags without
	// the dashes ("api-base", "followings-tweets", "likes"), with string,
	// number or boolean values; null is the same as leaving one out.
	// Options left out are read from the server's environment variables
	// (TWITTER_CONSUMER_KEY…), else take their defaults. "no-wait": true
	// ends the run at a spent rate-limit window (status rate_limited)
	// instead of waiting for its reset, like the CLI's --no-wait.
	Options map[string]json.RawMessage `json:"options,omitempty"`
}

// optNoWait is the option that is the runner's, not the plugin's.
const optNoWait = "no-wait"

// Import is a run, in flight or recorded: the answer of GET
// /v1/imports/{id}, and of POST /v1/imports (with 202).
type Import struct {
	ID      uint64 `json:"id"`
	Plugin  string `json:"plugin"`
	Account string `json:"account"`
	// Status is running, done, interrupted, rate_limited or error. Only a
	// run in flight says running: a run whose process was killed or
	// crashed is recorded as interrupted when the store is next opened
	// (by this server's start at the latest), with an Error that says so,
	// Ended at its last commit (left out if it committed nothing) and
	// Counts up to that commit.
	Status string `json:"status"`
	// Active is set while the run is in flight in this server.
	Active  bool      `json:"active"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// Progress is the latest the run reported; only for runs this server
	// started.
	Progress *Progress `json:"progress,omitempty"`
	Counts   Counts    `json:"counts"`
	Error    string    `json:"error,omitempty"`
}

// Progress is where a run is.
type Progress struct {
	// Stream is what the run works on ("followers", "timeline:42").
	Stream string `json:"stream,omitempty"`
	// Items done in the stream, of Expect (0 when unknown).
	Items  int `json:"items"`
	Expect int `json:"expect,omitempty"`
	// Requests sent in the whole run.
	Requests int `json:"requests"`
	// WaitingUntil is set while a spent rate-limit window of WaitEndpoint
	// is waited out.
	WaitingUntil time.Time `json:"waiting_until,omitzero"`
	WaitEndpoint string    `json:"wait_endpoint,omitempty"`
}

// Counts are a run's totals so far.
type Counts struct {
	// Written is the nodes and edges the run changed in the store.
	Written int `json:"written"`
	// Requests is the HTTP requests sent; Endpoints splits them by
	// endpoint once the run has ended.
	Requests  int            `json:"requests"`
	Endpoints map[string]int `json:"endpoints,omitempty"`
}

// Imports is the answer of GET /v1/imports.
type Imports struct {
	Imports []Import `json:"imports"` // newest first
}

func (s *Server) startImport(w http.ResponseWriter, r *http.Request) {
	// A web page can post a form, text/plain or a body without a
	// Content-Type (a Blob of no type) anywhere; only application/json
	// needs a CORS preflight, which is never granted.
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type %q: want application/json (curl --json, or -H 'Content-Type: application/json')", ct)
		return
	}
	var req ImportRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Plugin == "" {
		writeError(w, http.StatusBadRequest, "plugin: missing (one of %s)", pluginList())
		return
	}
	p, ok := importer.Lookup(req.Plugin)
	if !ok {
		writeError(w, http.StatusBadRequest, "plugin %q: no such plugin (one of %s)", req.Plugin, pluginList())
		return
	}
	values, noWait, err := s.optionValues(p, req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	job, err := p.New(values)
	if err != nil {
		// Errors of New name the option (wrapping importer.ErrConfig),
		// never a secret value.
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	run, err := s.imports.start(p, job, noWait)
	var busy *busyError
	switch {
	case errors.As(err, &busy):
		writeJSON(w, http.StatusConflict, errorBody{Error: busy.Error(), ID: busy.id})
		return
	case errors.Is(err, errShuttingDown):
		writeError(w, http.StatusServiceUnavailable, "%v", err)
		return
	case err != nil:
		s.writeInternal(w, r, err)
		return
	}
	v := run.view()
	w.Header().Set("Location", "/v1/imports/"+strconv.FormatUint(v.ID, 10))
	writeJSON(w, http.StatusAccepted, v)
}

// decodeBody reads one JSON object into v, writing 400 (or 413 for a body
// over MaxBodyBytes) when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err = dec.Token(); err == nil {
			err = errors.New("more than one JSON value")
		} else if err == io.EOF {
			err = nil
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, `empty body: want {"plugin": "...", "account": "...", "options": {...}}`)
	default:
		writeError(w, http.StatusBadRequest, "bad JSON body: %v", err)
	}
	return false
}

// optionValues turns a request into the plugin's option values the way the
// CLI does with flags: given values, else environment variables, else
// defaults (bool options have none).
func (s *Server) optionValues(p importer.Plugin, req ImportRequest) (importer.Values, bool, error) {
	opts := p.Options()
	known := map[string]bool{}
	for _, o := range opts {
		known[o.Name] = true
	}
	given := map[string]string{}
	noWait := false
	var unknown []string
	for name, raw := range req.Options {
		if name != optNoWait && !known[name] {
			unknown = append(unknown, name)
			continue
		}
		v, ok, err := optionString(raw)
		if err != nil {
			return nil, false, fmt.Errorf("option %s: %w", name, err)
		}
		if !ok {
			continue
		}
		if name == optNoWait {
			if noWait, err = strconv.ParseBool(v); err != nil {
				return nil, false, fmt.Errorf("option %s: %q is not true or false", name, v)
			}
			continue
		}
		given[name] = v
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		names := make([]string, 0, len(opts)+1)
		for _, o := range opts {
			names = append(names, o.Name)
		}
		return nil, false, fmt.Errorf("unknown option(s) for plugin %s: %s (known: %s)",
			p.Name(), strings.Join(unknown, ", "), strings.Join(append(names, optNoWait), ", "))
	}
	if req.Account != "" {
		ao := importer.AccountOption(p)
		if ao == "" {
			return nil, false, fmt.Errorf("account: plugin %s takes no account", p.Name())
		}
		if v, ok := given[ao]; ok && v != req.Account {
			return nil, false, fmt.Errorf("account %q and option %s %q disagree: give one", req.Account, ao, v)
		}
		given[ao] = req.Account
	}
	values := importer.Values{}
	for _, o := range opts {
		if v, ok := given[o.Name]; ok {
			values[o.Name] = v
			continue
		}
		if v, ok := s.fromEnv(o.EnvVars); ok {
			values[o.Name] = v
			continue
		}
		if o.Type != importer.Bool {
			values[o.Name] = o.Default
		}
		if o.Required && !o.Arg && values[o.Name] == "" {
			// Said here: the plugin's own message names the CLI's flag,
			// which a request does not have.
			return nil, false, importer.ConfigError(o.Name, "missing: give \"options\": {%q: \"…\"}%s", o.Name, envHint(o.EnvVars))
		}
	}
	return values, noWait, nil
}

// envHint names the environment variables an option is read from, if any.
func envHint(vars []string) string {
	if len(vars) == 0 {
		return ""
	}
	return ", or set " + strings.Join(vars, " or ") + " in the environment of podimport serve"
}

func (s *Server) fromEnv(vars []string) (string, bool) {
	for _, name := range vars {
		if v := s.env(name); v != "" {
			return v, true
		}
	}
	return "", false
}

// optionString converts a JSON option value to the string the plugin
// parses: strings as they are, numbers as written, true and false. ok is
// false for null.
func optionString(raw json.RawMessage) (v string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", false, nil
	case raw[0] == '"':
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", false, err
		}
		return v, true, nil
	case string(raw) == "true" || string(raw) == "false":
		return string(raw), true, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), true, nil
	}
	return "", false, errors.New("want a string, a number or true/false")
}

func pluginList() string {
	var names []string
	for _, p := range importer.Plugins() {
		names = append(names, p.Name())
	}
	return strings.Join(names, ", ")
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest, "import id %q: want a run number", r.PathValue("id"))
		return
	}
	if run := s.imports.byRunID(id); run != nil {
		writeJSON(w, http.StatusOK, run.view())
		return
	}
	rec, err := s.store.RunByID(id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no import run %d", id)
		return
	}
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, fromRecord(rec))
}

// listImports answers with the runs in flight and the newest recorded ones.
func (s *Server) listImports(w http.ResponseWriter, r *http.Request) {
	limit, ok := intParam(w, r.URL.Query().Get("limit"), "limit", 20, 1, 1000)
	if !ok {
		return
	}
	recs, err := s.store.Runs(limit)
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	out := Imports{Imports: []Import{}}
	seen := map[uint64]bool{}
	for _, run := range s.imports.active() {
		v := run.view()
		seen[v.ID] = true
		out.Imports = append(out.Imports, v)
	}
	for _, rec := range recs {
		if seen[rec.ID] {
			continue
		}
		if run := s.imports.byRunID(rec.ID); run != nil {
			out.Imports = append(out.Imports, run.view())
		} else {
			out.Imports = append(out.Imports, fromRecord(rec))
		}
	}
	slices.SortFunc(out.Imports, func(a, b Import) int {
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	writeJSON(w, http.StatusOK, out)
}

// fromRecord is the view of a run record.
func fromRecord(rec store.Run) Import {
	total := 0
	for _, n := range rec.Requests {
		total += n
	}
	return Import{
		ID: rec.ID, Plugin: rec.Plugin, Account: rec.Account, Status: rec.Status,
		Started: rec.Started, Ended: rec.Ended, Error: rec.Error,
		Counts: Counts{Written: rec.Written, Requests: total, Endpoints: rec.Requests},
	}
}
