package clock

import (
	"context"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func TestFakeAutoAdvance(t *testing.T) {
	f := NewFake(t0)
	if err := f.Sleep(context.Background(), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := f.Now().Sub(t0); got != 90*time.Second {
		t.Fatalf("advanced %v, want 90s", got)
	}
	if f.Slept() != 90*time.Second {
		t.Fatalf("slept %v", f.Slept())
	}
}

func TestFakeManualWakesOnAdvance(t *testing.T) {
	f := NewManualFake(t0)
	done := make(chan struct{})
	go func() {
		_ = f.Sleep(context.Background(), time.Minute)
		close(done)
	}()
	for f.Sleepers() == 0 {
		time.Sleep(time.Millisecond)
	}
	f.Advance(30 * time.Second)
	select {
	case <-done:
		t.Fatal("woke too early")
	case <-time.After(20 * time.Millisecond):
	}
	f.Advance(30 * time.Second)
	<-done
}

func TestFakeSleepHonoursCancel(t *testing.T) {
	f := NewManualFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- f.Sleep(ctx, time.Hour) }()
	for f.Sleepers() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if f.Sleepers() != 0 {
		t.Fatal("waiter not removed")
	}
}
