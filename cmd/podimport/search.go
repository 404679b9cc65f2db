package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/index"
)

func searchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "search the store: words, \"phrases\", -exclude, from:, to:, @mention, #tag, since:, until:, has:, is:, lang:, platform:, kind:, a OR b",
		ArgsUsage: "QUERY",
		// "help" and "h" are words to search for, not urfave/cli's help
		// command; --help and -h still show the help.
		HideHelpCommand: true,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError("%v (podimport search --help lists the options; a query word that looks like one goes after --: podimport search -- QUERY)", err)
		},
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
			// The index would cap a larger --limit silently, and the
			// output then say that --limit N shows more.
			limit := c.Int("limit")
			if limit < 1 || limit > index.MaxLimit {
				return usageError("--limit %d: want a whole number from 1 to %d", limit, index.MaxLimit)
			}
			// A mistake in the query is one in the command line: said
			// (exit code 2) before the store is opened.
			q, err := index.Parse(strings.Join(c.Args().Slice(), " "))
			if err != nil {
				return usageError("query: %v", err)
			}
			pd, err := openExistingPod(c)
			if err != nil {
				return err
			}
			defer pd.Close()
			res, err := pd.index.SearchQuery(c.Context, q, index.SearchOptions{Limit: limit, Sort: sort})
			var perr *index.ParseError
			if errors.As(err, &perr) { // a query of punctuation alone
				return usageError("query: %v", err)
			}
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

// searchArgs lets a search's query start with the query language's
// exclusion: `podimport search -from:bob golang`. urfave/cli parses flags
// with Go's flag package, which takes every argument starting with - for
// a flag until the first that does not, so that query was refused as the
// unknown flag -from:bob and worked only as `podimport search -- -from:bob
// golang`.
//
// searchArgs finds the search command in a whole command line (args[0] is
// the program) and rewrites its arguments as search's flags, then --, then
// the query's words in the order given. Other command lines are returned
// as they are. Of search's arguments up to a --:
//   - one that names a search flag (--json, -json, --limit 5, --limit=5,
//     -h) is that flag, with the next argument as its value if it takes one;
//   - one that starts with -- but names none is left with the flags for
//     urfave/cli to refuse by name: a misspelt flag is likelier than a
//     query word starting with --;
//   - any other is a query word, -from:bob and -#tag included.
//
// A single-dash flag name after a query word is refused: `golang -json`
// may mean the posts without the word json, as it did before. -h and
// -help are the exception: whoever types them wants the help, which is
// then all that is shown.
func searchArgs(app *cli.App, args []string) ([]string, error) {
	search := app.Command("search")
	i := 1
	for i < len(args) && isFlag(args[i]) {
		if f := lookupFlag(app.Flags, args[i]); f != nil && needsNext(f, args[i]) {
			i++ // the global flag's value
		}
		i++
	}
	if search == nil || i >= len(args) || args[i] != "search" {
		return args, nil
	}
	var flags, query []string
	help := false
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			query = append(query, rest[j+1:]...)
			break
		}
		f := lookupFlag(search.Flags, a)
		switch {
		case f != nil && f != cli.HelpFlag && len(query) > 0 && !strings.HasPrefix(a, "--"):
			name := f.Names()[0]
			return nil, usageError("%s after a query word could be the flag --%s or the exclusion of the word %q: write --%s for the flag, or put the whole query after --: podimport search -- QUERY",
				a, name, strings.TrimPrefix(a, "-"), name)
		case f != nil && needsNext(f, a) && j+1 == len(rest):
			// Said here: urfave/cli would take the -- added below for
			// the value.
			return nil, usageError("%s wants a value (podimport search --help lists the options)", a)
		case f != nil:
			flags = append(flags, a)
			if needsNext(f, a) {
				j++
				flags = append(flags, rest[j])
			}
			// urfave/cli takes the first argument after --help for the
			// topic to show help on: `search golang --help` would say
			// there is no command golang. Help is all that is shown.
			help = help || f == cli.HelpFlag
		case strings.HasPrefix(a, "--"):
			flags = append(flags, a)
		default:
			query = append(query, a)
		}
	}
	if help {
		return slices.Concat(args[:i+1], flags), nil
	}
	return slices.Concat(args[:i+1], flags, []string{"--"}, query), nil
}

// isFlag says whether Go's flag package would take arg for a flag.
func isFlag(arg string) bool {
	return len(arg) > 1 && arg[0] == '-' && arg != "--"
}

// lookupFlag finds the flag that arg (-name, --name, -name=value or
// --name=value) names among flags and the help flag, or nil.
func lookupFlag(flags []cli.Flag, arg string) cli.Flag {
	if !isFlag(arg) {
		return nil
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-"), "=")
	for _, f := range slices.Concat(flags, []cli.Flag{cli.HelpFlag}) {
		if f != nil && slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// needsNext says whether flag f, written as arg, takes the next argument
// for its value: --limit 5 does, --limit=5 and --json do not.
func needsNext(f cli.Flag, arg string) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue() && !strings.Contains(arg, "=")
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
	case uint64(len(res.Hits)) < res.Total && len(res.Hits) >= index.MaxLimit:
		fmt.Fprintf(w, "%d results; showing %d, the most a search shows (narrow the query to see the others)\n", res.Total, len(res.Hits))
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
	enc.SetEscapeHTML(false) // highlights read "<mark>", not "\u003cmark\u003e"
	return enc.Encode(v)
}
