package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/importer"
	"github.com/podimport/podimport/podrun"
)

// podRunCommand is the container image's default command: one import whose
// whole job comes from the environment, reported to a memri pod.
func podRunCommand() *cli.Command {
	return &cli.Command{
		Name:  "pod-run",
		Usage: "run one import as a host pod launches it: the job from the environment, progress to the pod and stdout",
		Description: "Reads PODIMPORT_PLUGIN, PODIMPORT_ACCOUNT, PODIMPORT_STORE (default /data) and\n" +
			"PODIMPORT_OPTIONS (JSON of the plugin's options, named as the import flags:\n" +
			"{\"api-base\": \"…\", \"followings-tweets\": 5, \"no-wait\": true}), the plugin's credentials\n" +
			"(TWITTER_* …), and a memri pod's POD_FULL_ADDRESS, POD_OWNER, POD_AUTH_JSON and\n" +
			"POD_PLUGINRUN_ID (or POD_TARGET_ITEM, a PluginRun). With a pod, the PluginRun item gets\n" +
			"status started, progress 0..1, then done or error; setting its status to aborted stops\n" +
			"the run after the page in flight (exit code 0). Stdout gets one JSON status line per\n" +
			"change. Exit codes: 0 done (or aborted by the pod), 1 error, 2 bad configuration,\n" +
			"3 authentication failed, 4 rate limit with no-wait, 130 SIGINT, 143 SIGTERM.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-wait", Usage: "stop at a spent rate-limit window (exit code 4), as PODIMPORT_OPTIONS {\"no-wait\": true}"},
		},
		Action: runPodRun,
	}
}

func runPodRun(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return usageError("pod-run takes no arguments; it reads its job from the environment (got %q)", c.Args().Slice())
	}
	// Everything written to stderr goes through the redactor, which learns
	// the secrets as the environment is read.
	redact := podrun.NewRedactor()
	c.App.ErrWriter = redact.Writer(c.App.ErrWriter)
	log, err := logger(c)
	if err != nil {
		return err
	}
	dir := ""
	if c.IsSet("store") { // --store or PODIMPORT_STORE
		dir = c.String("store")
	}
	return podrun.Run(c.Context, podrun.Config{
		Getenv:   os.Getenv,
		Open:     openPodDir,
		Store:    dir,
		NoWait:   c.Bool("no-wait"),
		Stdout:   c.App.Writer,
		Log:      log,
		Redact:   redact,
		Progress: importer.NewLogReporter(log),
	})
}

// openPodDir opens the store in dir and its index for pod-run (the store
// creates the folder on a fresh volume).
func openPodDir(dir string) (importer.Store, importer.Indexer, func() error, error) {
	p, err := openPodAt(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	return p.store, p.index, p.Close, nil
}
