package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits are Xero's API limits (developer FAQ, NOTES.md). The zero value
// is Xero's real limits: per tenant 60 calls a minute, 5,000 a day and 5 in
// flight; per app 10,000 calls a minute.
type Limits struct {
	// Off disables every limit and the limit headers (demos).
	Off bool
	// Scale multiplies every limit (0 means 1). Scale 10 allows 600 calls a
	// minute per tenant, and so on.
	Scale float64
	// Explicit values override Xero's before scaling (0 = Xero's).
	PerMinute    int
	PerDay       int
	Concurrent   int
	AppPerMinute int
}

// Xero's numbers.
const (
	XeroPerMinute    = 60
	XeroPerDay       = 5000
	XeroConcurrent   = 5
	XeroAppPerMinute = 10000
)

func (l Limits) resolved() (perMin, perDay, conc, appMin int) {
	pick := func(v, def int) int {
		if v <= 0 {
			v = def
		}
		sc := l.Scale
		if sc <= 0 {
			sc = 1
		}
		n := int(math.Round(float64(v) * sc))
		if n < 1 {
			n = 1
		}
		return n
	}
	return pick(l.PerMinute, XeroPerMinute), pick(l.PerDay, XeroPerDay), pick(l.Concurrent, XeroConcurrent), pick(l.AppPerMinute, XeroAppPerMinute)
}

// ParseLimits reads the --limits flag: "on", "off" or "scale:X".
func ParseLimits(s string) (Limits, error) {
	switch {
	case s == "" || s == "on":
		return Limits{}, nil
	case s == "off":
		return Limits{Off: true}, nil
	case strings.HasPrefix(s, "scale:"):
		f, err := strconv.ParseFloat(strings.TrimPrefix(s, "scale:"), 64)
		if err != nil || f <= 0 {
			return Limits{}, fmt.Errorf("limits %q: the scale must be a positive number, e.g. scale:10", s)
		}
		return Limits{Scale: f}, nil
	}
	return Limits{}, fmt.Errorf("limits %q: use on, off or scale:X", s)
}

// window counts calls in a fixed window that opens with the first call.
type window struct {
	start time.Time
	n     int
}

func (w *window) roll(now time.Time, length time.Duration) {
	if w.start.IsZero() || !now.Before(w.start.Add(length)) {
		w.start = now
		w.n = 0
	}
}

func (w *window) retryAfter(now time.Time, length time.Duration) int {
	d := w.start.Add(length).Sub(now)
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return secs
}

type tenantLimit struct {
	minute, day window
	inflight    int
}

type limiter struct {
	mu                          sync.Mutex
	off                         bool
	perMin, perDay, conc, appMn int
	tenants                     map[string]*tenantLimit
	apps                        map[string]*window
}

func newLimiter(l Limits) *limiter {
	lim := &limiter{tenants: map[string]*tenantLimit{}, apps: map[string]*window{}}
	lim.set(l)
	return lim
}

func (l *limiter) set(cfg Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.off = cfg.Off
	l.perMin, l.perDay, l.conc, l.appMn = cfg.resolved()
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tenants = map[string]*tenantLimit{}
	l.apps = map[string]*window{}
}

// limitResult says what happened to one call.
type limitResult struct {
	off        bool   // limits are switched off: no headers
	problem    string // "", "day", "minute", "appminute", "concurrent"
	retryAfter int
	dayLeft    int
	minLeft    int
	appMinLeft int
	release    func()
}

// acquire counts a call for tenant and app. Refused calls do not use up
// quota. release must be called when the answer is complete.
func (l *limiter) acquire(now time.Time, tenantID, clientID string) limitResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.off {
		return limitResult{off: true, release: func() {}}
	}
	t := l.tenants[tenantID]
	if t == nil {
		t = &tenantLimit{}
		l.tenants[tenantID] = t
	}
	a := l.apps[clientID]
	if a == nil {
		a = &window{}
		l.apps[clientID] = a
	}
	t.minute.roll(now, time.Minute)
	t.day.roll(now, 24*time.Hour)
	a.roll(now, time.Minute)
	res := limitResult{release: func() {}}
	fill := func() {
		res.dayLeft = max(l.perDay-t.day.n, 0)
		res.minLeft = max(l.perMin-t.minute.n, 0)
		res.appMinLeft = max(l.appMn-a.n, 0)
	}
	switch {
	case t.day.n >= l.perDay:
		res.problem, res.retryAfter = "day", t.day.retryAfter(now, 24*time.Hour)
	case t.minute.n >= l.perMin:
		res.problem, res.retryAfter = "minute", t.minute.retryAfter(now, time.Minute)
	case a.n >= l.appMn:
		res.problem, res.retryAfter = "appminute", a.retryAfter(now, time.Minute)
	case t.inflight >= l.conc:
		res.problem, res.retryAfter = "concurrent", 1
	}
	if res.problem != "" {
		fill()
		return res
	}
	t.day.n++
	t.minute.n++
	a.n++
	t.inflight++
	fill()
	var once sync.Once
	res.release = func() {
		once.Do(func() {
			l.mu.Lock()
			t.inflight--
			l.mu.Unlock()
		})
	}
	return res
}

func (res limitResult) setHeaders(h http.Header) {
	if res.off {
		return
	}
	h.Set("X-DayLimit-Remaining", strconv.Itoa(res.dayLeft))
	h.Set("X-MinLimit-Remaining", strconv.Itoa(res.minLeft))
	h.Set("X-AppMinLimit-Remaining", strconv.Itoa(res.appMinLeft))
	if res.problem != "" {
		h.Set("Retry-After", strconv.Itoa(res.retryAfter))
		h.Set("X-Rate-Limit-Problem", res.problem)
	}
}

// SetLimits changes the limits at run time (counters are kept).
func (s *Server) SetLimits(l Limits) { s.limiter.set(l) }
