package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// signalCause is the cause of main's context when a signal stopped it.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string {
	if s.sig == syscall.SIGTERM {
		return "terminated (SIGTERM)"
	}
	return "interrupted (SIGINT)"
}

// notifySignals returns a context cancelled at the first SIGINT or SIGTERM,
// with a signalCause saying which. Later signals are ignored until stop, as
// with signal.NotifyContext: the run finishes the page in flight.
func notifySignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(signalCause{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(context.Canceled)
	}
}

// interruptedCode is the exit code of a run stopped by ctx: 143 (128 + 15)
// for SIGTERM, else 130 (128 + 2, SIGINT).
func interruptedCode(ctx context.Context) int {
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) && sc.sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}
