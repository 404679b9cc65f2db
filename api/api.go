// Package api is podimport's HTTP API, served by `podimport serve`: search,
// nodes and their edges, store statistics, and imports that run in the
// background while the server holds the store and its index open.
//
// Every response is JSON. Errors are {"error": "..."} with a 4xx or 5xx
// status. When a token is configured every request must carry it as
// "Authorization: Bearer <token>"; without one, only requests addressed to
// a loopback host (localhost, 127.0.0.1, [::1]) are answered, which keeps web
// pages from reaching the API through DNS rebinding.
//
// Routes:
//
//	GET  /v1/health
//	GET  /v1/search?q=&limit=&offset=&sort=
//	GET  /v1/nodes/{id}             id, or @handle, or @handle@platform
//	GET  /v1/nodes/{id}/edges?kind=&dir=
//	GET  /v1/nodes/{id}/history     an account's counts, one point per run
//	GET  /v1/stats
//	POST /v1/imports                {"plugin", "account", "options"}
//	GET  /v1/imports?limit=
//	GET  /v1/imports/{id}
//
// Node ids contain colons (twitter:post:123), which need no escaping in a
// path; ids of links contain a url, whose slashes, '?' and '#' must be
// percent-encoded (%2F, %3F, %23).
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/store"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Config is what a Server needs.
type Config struct {
	// Store and Index are the open store and its search index. The Server
	// uses them until Shutdown returns; the caller closes them after.
	Store *store.Store
	Index *index.Index
	// Log receives request and import logs; nil means none. Authorization
	// headers, tokens and option values are never logged.
	Log *zerolog.Logger
	// Token, when set, is required on every request as
	// "Authorization: Bearer <token>".
	Token string
	// Env looks up the environment variables of plugin options (TWITTER_*
	// credentials) that an import request does not give. Default os.Getenv.
	Env func(string) string
}

// Server serves the API. Create it with New.
type Server struct {
	store   *store.Store
	index   *index.Index
	log     zerolog.Logger
	token   [sha256.Size]byte
	auth    bool
	env     func(string) string
	imports *manager
	mux     *http.ServeMux
}

// New returns a Server for cfg. It starts nothing: serve Handler() and call
// Shutdown when done.
func New(cfg Config) *Server {
	log := zerolog.Nop()
	if cfg.Log != nil {
		log = *cfg.Log
	}
	env := cfg.Env
	if env == nil {
		env = os.Getenv
	}
	s := &Server{
		store: cfg.Store,
		index: cfg.Index,
		log:   log,
		env:   env,
	}
	if cfg.Token != "" {
		// Compared as hashes, so the comparison takes the same time
		// whatever the length of what a client sends.
		s.token, s.auth = sha256.Sum256([]byte(cfg.Token)), true
	}
	s.imports = newManager(cfg.Store, cfg.Index, &s.log)
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /v1/health", s.health)
	s.mux.HandleFunc("GET /v1/search", s.search)
	s.mux.HandleFunc("GET /v1/nodes/{id}", s.node)
	s.mux.HandleFunc("GET /v1/nodes/{id}/edges", s.edges)
	s.mux.HandleFunc("GET /v1/nodes/{id}/history", s.history)
	s.mux.HandleFunc("GET /v1/stats", s.stats)
	s.mux.HandleFunc("POST /v1/imports", s.startImport)
	s.mux.HandleFunc("GET /v1/imports", s.listImports)
	s.mux.HandleFunc("GET /v1/imports/{id}", s.getImport)
}

// Handler returns the API's handler: logging, the host and token checks,
// the body size limit, then the routes.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// Shutdown stops taking imports, cancels the running ones (each commits the
// batch in flight and records its run as interrupted) and waits for them,
// or for ctx. It does not close the store or the index.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.imports.shutdown(ctx)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w}
	defer func() {
		ev := s.log.Debug()
		switch {
		case rw.status >= 500:
			ev = s.log.Error()
		case r.Method != http.MethodGet:
			ev = s.log.Info()
		}
		// The path only: queries may hold search words, and no header
		// (Authorization) is logged.
		ev.Str("method", r.Method).Str("path", r.URL.Path).Int("status", rw.code()).
			Dur("took_ms", time.Since(start)).Str("remote", r.RemoteAddr).Msg("request")
	}()

	h := rw.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")

	if !s.auth && !loopbackHost(r.Host) {
		writeError(rw, http.StatusForbidden, "host %q is not allowed: without PODIMPORT_API_TOKEN the API answers only requests to localhost, 127.0.0.1 or [::1]", r.Host)
		return
	}
	if s.auth && !s.authorized(r) {
		h.Set("WWW-Authenticate", `Bearer realm="podimport"`)
		writeError(rw, http.StatusUnauthorized, "missing or wrong token: send Authorization: Bearer <PODIMPORT_API_TOKEN>")
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, MaxBodyBytes)

	if p := r.URL.EscapedPath(); strings.HasPrefix(p, "/v1/nodes/") && path.Clean(p) != p {
		if id := strings.TrimPrefix(p, "/v1/nodes/"); id == "" || id[0] == '/' {
			writeError(rw, http.StatusNotFound, "no node id in %q: want /v1/nodes/{id}, with an id (twitter:post:123) or @handle", p)
			return
		}
		// A link's id with its url as it is: the mux would redirect to
		// the path with "//" made "/", which names no node.
		writeError(rw, http.StatusBadRequest, "the node id in %q is not percent-encoded: an id that holds a url must be (twitter:link:https%%3A%%2F%%2Fexample.org%%2Fa)", p)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// Not found, wrong method, or a redirect to the clean path: the
		// mux's plain-text errors become JSON ones.
		s.mux.ServeHTTP(&jsonErrorWriter{statusWriter: rw}, r)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

func (s *Server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], s.token[:]) == 1
}

// loopbackHost reports whether a Host header names this machine's loopback
// interface.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// jsonErrorWriter turns an error the mux writes as text into {"error": ...}.
type jsonErrorWriter struct {
	*statusWriter
	swallow bool
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if code < 400 {
		w.statusWriter.WriteHeader(code)
		return
	}
	w.swallow = true
	msg := strings.ToLower(http.StatusText(code))
	if code == http.StatusMethodNotAllowed {
		msg = "method not allowed; allowed: " + w.Header().Get("Allow")
	}
	if code == http.StatusNotFound {
		msg = "no such endpoint; see /v1/health, /v1/search, /v1/nodes/{id}, /v1/nodes/{id}/edges, /v1/nodes/{id}/history, /v1/stats, /v1/imports"
	}
	w.Header().Del("Content-Length")
	writeError(w.statusWriter, code, "%s", msg)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.statusWriter.Write(b)
}

// writeJSON writes v, indented like the CLI's --json output.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// As written: "<mark>", "<PODIMPORT_API_TOKEN>", not "\u003cmark\u003e".
	// The answer is application/json with nosniff: no browser takes it
	// for HTML.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
	// Token and Offset locate a search query's syntax error.
	Token  string `json:"token,omitempty"`
	Offset *int   `json:"offset,omitempty"`
	// ID is the run already importing the account, with 409.
	ID uint64 `json:"id,omitempty"`
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, errorBody{Error: fmt.Sprintf(format, args...)})
}

// writeInternal answers 500 for an error of the store or the index and logs it.
func (s *Server) writeInternal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	s.log.Error().Err(err).Str("path", r.URL.Path).Msg("request failed")
	writeError(w, http.StatusInternalServerError, "%v", err)
}
