package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/store"
)

// importCommand has one subcommand per registered plugin, with the
// plugin's options as flags.
func importCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "import",
		Usage: "import an account with one of the plugins (see `podimport plugins`)",
		// Reached only when no plugin's subcommand matched: urfave/cli
		// would print the help and exit 0, as if nothing were wrong.
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c, c.Args().First())
			}
			return usageError("import wants a plugin, one of %s (podimport plugins describes them)", pluginNames())
		},
	}
	for _, p := range importer.Plugins() {
		cmd.Subcommands = append(cmd.Subcommands, pluginCommand(p))
	}
	return cmd
}

// pluginNames is the registered plugins' names for a message: "a, b or c".
func pluginNames() string {
	var names []string
	for _, p := range importer.Plugins() {
		names = append(names, p.Name())
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func pluginCommand(p importer.Plugin) *cli.Command {
	var flags []cli.Flag
	if _, offline := p.(importer.Offline); !offline {
		flags = append(flags, &cli.BoolFlag{Name: "no-wait", Usage: "stop at a spent rate-limit window instead of waiting for its reset (exit code 4; run again to resume)"})
	}
	argsUsage := ""
	for _, o := range p.Options() {
		flags = append(flags, optionFlag(o))
		if o.Arg {
			argsUsage = strings.ToUpper(o.Name)
		}
	}
	return &cli.Command{
		Name:      p.Name(),
		Usage:     p.Description(),
		ArgsUsage: argsUsage,
		Flags:     flags,
		Action: func(c *cli.Context) error {
			values, err := optionValues(c, p.Options())
			if err != nil {
				return err
			}
			return runImport(c, p, values, c.Bool("no-wait"))
		},
	}
}

func optionFlag(o importer.Option) cli.Flag {
	usage := o.Usage
	if o.Required {
		usage += " (required)"
	}
	switch o.Type {
	case importer.Bool:
		return &cli.BoolFlag{Name: o.Name, Usage: usage, EnvVars: o.EnvVars}
	default:
		// Strings for every other type: the plugin parses and reports
		// errors by option name. Secrets show no default.
		return &cli.StringFlag{Name: o.Name, Usage: usage, EnvVars: o.EnvVars, Value: o.Default}
	}
}

// optionValues collects a plugin's option values from flags (which read
// their environment variables themselves), defaults and the positional
// argument.
func optionValues(c *cli.Context, opts []importer.Option) (importer.Values, error) {
	v := importer.Values{}
	for _, o := range opts {
		switch {
		case o.Type == importer.Bool:
			if c.IsSet(o.Name) {
				v[o.Name] = fmt.Sprint(c.Bool(o.Name))
			}
		default:
			v[o.Name] = c.String(o.Name)
		}
		if o.Arg && c.Args().Len() > 0 {
			arg := c.Args().First()
			if v[o.Name] != o.Default && v[o.Name] != arg {
				// Which of the two was meant cannot be told: say so
				// rather than import one of them.
				return nil, usageError("--%s %q and the argument %q disagree: give one", o.Name, v[o.Name], arg)
			}
			v[o.Name] = arg
		}
	}
	if n := c.Args().Len(); n > 1 || (n == 1 && !slices.ContainsFunc(opts, func(o importer.Option) bool { return o.Arg })) {
		// Go's flag package stops at the first argument: a flag after
		// the archive's path is taken for a second argument.
		arg := c.Command.ArgsUsage
		if arg != "" && slices.ContainsFunc(c.Args().Slice(), func(a string) bool { return strings.HasPrefix(a, "-") }) {
			return nil, usageError("unexpected arguments %q: flags go before the %s (%s [flags] %s)", c.Args().Slice(), arg, c.Command.HelpName, arg)
		}
		return nil, usageError("unexpected arguments %q", c.Args().Slice())
	}
	return v, nil
}

// runImport runs one plugin's job against the store and prints a summary.
func runImport(c *cli.Context, p importer.Plugin, values importer.Values, noWait bool) error {
	log, err := logger(c)
	if err != nil {
		return err
	}
	job, err := p.New(values)
	if err != nil {
		return err
	}
	pd, err := openPod(c)
	if err != nil {
		return err
	}
	defer pd.Close()

	var progress importer.Reporter
	if f, ok := c.App.ErrWriter.(*os.File); ok && importer.IsTerminal(f) && c.String("log-format") == "console" {
		progress = importer.NewTerminalReporter(f)
		// Log lines clear the progress line first; the bar is drawn
		// again below them at the next report.
		l := log.Output(zerolog.ConsoleWriter{Out: clearLine{f}, TimeFormat: "15:04:05"})
		log = &l
	} else {
		progress = importer.NewLogReporter(log)
	}
	start := time.Now()
	rec, err := importer.Run(c.Context, importer.RunConfig{
		Store: pd.store, Index: pd.index, NoWait: noWait, Log: log, Progress: progress,
	}, p, job)
	fmt.Fprintln(c.App.Writer, summary(rec, time.Since(start)))
	return err
}

func summary(r store.Run, took time.Duration) string {
	total := 0
	var eps []string
	for ep, n := range r.Requests {
		total += n
		eps = append(eps, fmt.Sprintf("%s %d", ep, n))
	}
	slices.Sort(eps)
	s := fmt.Sprintf("run %d: %s %s %s: %s written, %s in %s", r.ID, r.Plugin, r.Account, r.Status,
		plural(r.Written, "record"), plural(total, "request"), took.Round(time.Millisecond))
	if len(eps) > 0 {
		s += " (" + strings.Join(eps, ", ") + ")"
	}
	return s
}

// clearLine erases the terminal's current line (the progress bar) before
// each write.
type clearLine struct{ w io.Writer }

func (c clearLine) Write(p []byte) (int, error) {
	// One write, so that lines logged by several goroutines stay whole.
	if _, err := c.w.Write(append([]byte("\r\x1b[K"), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
