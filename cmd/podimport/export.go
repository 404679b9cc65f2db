package main

import (
	"bufio"

	"github.com/urfave/cli/v2"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write every node and edge, one JSON object per line, to stdout",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "jsonl", Value: "jsonl"},
			&cli.BoolFlag{Name: "history", Usage: `also each account's follower, following and post counts, one {"type":"count"} line per account and run, after the edges`},
		},
		Action: func(c *cli.Context) error {
			if c.String("format") != "jsonl" {
				return usageError("--format %q: only jsonl is supported", c.String("format"))
			}
			s, err := openExistingStore(c)
			if err != nil {
				return err
			}
			defer s.Close()
			w := bufio.NewWriter(c.App.Writer)
			if err := s.ExportJSONL(w); err != nil {
				return err
			}
			if c.Bool("history") {
				if err := s.ExportHistoryJSONL(w); err != nil {
					return err
				}
			}
			return w.Flush()
		},
	}
}
