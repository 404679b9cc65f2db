package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

// MaxOffset is the largest offset /v1/search accepts: paging deeper makes
// the index sort offset+limit hits for every page.
const MaxOffset = 10000

// Health is the answer of GET /v1/health.
type Health struct {
	Status         string `json:"status"`          // "ok"
	RunningImports int    `json:"running_imports"` // imports in flight
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Health{Status: "ok", RunningImports: s.imports.runningCount()})
}

// search answers like `podimport search --json`.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := intParam(w, q.Get("limit"), "limit", index.DefaultLimit, 1, index.MaxLimit)
	if !ok {
		return
	}
	offset, ok := intParam(w, q.Get("offset"), "offset", 0, 0, MaxOffset)
	if !ok {
		return
	}
	sort := index.Sort(q.Get("sort"))
	switch sort {
	case "":
		sort = index.SortRelevance
	case index.SortRelevance, index.SortNewest, index.SortOldest:
	default:
		writeError(w, http.StatusBadRequest, "sort %q: want relevance, newest or oldest", sort)
		return
	}
	res, err := s.index.Search(r.Context(), q.Get("q"), index.SearchOptions{Limit: limit, Offset: offset, Sort: sort})
	var perr *index.ParseError
	if errors.As(err, &perr) {
		off := perr.Offset
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "q: " + perr.Msg, Token: perr.Token, Offset: &off})
		return
	}
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// intParam parses an optional integer query parameter in [lo, hi], writing
// 400 when it is malformed or out of range.
func intParam(w http.ResponseWriter, v, name string, def, lo, hi int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, "%s %q: want a whole number from %d to %d", name, v, lo, hi)
		return 0, false
	}
	return n, true
}

// node answers with the node, like the "node" of `podimport show --json`.
func (s *Server) node(w http.ResponseWriter, r *http.Request) {
	n, ok := s.resolve(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// Edges is the answer of GET /v1/nodes/{id}/edges: the edges from the node
// (out) and to it (in), each present when asked for by dir, sorted by kind
// and then by the other end's id. Ended edges are included (see "ended").
type Edges struct {
	ID  string        `json:"id"` // the node's id (also when asked by @handle)
	Out []schema.Edge `json:"out,omitzero"`
	In  []schema.Edge `json:"in,omitzero"`
}

func (s *Server) edges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := schema.EdgeKind(q.Get("kind"))
	if kind != "" && !kind.Valid() {
		writeError(w, http.StatusBadRequest, "kind %q: want one of %s", kind, edgeKindList())
		return
	}
	dir := q.Get("dir")
	switch dir {
	case "":
		dir = "both"
	case "in", "out", "both":
	default:
		writeError(w, http.StatusBadRequest, "dir %q: want in, out or both", dir)
		return
	}
	n, ok := s.resolve(w, r)
	if !ok {
		return
	}
	res := Edges{ID: n.ID}
	if dir != "in" {
		out, err := s.store.Edges(n.ID, schema.Out, kind)
		if err != nil {
			s.writeInternal(w, r, err)
			return
		}
		res.Out = nonNil(out)
	}
	if dir != "out" {
		in, err := s.store.Edges(n.ID, schema.In, kind)
		if err != nil {
			s.writeInternal(w, r, err)
			return
		}
		res.In = nonNil(in)
	}
	writeJSON(w, http.StatusOK, res)
}

// History is the answer of GET /v1/nodes/{id}/history: an account's
// follower, following and post counts as each run that read its profile
// saw them, oldest run first. Other nodes have none: an empty list.
type History struct {
	ID     string               `json:"id"` // the node's id (also when asked by @handle)
	Points []store.HistoryPoint `json:"history"`
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	n, ok := s.resolve(w, r)
	if !ok {
		return
	}
	points, err := s.store.History(n.ID)
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, History{ID: n.ID, Points: points})
}

// nonNil makes an asked-for direction without edges an empty list, not an
// absent one.
func nonNil(es []schema.Edge) []schema.Edge {
	if es == nil {
		return []schema.Edge{}
	}
	return es
}

func edgeKindList() string {
	ks := make([]string, len(schema.EdgeKinds))
	for i, k := range schema.EdgeKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

// resolve finds the node of the {id} path value: an id (twitter:post:123),
// @handle (a Twitter account) or @handle@platform. It writes 404 when
// there is none.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) (schema.Node, bool) {
	arg := r.PathValue("id")
	var (
		n   schema.Node
		err error
		msg string
	)
	if h, ok := strings.CutPrefix(arg, "@"); ok {
		handle, platform, found := strings.Cut(h, "@")
		if !found {
			platform = "twitter"
		}
		n, err = s.store.NodeByHandle(platform, handle)
		msg = fmt.Sprintf("no %s account @%s in the store", platform, handle)
	} else {
		n, err = s.store.Node(arg)
		msg = fmt.Sprintf("no node %q in the store (ids look like twitter:post:123 or twitter:account:42; percent-encode '/', '?' and '#' of ids holding a url)", arg)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "%s", msg)
		return n, false
	case err != nil:
		s.writeInternal(w, r, err)
		return n, false
	}
	return n, true
}

// StatsReport is the answer of GET /v1/stats, the JSON of
// `podimport stats --json`.
type StatsReport struct {
	store.Stats
	IndexDocs uint64              `json:"index_docs"`
	Cursors   []store.CursorEntry `json:"cursors"`
	Runs      []store.Run         `json:"runs"` // the 5 newest
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Stats()
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	cursors, err := s.store.Cursors()
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	runs, err := s.store.Runs(5)
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	docs, err := s.index.DocCount()
	if err != nil {
		s.writeInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, StatsReport{Stats: st, IndexDocs: docs, Cursors: cursors, Runs: runs})
}
