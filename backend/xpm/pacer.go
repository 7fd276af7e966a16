package xpm

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"structura/backend/clock"
)

// Xero's documented limits per tenant (and per app across tenants).
const (
	DefaultPerMinute   = 60
	DefaultPerDay      = 5000
	DefaultMaxInFlight = 5
)

// PacerConfig configures a Pacer. Zero fields take Xero's limits.
type PacerConfig struct {
	Clock       clock.Clock // default clock.Real{}
	PerMinute   int         // calls a minute per tenant (60)
	PerDay      int         // calls a day per tenant (5,000)
	MaxInFlight int         // concurrent calls per tenant (5)
}

// Pacer keeps one tenant's calls inside Xero's limits so that normal work
// never meets a 429:
//
//   - at most MaxInFlight calls are in flight at once;
//   - calls are spaced by a token bucket (x/time/rate, burst 1) at
//     PerMinute-1 a minute, so no 60-second window, fixed or sliding, ever
//     holds more than PerMinute calls;
//   - X-MinLimit-Remaining and X-AppMinLimit-Remaining from each answer hold
//     new calls back when the server's count (which includes other devices
//     using the same app and tenant) says the minute is spent;
//   - a 429 holds every call until its Retry-After has passed;
//   - when X-DayLimit-Remaining, a 429 for the day, or the pacer's own count
//     of the last 24 hours says the day's budget is spent, calls stop with a
//     *DayLimitError that says when work can resume.
//
// All waiting goes through the injected clock, and admission is serialised
// so that with an auto-advancing fake clock simulated time matches what the
// real clock would show. A Pacer is safe for concurrent use; share one per
// tenant between clients.
type Pacer struct {
	clk         clock.Clock
	perMinute   int
	perDay      int
	maxInFlight int
	interval    time.Duration // spacing between calls

	slots chan struct{} // in-flight calls
	gate  chan struct{} // one goroutine is admitted at a time

	mu        sync.Mutex
	lim       *rate.Limiter
	sent      []time.Time // admission times within the last 24 hours
	seq       uint64      // admissions so far
	holdUntil time.Time   // no call before this (Retry-After, spent minute)
	dayResume time.Time   // no call before this: the day is spent
	dayExact  bool        // dayResume came from the server
	minute    observation
	appMinute observation
	day       observation
	stats     PacerStats
	// pending holds admitted calls whose request has not reached the
	// server yet (no answer byte, no error).
	pending map[uint64]chan struct{}
}

// observation is a remaining-calls header and the admission it answered.
type observation struct {
	known     bool
	remaining int
	seq       uint64 // admission number of the call that carried it
	consumed  bool   // a hold has already been taken for it
}

// PacerStats counts what a pacer did.
type PacerStats struct {
	Calls       int           // calls admitted
	RateLimited int           // 429 answers seen
	Waited      time.Duration // total time calls waited to be admitted
	Holds       int           // times a header or 429 held calls back
}

// NewPacer returns a pacer for one tenant.
func NewPacer(cfg PacerConfig) *Pacer {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = DefaultPerMinute
	}
	if cfg.PerDay <= 0 {
		cfg.PerDay = DefaultPerDay
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	perMin := cfg.PerMinute - 1 // burst 1 + (n-1)/minute ≤ n in any window
	if perMin < 1 {
		perMin = 1
	}
	interval := time.Minute / time.Duration(perMin)
	p := &Pacer{
		clk:         cfg.Clock,
		perMinute:   cfg.PerMinute,
		perDay:      cfg.PerDay,
		maxInFlight: cfg.MaxInFlight,
		interval:    interval,
		slots:       make(chan struct{}, cfg.MaxInFlight),
		gate:        make(chan struct{}, 1),
		lim:         rate.NewLimiter(rate.Every(interval), 1),
		pending:     map[uint64]chan struct{}{},
	}
	return p
}

// ticket is one admitted call; release it with done once its answer has
// been read.
type ticket struct {
	p           *Pacer
	seq         uint64
	once        sync.Once
	arriveOnce  sync.Once
	arrivedChan chan struct{}
}

// arrived records that the call's request reached the server (its answer
// began, or it failed).
func (t *ticket) arrived() {
	t.arriveOnce.Do(func() {
		t.p.mu.Lock()
		delete(t.p.pending, t.seq)
		t.p.mu.Unlock()
		close(t.arrivedChan)
	})
}

// waitArrivals waits until the calls already admitted have reached the
// server, for at most one call interval of real time. Admission (and any
// other pacer-driven sleep) starts from there, so the server sees calls
// spaced as admitted even when their transit times differ; with a fake
// clock it keeps simulated time from jumping while a request is on its way.
func (p *Pacer) waitArrivals(ctx context.Context) error {
	p.mu.Lock()
	var chans []chan struct{}
	for _, ch := range p.pending {
		chans = append(chans, ch)
	}
	p.mu.Unlock()
	if len(chans) == 0 {
		return nil
	}
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	for _, ch := range chans {
		select {
		case <-ch:
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Sleep waits d on the pacer's clock once the calls in transit have reached
// the server (see waitArrivals). Retry backoff uses it.
func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if err := p.waitArrivals(ctx); err != nil {
		return err
	}
	return p.clk.Sleep(ctx, d)
}

func acquireChan(ctx context.Context, ch chan struct{}) error {
	select {
	case ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// acquire waits until a call may be made. It returns a *DayLimitError when
// the day's budget is spent, or ctx's error.
func (p *Pacer) acquire(ctx context.Context, op string) (*ticket, error) {
	if err := acquireChan(ctx, p.slots); err != nil {
		return nil, err
	}
	if err := acquireChan(ctx, p.gate); err != nil {
		<-p.slots
		return nil, err
	}
	defer func() { <-p.gate }()

	if err := p.waitArrivals(ctx); err != nil {
		<-p.slots
		return nil, err
	}
	start := p.clk.Now()
	fail := func(err error) (*ticket, error) {
		<-p.slots
		return nil, err
	}
	// Wait out holds (Retry-After, spent minute); stop on a spent day.
	waitHolds := func() error {
		for {
			p.mu.Lock()
			now := p.clk.Now()
			if err := p.dayCheckLocked(now, op); err != nil {
				p.mu.Unlock()
				return err
			}
			wait := p.holdLocked(now)
			p.mu.Unlock()
			if wait <= 0 {
				return nil
			}
			if err := p.clk.Sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	if err := waitHolds(); err != nil {
		return fail(err)
	}
	p.mu.Lock()
	now := p.clk.Now()
	r := p.lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	p.mu.Unlock()
	if delay > 0 {
		if err := p.clk.Sleep(ctx, delay); err != nil {
			p.mu.Lock()
			r.CancelAt(p.clk.Now())
			p.mu.Unlock()
			return fail(err)
		}
	}
	// A 429 may have arrived while this call waited for its turn.
	if err := waitHolds(); err != nil {
		return fail(err)
	}
	p.mu.Lock()
	now = p.clk.Now()
	p.seq++
	p.sent = append(p.sent, now)
	p.stats.Calls++
	p.stats.Waited += now.Sub(start)
	t := &ticket{p: p, seq: p.seq, arrivedChan: make(chan struct{})}
	p.pending[t.seq] = t.arrivedChan
	p.mu.Unlock()
	return t, nil
}

// pruneLocked drops admissions older than 24 hours.
func (p *Pacer) pruneLocked(now time.Time) {
	cut := now.Add(-24 * time.Hour)
	i := 0
	for i < len(p.sent) && !p.sent[i].After(cut) {
		i++
	}
	if i > 0 {
		p.sent = append(p.sent[:0], p.sent[i:]...)
	}
}

// callsLeftTodayLocked is the smaller of the pacer's own count and the
// server's last word (less the calls admitted since).
func (p *Pacer) callsLeftTodayLocked(now time.Time) int {
	p.pruneLocked(now)
	left := p.perDay - len(p.sent)
	if p.day.known {
		if srv := p.day.remaining - int(p.seq-p.day.seq); srv < left {
			left = srv
		}
	}
	if now.Before(p.dayResume) {
		left = 0
	}
	if left < 0 {
		left = 0
	}
	return left
}

func (p *Pacer) dayCheckLocked(now time.Time, op string) error {
	if p.callsLeftTodayLocked(now) > 0 {
		return nil
	}
	resume, exact := p.dayResumeLocked(now)
	return &DayLimitError{ErrorInfo: ErrorInfo{Op: op}, ResumeAt: resume, Estimated: !exact}
}

// dayResumeLocked estimates when the day's budget frees up: the server's
// Retry-After when known; else when the oldest call the pacer made in the
// last 24 hours ages out; else a full day from now (calls made elsewhere).
func (p *Pacer) dayResumeLocked(now time.Time) (time.Time, bool) {
	if now.Before(p.dayResume) {
		return p.dayResume, p.dayExact
	}
	p.pruneLocked(now)
	if len(p.sent) > 0 {
		return p.sent[0].Add(24 * time.Hour), false
	}
	return now.Add(24 * time.Hour), false
}

// holdLocked returns how long new calls must wait because of a 429 or
// because the server says the minute is spent.
func (p *Pacer) holdLocked(now time.Time) time.Duration {
	wait := p.holdUntil.Sub(now)
	for _, o := range []observation{p.minute, p.appMinute} {
		if !o.known || o.consumed || o.remaining-int(p.seq-o.seq) > 0 {
			continue
		}
		// Spent: wait until the oldest call of the last minute ages out
		// (a full minute if the calls were made elsewhere).
		until := now.Add(time.Minute)
		cut := now.Add(-time.Minute)
		if i := sort.Search(len(p.sent), func(i int) bool { return p.sent[i].After(cut) }); i < len(p.sent) {
			until = p.sent[i].Add(time.Minute)
		}
		if d := until.Sub(now); d > wait {
			wait = d
		}
		if until.After(p.holdUntil) {
			p.holdUntil = until
			p.stats.Holds++
		}
	}
	// The hold now covers these observations.
	for _, o := range []*observation{&p.minute, &p.appMinute} {
		if o.known && o.remaining-int(p.seq-o.seq) <= 0 {
			o.consumed = true
		}
	}
	return wait
}

// done releases the call's slot and feeds the answer's headers back (h may
// be nil when no answer came).
func (t *ticket) done(h http.Header, status int) {
	t.arrived()
	t.once.Do(func() {
		p := t.p
		defer func() { <-p.slots }()
		if h == nil {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		now := p.clk.Now()
		p.observeLocked(&p.minute, h.Get("X-MinLimit-Remaining"), t.seq)
		p.observeLocked(&p.appMinute, h.Get("X-AppMinLimit-Remaining"), t.seq)
		p.observeLocked(&p.day, h.Get("X-DayLimit-Remaining"), t.seq)
		if status != http.StatusTooManyRequests {
			return
		}
		p.stats.RateLimited++
		ra := retryAfter(h, now)
		if ra <= 0 {
			ra = time.Minute / time.Duration(p.perMinute)
		}
		until := now.Add(ra)
		if strings.EqualFold(h.Get("X-Rate-Limit-Problem"), "day") {
			if until.After(p.dayResume) {
				p.dayResume, p.dayExact = until, true
			}
			return
		}
		if until.After(p.holdUntil) {
			p.holdUntil = until
			p.stats.Holds++
		}
	})
}

// observeLocked keeps the newest observation (by admission number).
func (p *Pacer) observeLocked(o *observation, v string, seq uint64) {
	if v == "" {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return
	}
	if o.known && seq <= o.seq {
		return
	}
	*o = observation{known: true, remaining: n, seq: seq}
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}

// CallsLeftToday returns how many calls the tenant may still make today, by
// the pacer's own count and the server's last X-DayLimit-Remaining.
func (p *Pacer) CallsLeftToday() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.callsLeftTodayLocked(p.clk.Now())
}

// Estimate is the pacer's forecast for a number of calls.
type Estimate struct {
	Calls          int
	CallsLeftToday int
	// FitsToday is false when the calls exceed today's budget; Duration then
	// includes the wait for the budget to free up.
	FitsToday bool
	// Duration is how long the calls will take at the paced rate from now,
	// assuming every call is answered at once.
	Duration time.Duration
	// Finish is Now plus Duration.
	Finish time.Time
}

// ETA forecasts how long n more calls will take.
func (p *Pacer) ETA(n int) Estimate {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clk.Now()
	left := p.callsLeftTodayLocked(now)
	start := now
	if p.holdUntil.After(start) {
		start = p.holdUntil
	}
	est := Estimate{Calls: n, CallsLeftToday: left, FitsToday: n <= left}
	paced := func(from time.Time, k int) time.Time {
		if k <= 0 {
			return from
		}
		free := int(p.lim.TokensAt(from))
		if free > k {
			free = k
		}
		return from.Add(time.Duration(k-free) * p.interval)
	}
	var end time.Time
	if est.FitsToday {
		end = paced(start, n)
	} else {
		end = paced(start, left)
		resume, _ := p.dayResumeLocked(now)
		if resume.After(end) {
			end = resume
		}
		end = end.Add(time.Duration(n-left) * p.interval)
	}
	est.Duration = end.Sub(now)
	est.Finish = end
	return est
}

// Stats returns what the pacer has done so far.
func (p *Pacer) Stats() PacerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}
