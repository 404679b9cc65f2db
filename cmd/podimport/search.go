package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/index"
)

func searchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "search the store: words, \"phrases\", -exclude, from:, to:, @mention, #tag, since:, until:, has:, is:, lang:, platform:, kind:",
		ArgsUsage: "QUERY",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.IntFlag{Name: "limit", Usage: "hits to show", Value: 20},
			&cli.StringFlag{Name: "sort", Usage: "relevance, newest or oldest", Value: "relevance"},
		},
		Action: func(c *cli.Context) error {
			sort := index.Sort(c.String("sort"))
			if sort != index.SortRelevance && sort != index.SortNewest && sort != index.SortOldest {
				return usageError("--sort %q: want relevance, newest or oldest", sort)
			}
			// A mistake in the query is one in the command line: said
			// (exit code 2) before the store is opened.
			q, err := index.Parse(strings.Join(c.Args().Slice(), " "))
			if err != nil {
				return usageError("query: %v", err)
			}
			pd, err := openPod(c)
			if err != nil {
				return err
			}
			defer pd.Close()
			res, err := pd.index.SearchQuery(c.Context, q, index.SearchOptions{Limit: c.Int("limit"), Sort: sort})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			printHits(c.App.Writer, res, isTerminal(c.App.Writer))
			return nil
		},
	}
}

// printHits prints results for a person: one block per hit, matches
// marked in bold on a terminal and with *stars* elsewhere.
func printHits(w io.Writer, res *index.Result, color bool) {
	open, close := "*", "*"
	if color {
		open, close = "\x1b[1m", "\x1b[0m"
	}
	mark := strings.NewReplacer("<mark>", open, "</mark>", close)
	switch {
	case res.Total == 1:
		fmt.Fprintln(w, "1 result")
	case uint64(len(res.Hits)) < res.Total:
		// Say so, or a person reads the 20 shown as all there is.
		fmt.Fprintf(w, "%d results; showing %d (--limit N shows more)\n", res.Total, len(res.Hits))
	default:
		fmt.Fprintf(w, "%d results\n", res.Total)
	}
	for _, h := range res.Hits {
		when := ""
		if !h.Created.IsZero() {
			when = h.Created.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "\n%s  @%s  %s  %s\n", h.Kind, h.Author, when, h.ID)
		text := h.Text
		if len(h.Highlights) > 0 {
			text = strings.Join(h.Highlights, " … ")
		} else {
			text = html.EscapeString(text)
		}
		// Highlights are HTML-escaped with <mark> around matches.
		fmt.Fprintf(w, "  %s\n", html.UnescapeString(mark.Replace(strings.ReplaceAll(text, "\n", "\n  "))))
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
