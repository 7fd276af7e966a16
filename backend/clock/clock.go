// Package clock abstracts time so that code which depends on it (token
// expiry, rate limits, job ETAs) can be tested with a fake clock that never
// sleeps for real.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the time source used across the backend.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Now returns the current wall-clock time.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits for d on the wall clock or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Fake is a manually or automatically advanced clock for tests.
//
// With AutoAdvance set (the default from NewFake), Sleep moves the clock
// forward by the requested duration at once, so code that paces itself runs
// at full speed while the simulated time is still measured. Concurrent
// sleepers each move the clock to at least their own wake-up time: the clock
// never goes backwards.
//
// Without AutoAdvance, Sleep blocks until Advance moves the clock past the
// sleeper's wake-up time.
type Fake struct {
	mu          sync.Mutex
	now         time.Time
	autoAdvance bool
	waiters     []*waiter
	slept       time.Duration
}

type waiter struct {
	until time.Time
	ch    chan struct{}
}

// NewFake returns an auto-advancing fake clock set to start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, autoAdvance: true}
}

// NewManualFake returns a fake clock that only moves when Advance or Set is
// called.
func NewManualFake(start time.Time) *Fake {
	return &Fake{now: start}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep advances (auto mode) or waits for Advance (manual mode).
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	f.mu.Lock()
	f.slept += d
	until := f.now.Add(d)
	if f.autoAdvance {
		if until.After(f.now) {
			f.now = until
		}
		f.wakeLocked()
		f.mu.Unlock()
		return nil
	}
	w := &waiter{until: until, ch: make(chan struct{})}
	f.waiters = append(f.waiters, w)
	f.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		for i, x := range f.waiters {
			if x == w {
				f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
				break
			}
		}
		f.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the clock forward by d and wakes sleepers that are due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.wakeLocked()
}

// Set moves the clock to t (never backwards) and wakes sleepers that are due.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.now = t
	}
	f.wakeLocked()
}

// Slept reports the total duration requested by all Sleep calls so far.
func (f *Fake) Slept() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slept
}

// Sleepers reports how many goroutines are blocked in Sleep (manual mode).
func (f *Fake) Sleepers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

func (f *Fake) wakeLocked() {
	sort.Slice(f.waiters, func(i, j int) bool { return f.waiters[i].until.Before(f.waiters[j].until) })
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.until.After(f.now) {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	f.waiters = kept
}
