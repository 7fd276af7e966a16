package xpm

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/clock"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// Calls are spaced so that no 60-second window holds more than 60, and the
// budget is used (59 a minute).
func TestPacerSpacing(t *testing.T) {
	clk := clock.NewFake(testStart)
	p := NewPacer(PacerConfig{Clock: clk})
	var times []time.Time
	for i := 0; i < 300; i++ {
		tk, err := p.acquire(ctx, "op")
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, clk.Now())
		tk.done(nil, 200)
	}
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) <= time.Minute; j++ {
			n++
		}
		if n > 60 {
			t.Fatalf("%d calls in the minute from call %d", n, i)
		}
	}
	minutes := times[len(times)-1].Sub(times[0]).Minutes()
	if rate := float64(len(times)-1) / minutes; rate < 0.9*60 {
		t.Errorf("%.1f calls a minute", rate)
	}
	if st := p.Stats(); st.Calls != 300 || st.RateLimited != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPacerInFlightLimit(t *testing.T) {
	p := NewPacer(PacerConfig{Clock: clock.NewFake(testStart), MaxInFlight: 5})
	var tickets []*ticket
	for i := 0; i < 5; i++ {
		tk, err := p.acquire(ctx, "op")
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.acquire(cancelled, "op"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a sixth call was admitted: %v", err)
	}
	tickets[0].done(nil, 200)
	tickets[0].done(nil, 200) // twice is harmless
	tk, err := p.acquire(ctx, "op")
	if err != nil {
		t.Fatal(err)
	}
	tk.done(nil, 200)
	for _, tk := range tickets[1:] {
		tk.done(nil, 200)
	}
}

// A minute the server says is spent holds new calls until the oldest call
// of the last minute ages out; Retry-After holds them for as long as it says.
func TestPacerHeaderFeedback(t *testing.T) {
	clk := clock.NewFake(testStart)
	p := NewPacer(PacerConfig{Clock: clk})
	tk, _ := p.acquire(ctx, "op")
	first := clk.Now()
	tk.done(header("X-MinLimit-Remaining", "0", "X-DayLimit-Remaining", "4000", "X-AppMinLimit-Remaining", "9000"), 200)
	tk, _ = p.acquire(ctx, "op")
	if got := clk.Now().Sub(first); got < time.Minute {
		t.Errorf("admitted after %s, want a minute", got)
	}
	tk.done(header("X-MinLimit-Remaining", "59"), 200)
	if got := p.CallsLeftToday(); got != 3999 {
		t.Errorf("calls left %d", got)
	}

	tk, _ = p.acquire(ctx, "op")
	at := clk.Now()
	tk.done(header("Retry-After", "20", "X-Rate-Limit-Problem", "minute"), http.StatusTooManyRequests)
	tk, _ = p.acquire(ctx, "op")
	if got := clk.Now().Sub(at); got < 20*time.Second {
		t.Errorf("admitted %s after a 429 with Retry-After 20", got)
	}
	tk.done(nil, 200)
	if st := p.Stats(); st.RateLimited != 1 || st.Holds < 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestPacerDayLimit(t *testing.T) {
	clk := clock.NewFake(testStart)
	p := NewPacer(PacerConfig{Clock: clk, PerDay: 10})
	var first time.Time
	for i := 0; i < 10; i++ {
		tk, err := p.acquire(ctx, "op")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = clk.Now()
		}
		tk.done(nil, 200)
	}
	_, err := p.acquire(ctx, "client.api/list")
	var dl *DayLimitError
	if !errors.As(err, &dl) || !dl.Estimated || !dl.ResumeAt.Equal(first.Add(24*time.Hour)) || dl.Op != "client.api/list" {
		t.Fatalf("got %#v", err)
	}
	// Once the oldest call ages out, one slot frees up.
	clk.Set(first.Add(24*time.Hour + time.Second))
	if got := p.CallsLeftToday(); got != 1 {
		t.Errorf("calls left %d", got)
	}
	// The server's word counts too (calls made elsewhere).
	tk, err := p.acquire(ctx, "op")
	if err != nil {
		t.Fatal(err)
	}
	tk.done(header("X-DayLimit-Remaining", "0"), 200)
	if _, err := p.acquire(ctx, "op"); !errors.As(err, &dl) {
		t.Fatalf("got %v", err)
	}
}

func TestPacerETA(t *testing.T) {
	clk := clock.NewFake(testStart)
	p := NewPacer(PacerConfig{Clock: clk, PerDay: 100})
	est := p.ETA(60)
	if !est.FitsToday || est.CallsLeftToday != 100 || est.Duration != 59*p.interval {
		t.Errorf("ETA(60) %+v", est)
	}
	// Make the 60 calls: the forecast was right.
	start := clk.Now()
	for i := 0; i < 60; i++ {
		tk, _ := p.acquire(ctx, "op")
		tk.done(nil, 200)
	}
	if got := clk.Now().Sub(start); got != est.Duration {
		t.Errorf("took %s, forecast %s", got, est.Duration)
	}
	est = p.ETA(50)
	if est.FitsToday || est.CallsLeftToday != 40 || est.Duration < 23*time.Hour {
		t.Errorf("ETA(50) %+v", est)
	}
}

// With several goroutines the pacer still admits calls one at a time on
// the fake clock, so simulated time is what the real clock would show.
func TestPacerConcurrentSimulatedTime(t *testing.T) {
	clk := clock.NewFake(testStart)
	p := NewPacer(PacerConfig{Clock: clk})
	var wg sync.WaitGroup
	var n atomic.Int32
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= 120 {
				tk, err := p.acquire(ctx, "op")
				if err != nil {
					t.Error(err)
					return
				}
				tk.done(nil, 200)
			}
		}()
	}
	wg.Wait()
	want := 119 * p.interval
	if got := clk.Now().Sub(testStart); got < want || got > want+time.Second {
		t.Errorf("120 calls took %s simulated, want about %s", got, want)
	}
}

// invalidatingSource hands out a new token after InvalidateToken.
type invalidatingSource struct {
	mu  sync.Mutex
	gen int
}

func (s *invalidatingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &oauth2.Token{AccessToken: "tok-" + string(rune('a'+s.gen)), TokenType: "Bearer"}, nil
}

func (s *invalidatingSource) InvalidateToken(at string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at == "tok-"+string(rune('a'+s.gen)) {
		s.gen++
	}
}

// A 401 with a token source that can drop its token is tried once more
// with a fresh token; without one it is an UnauthorizedError.
func TestRejectedTokenRefreshedOnce(t *testing.T) {
	src := &invalidatingSource{}
	c, env := setup(t, func(cfg *Config) { cfg.TokenSource = src })
	var calls atomic.Int32
	env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer tok-b" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, 401, "AuthenticationUnsuccessful")
			return
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "staffList": []any{}})
	})
	if _, err := c.Staff.List(ctx); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls", calls.Load())
	}
	// Still refused with the fresh token: an error, not a loop.
	env.handle("/clientgroup.api/list", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeError(w, 401, "AuthenticationUnsuccessful")
	})
	calls.Store(0)
	_, err := c.Groups.List(ctx)
	var ue *UnauthorizedError
	if !errors.As(err, &ue) || calls.Load() != 2 {
		t.Fatalf("got %v after %d calls", err, calls.Load())
	}
}
