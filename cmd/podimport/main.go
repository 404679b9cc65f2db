// Command podimport imports a person's own social data into a local graph
// store and searches it. Commands are thin: flags, configuration and output
// formats; the work is done in the importer, store and index packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/index"
	"github.com/podimport/podimport/internal/memlimit"
	"github.com/podimport/podimport/store"

	_ "github.com/podimport/podimport/plugins/twitter"        // registers the twitter plugin
	_ "github.com/podimport/podimport/plugins/twitterarchive" // registers the twitter-archive plugin
)

// Durations are logged in whole milliseconds, under names that say so
// (took_ms, wait_ms, retry_in_ms): zerolog's default, a fraction of
// milliseconds with no unit, reads "took=558.40451" on a terminal.
func init() { zerolog.DurationFieldInteger = true }

// Exit codes, for scripts and for a host pod that launches the binary.
const (
	exitOK          = 0
	exitError       = 1
	exitConfig      = 2   // bad configuration; the message names the option
	exitAuth        = 3   // the platform refused the credentials
	exitRateLimited = 4   // a spent rate-limit window with --no-wait; run again to resume
	exitInterrupted = 130 // SIGINT; everything before the page in flight is committed
	exitTerminated  = 143 // SIGTERM; likewise
)

func main() {
	// The collector's settings for an import, within a container's memory
	// limit if there is one (internal/memlimit). They last as long as the
	// process.
	memlimit.Start()
	ctx, stop := notifySignals(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args, os.Stdout, os.Stderr))
}

// run is main without the process: IO injected so commands are testable.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := searchArgs(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "podimport:", err)
	return exitCode(ctx, err)
}

func exitCode(ctx context.Context, err error) int {
	switch {
	case errors.Is(err, importer.ErrConfig), errors.Is(err, errUsage):
		return exitConfig
	case errors.Is(err, importer.ErrAuth):
		return exitAuth
	case errors.Is(err, importer.ErrRateLimited):
		return exitRateLimited
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return interruptedCode(ctx)
	}
	return exitError
}

// errUsage marks a mistake in the command line.
var errUsage = errors.New("usage")

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func newApp(stdout, stderr io.Writer) *cli.App {
	// urfave/cli's CommandNotFound cannot return an error, so the mistake
	// is kept here and returned by After, which runs once the command line
	// has been dealt with.
	var notFound error
	app := &cli.App{
		Name:      "podimport",
		Usage:     "import your own social data into a local, searchable graph",
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by run, with the exit code they deserve.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		// `podimport bogus`, `podimport help bogus`, `podimport import help
		// bogus`: urfave/cli would print "No help topic for 'bogus'".
		CommandNotFound: func(c *cli.Context, name string) { notFound = unknownCommand(c, name) },
		After:           func(*cli.Context) error { return notFound },
		// Checked for every command, not only those that log: a mistake
		// in the command line is said even where it would change nothing.
		Before: func(c *cli.Context) error {
			if _, err := logLevel(c); err != nil {
				return err
			}
			if err := memlimit.CheckEnv(); err != nil {
				return usageError("%v", err)
			}
			return nil
		},
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "store", Usage: "store folder", EnvVars: []string{"PODIMPORT_STORE"}, Value: defaultStoreDir()},
			&cli.StringFlag{Name: "log-level", Usage: "debug, info, warn or error", Value: "info"},
			&cli.StringFlag{Name: "log-format", Usage: "console or json", Value: "console"},
		},
		Commands: []*cli.Command{
			importCommand(),
			searchCommand(),
			showCommand(),
			statsCommand(),
			exportCommand(),
			reindexCommand(),
			pluginsCommand(),
			demoCommand(),
			serveCommand(),
			podRunCommand(),
		},
	}
	setOnUsageError(app.Commands)
	return app
}

// onUsageError turns a flag urfave/cli could not parse (one not defined, a
// value that is not a number) into a usage error, which run prints once on
// stderr with exit code 2. Left to itself, urfave/cli prints "Incorrect
// Usage" and the whole help on stdout, where a script reading --json does
// not want it, and exits 1.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usageError("%v (%s --help lists the options)", err, c.Command.HelpName)
}

// urfave/cli adds one help command, shared by the app and every command
// (`podimport help`, `podimport import help`) and out of reach of
// setOnUsageError: a flag mistake there (`podimport help --bogus`) printed
// the help's own usage on stdout and exited 1. Setting it up once, here,
// gives that shared command onUsageError before any app runs.
func init() {
	app := &cli.App{Name: "podimport"}
	app.Setup()
	help := app.Command("help")
	help.HelpName = "podimport help"
	help.OnUsageError = onUsageError
}

// setOnUsageError gives every command, at any depth, onUsageError unless it
// has its own: urfave/cli does not pass App.OnUsageError down to commands.
func setOnUsageError(cmds []*cli.Command) {
	for _, cmd := range cmds {
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = onUsageError
		}
		setOnUsageError(cmd.Subcommands)
	}
}

// unknownCommand is the mistake of naming a command that does not exist,
// or after import a plugin that does not.
func unknownCommand(c *cli.Context, name string) error {
	switch c.Command.Name {
	case c.App.Name: // the root: `podimport bogus`, `podimport help bogus`
		return usageError("no command %q (podimport --help lists the commands)", name)
	case "import":
		return usageError("no plugin %q: podimport import takes one of %s (podimport plugins describes them)", name, pluginNames())
	}
	// `podimport show --help @bob`: urfave/cli takes the argument after
	// --help for a subcommand to show help on, and show has none. Help was
	// asked for: show the command's.
	cli.HelpPrinter(c.App.Writer, cli.CommandHelpTemplate, c.Command)
	return nil
}

// defaultStoreDir is $XDG_DATA_HOME/podimport, else ~/.local/share/podimport.
func defaultStoreDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "podimport")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "podimport")
	}
	return "podimport-data"
}

// logLevel is the level --log-level asks for, once it and --log-format
// are checked.
func logLevel(c *cli.Context) (zerolog.Level, error) {
	level, err := zerolog.ParseLevel(c.String("log-level"))
	if err != nil || level == zerolog.NoLevel {
		return 0, usageError("--log-level %q: want debug, info, warn or error", c.String("log-level"))
	}
	if f := c.String("log-format"); f != "console" && f != "json" {
		return 0, usageError("--log-format %q: want console or json", f)
	}
	return level, nil
}

// logger builds the logger the global flags ask for, writing to stderr.
func logger(c *cli.Context) (*zerolog.Logger, error) {
	level, err := logLevel(c)
	if err != nil {
		return nil, err
	}
	// Several goroutines log at once (the followings' timelines pool);
	// SyncWriter keeps each line whole whatever the writer is.
	var w io.Writer = zerolog.SyncWriter(c.App.ErrWriter)
	if c.String("log-format") == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05", NoColor: !isTerminal(c.App.ErrWriter)}
	}
	l := zerolog.New(w).Level(level).With().Timestamp().Logger()
	return &l, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && importer.IsTerminal(f)
}

// pod is an open store with its search index.
type pod struct {
	store *store.Store
	index *index.Index
}

// openPod opens the store named by --store and its index, which catches up
// with the store's change log on open, creating them if need be (for the
// commands that write).
func openPod(c *cli.Context) (*pod, error) {
	return openPodWith(c.Context, c.String("store"), store.Options{}, c.App.ErrWriter)
}

// openExistingPod is openPod for the commands that only read (and
// reindex): a --store that names no store is a mistake, not a new store.
func openExistingPod(c *cli.Context) (*pod, error) {
	return openPodWith(c.Context, c.String("store"), store.Options{MustExist: true}, c.App.ErrWriter)
}

// openPodAt opens the store in dir and its index.
func openPodAt(dir string) (*pod, error) {
	return openPodWith(context.Background(), dir, store.Options{}, io.Discard)
}

// openPodWith opens the store in dir and its index. When the index must be
// rebuilt first (a new version of its mapping, a damaged folder), which
// takes minutes on a large store, errw is told why and how far it has
// come, and a cancelled ctx (Ctrl-C) stops it.
func openPodWith(ctx context.Context, dir string, opts store.Options, errw io.Writer) (*pod, error) {
	s, err := openStoreWith(dir, opts)
	if err != nil {
		return nil, err
	}
	f, ok := errw.(*os.File)
	terminal := ok && importer.IsTerminal(f)
	redrawn := false // a progress line without its newline yet
	ix, err := index.OpenWith(filepath.Join(dir, "index.bleve"), s, index.OpenOptions{
		Context: ctx,
		// Why the index is rebuilt, then its progress: a line redrawn
		// on a terminal, else a line when the merges begin.
		Rebuilding: func(reason string, p index.RebuildProgress) {
			switch {
			case p == index.RebuildProgress{}:
				fmt.Fprintf(errw, "podimport: rebuilding the search index from the store (%s)\n", reason)
			case terminal:
				rebuildLine(errw, 0)(p)
				redrawn = !p.Merging
			case p.Merging:
				fmt.Fprintf(errw, "podimport: the search index is rebuilt: %d documents; merging its segments\n", p.Documents)
			}
		},
	})
	if err != nil {
		s.Close()
		if redrawn { // the error on a line of its own
			fmt.Fprintln(errw)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search index: %w before it was ready; the next open finishes it", context.Cause(ctx))
		}
		return nil, fmt.Errorf("search index: %w", err)
	}
	return &pod{store: s, index: ix}, nil
}

// openExistingStore opens the store named by --store, which must exist.
func openExistingStore(c *cli.Context) (*store.Store, error) {
	return openStoreWith(c.String("store"), store.Options{MustExist: true})
}

// openStoreWith opens the store in dir. When `podimport serve` holds it,
// the error says so and where its API is; when there is none and opts
// says there must be, the error is a usage error naming --store.
func openStoreWith(dir string, opts store.Options) (*store.Store, error) {
	s, err := store.Open(dir, opts)
	if errors.Is(err, store.ErrNoStore) {
		return nil, usageError("--store %s: no store there; check the folder (or PODIMPORT_STORE), or create one with podimport import", dir)
	}
	if errors.Is(err, store.ErrInUse) {
		if info, ok := readServeInfo(dir); ok {
			return nil, &heldByServeError{info: info, cause: err}
		}
	}
	return s, err
}

func (p *pod) Close() error {
	return errors.Join(p.index.Close(), p.store.Close())
}
