package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
)

func reindexCommand() *cli.Command {
	return &cli.Command{
		Name:  "reindex",
		Usage: "rebuild the search index from the store into a fresh index and swap it in",
		Action: func(c *cli.Context) error {
			pd, err := openExistingPod(c)
			if err != nil {
				return err
			}
			defer pd.Close()
			if err := pd.index.Reindex(c.Context); err != nil {
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
