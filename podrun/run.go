package podrun

import (
	"context"
	"io"

	"github.com/rs/zerolog"

	"github.com/podimport/podimport/importer"
)

// Opener opens the store folder dir with its search index. close releases
// both. index may be nil.
type Opener func(dir string) (st importer.Store, index importer.Indexer, close func() error, err error)

// Config is what Run needs besides the environment's job.
type Config struct {
	// Getenv reads the environment (os.Getenv).
	Getenv Getenv
	// Open opens the store.
	Open Opener
	// Store, when set, overrides PODIMPORT_STORE (a --store flag).
	Store string
	// NoWait, when set, stops at a spent rate-limit window whatever
	// PODIMPORT_OPTIONS says (a --no-wait flag).
	NoWait bool
	// Stdout receives the JSON status lines.
	Stdout io.Writer
	// Log is the run's logger; its output should go through Redact.
	Log *zerolog.Logger
	// Redact collects the secrets as they are read (nil: a new one).
	Redact *Redactor
	// Progress, if set, also receives the importer's progress (log lines).
	Progress importer.Reporter
	// Session tunes the pod reporting; Pod, Stdout, Log and Redact are set
	// by Run.
	Session SessionOptions
	// HTTP, if set, configures the importer's clients (tests).
	HTTP importer.ClientConfig
}

// Run reads the job and the pod from the environment and imports, reporting
// to stdout and to the pod. The error classes are the importer's
// (ErrConfig, ErrAuth, ErrRateLimited, context.Canceled for a signal); an
// abort by the pod returns nil.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Redact == nil {
		cfg.Redact = NewRedactor()
	}
	log := zerolog.Nop()
	if cfg.Log != nil {
		log = *cfg.Log
	}
	opts := cfg.Session
	opts.Stdout, opts.Log, opts.Redact = cfg.Stdout, &log, cfg.Redact
	pod, err := LoadPod(cfg.Getenv)
	if err != nil {
		// Without a valid pod configuration there is no pod to tell, but
		// stdout gets its error line like any other configuration error.
		return NewSession(ctx, opts).Finish(err)
	}
	opts.Pod = pod
	sess := NewSession(ctx, opts)
	if pod != nil {
		log.Info().Str("pod", pod.Address).Str("pluginrun", pod.RunID).Msg("reporting to the pod")
	}

	job, err := LoadJob(cfg.Getenv)
	if err != nil {
		return sess.Finish(err)
	}
	cfg.Redact.Add(job.Secrets...)
	if err := job.checkRequired(); err != nil {
		return sess.Finish(err)
	}
	j, err := job.Plugin.New(job.Values)
	if err != nil {
		return sess.Finish(err)
	}
	dir := job.Store
	if cfg.Store != "" {
		dir = cfg.Store
	}
	st, ix, closeStore, err := cfg.Open(dir)
	if err != nil {
		return sess.Finish(err)
	}

	sess.Begin(job.Plugin.Name(), j.Account(), StreamsOf(job.Plugin, job.Values))
	var progress importer.Reporter = sess
	if cfg.Progress != nil {
		progress = reporters{sess, cfg.Progress}
	}
	_, err = importer.Run(sess.Context(), importer.RunConfig{
		Store:    st,
		Index:    ix,
		NoWait:   job.NoWait || cfg.NoWait,
		Log:      &log,
		Progress: progress,
		HTTP:     cfg.HTTP,
	}, job.Plugin, j)
	// The store is closed before the final report, which may take a while
	// when the pod does not answer: a container stopped meanwhile leaves a
	// closed store.
	if cerr := closeStore(); cerr != nil {
		log.Error().Err(cerr).Msg("closing the store")
	}
	return sess.Finish(err)
}

// reporters sends each report to all of them.
type reporters []importer.Reporter

func (rs reporters) Report(s importer.Status) {
	for _, r := range rs {
		r.Report(s)
	}
}
