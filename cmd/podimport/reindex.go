package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/schema"
)

func reindexCommand() *cli.Command {
	return &cli.Command{
		Name:  "reindex",
		Usage: "rebuild the search index from the store into a fresh index and swap it in",
		Action: func(c *cli.Context) error {
			log, err := logger(c)
			if err != nil {
				return err
			}
			pd, err := openExistingPod(c)
			if err != nil {
				return err
			}
			defer pd.Close()
			st, err := pd.store.Stats()
			if err != nil {
				return err
			}
			// The index holds the complete posts and accounts.
			total := st.Nodes[schema.KindPost] + st.Nodes[schema.KindAccount]
			report := rebuildLogger(log, total)
			f, ok := c.App.ErrWriter.(*os.File)
			terminal := ok && importer.IsTerminal(f) && c.String("log-format") == "console"
			if terminal {
				report = rebuildLine(f, total)
			}
			if err := pd.index.ReindexReporting(c.Context, report); err != nil {
				if terminal { // the error on a line of its own, not after the progress
					fmt.Fprintln(f)
				}
				if c.Context.Err() != nil {
					// Said as what stopped it, not "context canceled"; the
					// exit code is the signal's all the same.
					return fmt.Errorf("reindex %w; the index is as it was before", context.Cause(c.Context))
				}
				return err
			}
			n, err := pd.index.DocCount()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "index rebuilt: %d documents\n", n)
			return nil
		},
	}
}

// rebuildLine reports a rebuild's progress on a terminal, one line
// redrawn: a rebuild of 1M posts takes minutes.
func rebuildLine(w io.Writer, total int) func(index.RebuildProgress) {
	return func(p index.RebuildProgress) {
		if p.Merging {
			fmt.Fprintf(w, "\r\x1b[Krebuilding the index: %d documents; merging its segments\n", p.Documents)
			return
		}
		if total <= 0 { // not known
			fmt.Fprintf(w, "\r\x1b[Krebuilding the index: %d documents", p.Documents)
			return
		}
		fmt.Fprintf(w, "\r\x1b[Krebuilding the index: %d of %d documents (%d%%)", p.Documents, total, percent(p.Documents, total))
	}
}

// rebuildLogger reports a rebuild's progress as log lines, one each tenth
// of the documents and one when the merges begin.
func rebuildLogger(log *zerolog.Logger, total int) func(index.RebuildProgress) {
	last := 0
	return func(p index.RebuildProgress) {
		if p.Merging {
			log.Info().Int("documents", p.Documents).Msg("rebuilding the index: merging its segments")
			return
		}
		if pc := percent(p.Documents, total); pc/10 > last/10 {
			last = pc
			log.Info().Int("documents", p.Documents).Int("of", total).Msg("rebuilding the index")
		}
	}
}

// percent is done of total in whole percent, at most 100 (nodes written
// while the rebuild reads may take it past the count it started from).
func percent(done, total int) int {
	if total <= 0 {
		return 100
	}
	return min(100, done*100/total)
}

func pluginsCommand() *cli.Command {
	return &cli.Command{
		Name:  "plugins",
		Usage: "list the importer plugins and their options",
		Action: func(c *cli.Context) error {
			for _, p := range importer.Plugins() {
				fmt.Fprintf(c.App.Writer, "%s\t%s\n", p.Name(), p.Description())
				for _, o := range p.Options() {
					env := ""
					if len(o.EnvVars) > 0 {
						env = " [$" + o.EnvVars[0] + "]"
					}
					usage := o.Usage
					switch {
					case o.Required && o.Arg:
						usage += " (required: this flag or the first argument)"
					case o.Required:
						usage += " (required)"
					case o.Default != "" && !o.Secret:
						usage += " (default " + o.Default + ")"
					}
					fmt.Fprintf(c.App.Writer, "    --%s%s  %s\n", o.Name, env, usage)
				}
			}
			return nil
		},
	}
}
