package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/podimport/podimport/api"
)

// tokenEnv names the environment variable holding the API token. It is
// never a flag: flags show in process lists.
const tokenEnv = "PODIMPORT_API_TOKEN"

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "hold the store open and serve the HTTP API: search, nodes, edges, count history, stats and background imports",
		Description: "Listens on 127.0.0.1:8080 unless --addr says otherwise. Listening on anything but a\n" +
			"loopback address requires " + tokenEnv + "; when it is set, every request must carry\n" +
			"\"Authorization: Bearer <token>\". Import credentials (TWITTER_*) are read from this\n" +
			"process's environment unless a request gives them. While serve runs, the other\n" +
			"commands cannot open the store and say where the API is. SIGINT or SIGTERM stops it:\n" +
			"running imports commit the batch in flight and are recorded as interrupted.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Usage: "host:port to listen on (anything but loopback requires $" + tokenEnv + ")", Value: "127.0.0.1:8080", EnvVars: []string{"PODIMPORT_ADDR"}},
			&cli.DurationFlag{Name: "shutdown-timeout", Usage: "how long to wait on SIGINT/SIGTERM for running imports and requests to stop", Value: 30 * time.Second},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return usageError("serve takes no arguments (got %q)", c.Args().Slice())
	}
	log, err := logger(c)
	if err != nil {
		return err
	}
	addr := c.String("addr")
	token := os.Getenv(tokenEnv)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q: want host:port, for example 127.0.0.1:8080", addr)
	}
	// A bad port is the flag's mistake (exit 2), not a failure to listen.
	if _, err := net.LookupPort("tcp", port); err != nil {
		return usageError("--addr %q: port %q: want a number from 0 to 65535", addr, port)
	}
	if token == "" && !isLoopbackHost(host) {
		return refuseNonLoopback(addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	ln = &onceCloseListener{Listener: ln}
	bound, _ := ln.Addr().(*net.TCPAddr)
	if token == "" && (bound == nil || !bound.IP.IsLoopback()) {
		ln.Close()
		return refuseNonLoopback(addr)
	}
	if token != "" && len(token) < 16 {
		log.Warn().Msg(tokenEnv + " is short: use 32 random characters or more")
	}

	pd, err := openPod(c)
	if err != nil {
		ln.Close()
		return err
	}
	// serve answers many searches: pages sorted by date come from dates
	// kept in memory (22 bytes a post).
	pd.index.KeepDates()
	dir := c.String("store")
	base := baseURL(bound)
	if err := writeServeInfo(dir, serveInfo{Addr: base, PID: os.Getpid(), Token: token != ""}); err != nil {
		ln.Close()
		return errors.Join(err, pd.Close())
	}

	apiSrv := api.New(api.Config{Store: pd.store, Index: pd.index, Log: log, Token: token})
	srv := &http.Server{
		Handler:           apiSrv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          stdlog.New(logWriter{log}, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(c.App.Writer, "podimport API on %s (store %s); stop it with Ctrl-C\n", base, dir)
	log.Info().Str("addr", base).Str("store", dir).Bool("token", token != "").Msg("serving")

	var serveErr error
	select {
	case <-c.Context.Done():
	case serveErr = <-served:
		serveErr = fmt.Errorf("http server: %w", serveErr)
	}

	// Stop accepting, interrupt the imports and wait for them to record how
	// they ended, let the requests in flight finish, then close the pod.
	log.Info().Msg("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), c.Duration("shutdown-timeout"))
	defer cancel()
	srv.SetKeepAlivesEnabled(false)
	_ = ln.Close()
	errs := []error{serveErr}
	if err := apiSrv.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		errs = append(errs, fmt.Errorf("http server: %w", err))
	}
	if err := os.Remove(filepath.Join(dir, serveInfoFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	errs = append(errs, pd.Close())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info().Msg("stopped")
	return nil
}

func refuseNonLoopback(addr string) error {
	return usageError("refusing to serve on %s, which is not a loopback address, without %s: "+
		"set %s to a long random secret (clients then send \"Authorization: Bearer <token>\"), "+
		"or listen on 127.0.0.1", addr, tokenEnv, tokenEnv)
}

// isLoopbackHost reports whether host (of --addr) is a loopback name or
// address. "" (every interface) is not.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// baseURL is the URL a local client reaches the listener at.
func baseURL(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		// Every interface: Go's "tcp" listeners on 0.0.0.0 or [::] are
		// dual-stack, so IPv4 loopback reaches them.
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// onceCloseListener may be closed twice (by the shutdown and by the
// http.Server).
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// logWriter sends the http.Server's own error lines to the logger.
type logWriter struct{ log *zerolog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Warn().Str("component", "http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}

// serveInfoFile is written into the store's folder while `podimport serve`
// holds the store, so that other commands can say where its API is.
const serveInfoFile = "serve.json"

type serveInfo struct {
	Addr  string `json:"addr"` // base URL: http://127.0.0.1:8080
	PID   int    `json:"pid"`
	Token bool   `json:"token,omitempty"` // requests need the token
}

// writeServeInfo writes the file (0600) in one rename, so a reader never
// sees half of it.
func writeServeInfo(dir string, info serveInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".serve-*.json")
	if err != nil {
		return fmt.Errorf("writing %s: %w", serveInfoFile, err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o600)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", serveInfoFile, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, serveInfoFile)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", serveInfoFile, err)
	}
	return nil
}

// readServeInfo reads the file of a `podimport serve` that is still
// running; ok is false when there is none (or it was left by a serve that
// crashed).
func readServeInfo(dir string) (info serveInfo, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, serveInfoFile))
	if err != nil || json.Unmarshal(b, &info) != nil || info.Addr == "" {
		return info, false
	}
	return info, processAlive(info.PID)
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true // FindProcess opened it
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// heldByServeError is the error of opening a store that `podimport serve`
// holds. It wraps the store's ErrInUse error.
type heldByServeError struct {
	info  serveInfo
	cause error
}

func (e *heldByServeError) Error() string {
	auth := ""
	if e.info.Token {
		auth = ` -H "Authorization: Bearer $` + tokenEnv + `"`
	}
	return fmt.Sprintf("the store is held by \"podimport serve\" (pid %d); use its API at %s (for example curl%s '%s/v1/search?q=…') or stop it",
		e.info.PID, e.info.Addr, auth, e.info.Addr)
}

func (e *heldByServeError) Unwrap() error { return e.cause }
