package importer

import (
	"context"
	"sync"
	"time"
)

// Clock is the time the importer reads and waits on: the system clock in a
// real run, a FakeClock in tests.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done, in which case it returns
	// ctx.Err(). A d of zero or less returns at once (with ctx.Err() if
	// ctx is already done).
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FakeClock is a Clock for tests: Sleep advances the time at once instead of
// waiting, and records how long was slept. It is safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  time.Duration
	sleeps []time.Duration
}

// NewFakeClock returns a FakeClock reading t0.
func NewFakeClock(t0 time.Time) *FakeClock { return &FakeClock{now: t0} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the fake time by d and returns at once; it returns
// ctx.Err() without advancing when ctx is already done.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	c.sleeps = append(c.sleeps, d)
	return nil
}

// Advance moves the fake time forward by d without counting it as slept.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Slept is the total time slept through Sleep.
func (c *FakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// Sleeps lists every Sleep's duration, in order.
func (c *FakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
