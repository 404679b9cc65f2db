package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/schema"
	"github.com/podimport/podimport/store"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a node and its edges, the newest first (an account with its counts by run), by id (twitter:post:123) or @handle (@handle@platform for other platforms than twitter)",
		ArgsUsage: "ID|@handle",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.IntFlag{Name: "edges", Usage: "edges of each kind and direction to list, the newest first (human output; --json gives all)", Value: 10},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return usageError("show wants one id or @handle")
			}
			s, err := openExistingStore(c)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := resolve(s, c.Args().First())
			if err != nil {
				return err
			}
			out, err := s.Edges(n.ID, schema.Out, "")
			if err != nil {
				return err
			}
			in, err := s.Edges(n.ID, schema.In, "")
			if err != nil {
				return err
			}
			// An account's counts as each run saw them.
			var history []store.HistoryPoint
			if n.Kind == schema.KindAccount {
				if history, err = s.History(n.ID); err != nil {
					return err
				}
			}
			if c.Bool("json") {
				// A direction without edges, and an account without
				// history, are empty lists, not null: as the HTTP API
				// gives them, and so that jq's .edges.out[] works.
				v := map[string]any{"node": n, "edges": map[string]any{"out": nonNil(out), "in": nonNil(in)}}
				if n.Kind == schema.KindAccount {
					v["history"] = nonNil(history)
				}
				return writeJSON(c.App.Writer, v)
			}
			newestFirst(out, func(e schema.Edge) string { return e.To })
			newestFirst(in, func(e schema.Edge) string { return e.From })
			labels, err := edgeLabels(s, out, in, c.Int("edges"))
			if err != nil {
				return err
			}
			printNode(c.App.Writer, n, history, out, in, c.Int("edges"), labels)
			return nil
		},
	}
}

// resolve finds a node by id or by @handle.
func resolve(s *store.Store, arg string) (schema.Node, error) {
	if h, ok := strings.CutPrefix(arg, "@"); ok {
		handle, platform, found := strings.Cut(h, "@")
		if !found {
			platform = "twitter"
		}
		n, err := s.NodeByHandle(platform, handle)
		if errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("no %s account @%s in the store", platform, handle)
		}
		return n, err
	}
	n, err := s.Node(arg)
	if errors.Is(err, store.ErrNotFound) {
		// A number alone is most likely a tweet's id, copied from its
		// link.
		if digits(arg) {
			return n, fmt.Errorf("no node %q in the store (ids look like twitter:post:123 or twitter:account:42; a tweet by its number: twitter:post:%s)", arg, arg)
		}
		// Without a colon it is no id at all: most likely a handle
		// written without its @.
		if !strings.Contains(arg, ":") {
			return n, fmt.Errorf("no node %q in the store (ids look like twitter:post:123 or twitter:account:42; an account by handle: @%s)", arg, arg)
		}
		return n, fmt.Errorf("no node %q in the store (ids look like twitter:post:123 or twitter:account:42)", arg)
	}
	return n, err
}

func printNode(w io.Writer, n schema.Node, history []store.HistoryPoint, out, in []schema.Edge, perKind int, labels map[string]string) {
	state := "complete"
	if n.Ref {
		state = "reference (named by another record, not imported itself)"
	}
	// The plugins that supplied the node: none for a reference, which
	// another record named (its edges below say which).
	from := ""
	if len(n.Sources) > 0 {
		from = ", from " + strings.Join(n.Sources, ", ")
	}
	fmt.Fprintf(w, "%s  %s, %s%s\n", n.ID, n.Kind, state, from)
	switch {
	case n.Account != nil:
		a := n.Account
		fmt.Fprintf(w, "  @%s  %s\n", a.Handle, a.DisplayName)
		for _, kv := range [][2]string{{"bio", a.Bio}, {"location", a.Location}, {"url", a.URL}} {
			if kv[1] != "" {
				fmt.Fprintf(w, "  %s: %s\n", kv[0], kv[1])
			}
		}
		if !a.Created.IsZero() {
			fmt.Fprintf(w, "  joined %s\n", a.Created.Local().Format("2006-01-02"))
		}
		fmt.Fprintf(w, "  followers %s, following %s, posts %s\n", count(a.FollowersCount), count(a.FollowingCount), count(a.PostCount))
		printHistory(w, history, historyLines)
	case n.Post != nil:
		p := n.Post
		// A reference post may have its text alone (a like from an
		// archive): what is unknown is left out, not shown as "@" and
		// year 1.
		var head []string
		switch {
		case p.AuthorHandle != "":
			head = append(head, "@"+p.AuthorHandle)
		case p.Author != "":
			head = append(head, p.Author)
		}
		if !p.Created.IsZero() {
			head = append(head, p.Created.Local().Format("2006-01-02 15:04"))
		}
		if p.Lang != "" {
			head = append(head, p.Lang)
		}
		if len(head) > 0 {
			fmt.Fprintf(w, "  %s\n", strings.Join(head, "  "))
		}
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(p.Text, "\n", "\n  "))
		fmt.Fprintf(w, "  likes %s, reposts %s\n", count(p.LikeCount), count(p.RepostCount))
	case n.Media != nil:
		fmt.Fprintf(w, "  %s %s\n", n.Media.Type, n.Media.URL)
	case n.Link != nil:
		fmt.Fprintf(w, "  %s\n", n.Link.URL)
	case n.Tag != nil:
		fmt.Fprintf(w, "  #%s\n", n.Tag.Name)
	}
	printEdges(w, "→", out, func(e schema.Edge) string { return e.To }, perKind, labels)
	printEdges(w, "←", in, func(e schema.Edge) string { return e.From }, perKind, labels)
}

// historyLines is how many of an account's history points show prints:
// the newest.
const historyLines = 10

// printHistory prints an account's counts by run, the last max runs.
func printHistory(w io.Writer, points []store.HistoryPoint, max int) {
	if len(points) == 0 {
		return
	}
	fmt.Fprintf(w, "  counts by run (%d)\n", len(points))
	if len(points) > max {
		fmt.Fprintf(w, "      … %d earlier (--json for all)\n", len(points)-max)
		points = points[len(points)-max:]
	}
	for _, p := range points {
		fmt.Fprintf(w, "      %s  run %d  followers %s, following %s, posts %s\n",
			p.At.Local().Format("2006-01-02 15:04"), p.Run, count(p.Followers), count(p.Following), count(p.Posts))
	}
}

// newestFirst orders edges for a person reading them: by kind, those that
// hold before those that ended (the latest ended first), then the most
// recently first seen first (the newest followers, the last run's posts),
// then by the id at the other end, highest first. Platforms whose ids are
// numbers (Twitter's, Mastodon's) give them in time order, so the posts
// that one run stored come newest first too. The store gives them in key
// order, oldest first.
func newestFirst(edges []schema.Edge, other func(schema.Edge) string) {
	slices.SortStableFunc(edges, func(a, b schema.Edge) int {
		return cmp.Or(
			cmp.Compare(a.Kind, b.Kind),
			compareEnded(a.Ended, b.Ended),
			b.FirstSeen.Compare(a.FirstSeen),
			compareIDs(other(b), other(a)),
		)
	})
}

// compareEnded puts edges that hold (zero) first, then the latest ended.
func compareEnded(a, b time.Time) int {
	switch {
	case a.IsZero() == b.IsZero():
		return b.Compare(a) // both hold (0), or both ended
	case a.IsZero():
		return -1
	default:
		return 1
	}
}

// compareIDs compares two node ids, numerically where both end in a
// number (the platform's own id) and are alike before it.
func compareIDs(a, b string) int {
	ia, ib := strings.LastIndexByte(a, ':')+1, strings.LastIndexByte(b, ':')+1
	na, nb := a[ia:], b[ib:]
	if a[:ia] == b[:ib] && digits(na) && digits(nb) {
		na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
		return cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb))
	}
	return strings.Compare(a, b)
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// edgeLabels reads the nodes at the other end of the edges that will be
// listed, in one read, and labels them: @handle for an account, the start
// of the text for a post.
func edgeLabels(s *store.Store, out, in []schema.Edge, perKind int) (map[string]string, error) {
	var ids []string
	shown := map[schema.EdgeKind]int{}
	for _, e := range out {
		if shown[e.Kind]++; shown[e.Kind] <= perKind {
			ids = append(ids, e.To)
		}
	}
	clear(shown)
	for _, e := range in {
		if shown[e.Kind]++; shown[e.Kind] <= perKind {
			ids = append(ids, e.From)
		}
	}
	nodes, err := s.Nodes(ids)
	if err != nil {
		return nil, err
	}
	labels := make(map[string]string, len(nodes))
	for _, n := range nodes {
		switch {
		case n.Account != nil && n.Account.Handle != "":
			labels[n.ID] = "@" + n.Account.Handle
		case n.Post != nil && n.Post.Text != "":
			text := strings.Join(strings.Fields(n.Post.Text), " ")
			if r := []rune(text); len(r) > 60 {
				text = string(r[:60]) + "…"
			}
			labels[n.ID] = text
		case n.Tag != nil:
			labels[n.ID] = "#" + n.Tag.Name
		}
	}
	return labels, nil
}

func printEdges(w io.Writer, arrow string, edges []schema.Edge, other func(schema.Edge) string, perKind int, labels map[string]string) {
	byKind := map[schema.EdgeKind][]schema.Edge{}
	for _, e := range edges {
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	for _, k := range schema.EdgeKinds {
		es := byKind[k]
		if len(es) == 0 {
			continue
		}
		ended := 0
		for _, e := range es {
			if !e.Ended.IsZero() {
				ended++
			}
		}
		if ended > 0 {
			// An ended edge is kept (an unfollow, say): the count says how
			// many of those listed no longer hold.
			fmt.Fprintf(w, "  %s %s (%d, %d of them ended)\n", arrow, k, len(es), ended)
		} else {
			fmt.Fprintf(w, "  %s %s (%d)\n", arrow, k, len(es))
		}
		for i, e := range es {
			if i == perKind {
				fmt.Fprintf(w, "      … %d more (--edges N, or --json for all)\n", len(es)-perKind)
				break
			}
			ended := ""
			if !e.Ended.IsZero() {
				ended = "  ended " + e.Ended.Local().Format("2006-01-02")
			}
			label := labels[other(e)]
			if label != "" {
				label = "  " + label
			}
			fmt.Fprintf(w, "      %s%s%s\n", other(e), label, ended)
		}
	}
}

// nonNil is s, or an empty list for nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func count(p *int64) string {
	if p == nil {
		return "?"
	}
	return fmt.Sprint(*p)
}
