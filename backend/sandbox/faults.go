package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Fault kinds.
const (
	FaultStatus      = "status"       // answer Status (500, 502, 503, 504, 409 …) without running the operation
	FaultLatency     = "latency"      // wait Latency (on the injected clock) before answering
	FaultResetBefore = "reset-before" // drop the connection before the operation runs
	FaultResetAfter  = "reset-after"  // run the operation (a write is applied), then drop the connection
	FaultTruncate    = "truncate"     // run the operation, send half the body, drop the connection
	FaultMalformed   = "malformed"    // run the operation, answer 200 with broken JSON
	FaultExpireToken = "expire-token" // the caller's access token expires now (401)
)

// FaultConfig injects failures. Decisions are deterministic: a rule fires
// on the n-th call that matches it when n is listed in Nth, or when a hash
// of (Seed, rule index, n) falls below Rate. The same seed and the same
// sequence of calls give the same faults in the same places.
type FaultConfig struct {
	// Seed for Rate decisions (0 = Options.Seed).
	Seed  int64       `json:"seed,omitempty"`
	Rules []FaultRule `json:"rules"`
}

// FaultRule is one kind of failure on matching calls.
type FaultRule struct {
	// Operation is an operation name such as "client.api/update",
	// "client.api/get/{identifier}", "identity/token" or
	// "identity/connections"; a trailing * matches a prefix ("client.api/*",
	// "*").
	Operation string `json:"operation"`
	// Method limits the rule to one HTTP method ("" = any).
	Method string `json:"method,omitempty"`
	// Tenant limits the rule to one tenant id ("" = any).
	Tenant string `json:"tenant,omitempty"`
	Kind   string `json:"kind"`
	// Status for kind "status".
	Status int `json:"status,omitempty"`
	// Latency for kind "latency", e.g. "2s".
	Latency Duration `json:"latency,omitempty"`
	// Rate is the probability (0..1) that a matching call fails.
	Rate float64 `json:"rate,omitempty"`
	// Nth lists 1-based numbers of matching calls that fail (overrides
	// Rate).
	Nth []int `json:"nth,omitempty"`
	// Times caps how often the rule fires (0 = no cap).
	Times int `json:"times,omitempty"`
}

// Duration is a time.Duration written as "1.5s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1.5s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("latency %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("latency must be text like \"2s\" or milliseconds")
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// LoadFaultFile reads a FaultConfig from a JSON file.
func LoadFaultFile(path string) (*FaultConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read faults file: %w", err)
	}
	var fc FaultConfig
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, fmt.Errorf("faults file %s: %w", path, err)
	}
	return &fc, nil
}

func (fc *FaultConfig) validate() error {
	for i, r := range fc.Rules {
		if r.Operation == "" {
			return fmt.Errorf("fault rule %d: operation is required (use * for every operation)", i+1)
		}
		switch r.Kind {
		case FaultStatus:
			if r.Status < 400 || r.Status > 599 {
				return fmt.Errorf("fault rule %d: status must be an HTTP error code", i+1)
			}
		case FaultLatency:
			if r.Latency <= 0 {
				return fmt.Errorf("fault rule %d: latency must be positive", i+1)
			}
		case FaultResetBefore, FaultResetAfter, FaultTruncate, FaultMalformed, FaultExpireToken:
		default:
			return fmt.Errorf("fault rule %d: unknown kind %q", i+1, r.Kind)
		}
		if r.Rate < 0 || r.Rate > 1 {
			return fmt.Errorf("fault rule %d: rate must be between 0 and 1", i+1)
		}
		if r.Rate == 0 && len(r.Nth) == 0 {
			return fmt.Errorf("fault rule %d: give a rate or the numbers of the calls that fail (nth)", i+1)
		}
	}
	return nil
}

type faultState struct {
	cfg   FaultConfig
	seed  int64
	seen  []int // matching calls per rule
	fired []int
}

// SetFaults replaces the fault configuration and restarts its counters
// (nil = no faults).
func (s *Server) SetFaults(fc *FaultConfig) error {
	st := &faultState{}
	if fc != nil {
		if err := fc.validate(); err != nil {
			return err
		}
		st.cfg = *fc
		st.cfg.Rules = append([]FaultRule(nil), fc.Rules...)
	}
	st.seed = st.cfg.Seed
	if st.seed == 0 {
		st.seed = s.opts.Seed
	}
	st.seen = make([]int, len(st.cfg.Rules))
	st.fired = make([]int, len(st.cfg.Rules))
	s.mu.Lock()
	s.faults = st
	s.mu.Unlock()
	return nil
}

// Faults returns the current fault configuration.
func (s *Server) Faults() FaultConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc := s.faults.cfg
	fc.Rules = append([]FaultRule(nil), fc.Rules...)
	return fc
}

func opMatches(pattern, op string) bool {
	if strings.HasSuffix(pattern, "*") {
		return strings.HasPrefix(op, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == op
}

// splitmix64 is a small, well-mixed hash used for fault decisions.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// decideLocked returns the rules that fire for this call.
func (f *faultState) decideLocked(op, method, tenantID string) []FaultRule {
	var out []FaultRule
	for i, r := range f.cfg.Rules {
		if !opMatches(r.Operation, op) || (r.Method != "" && !strings.EqualFold(r.Method, method)) ||
			(r.Tenant != "" && !strings.EqualFold(r.Tenant, tenantID)) {
			continue
		}
		f.seen[i]++
		n := f.seen[i]
		if r.Times > 0 && f.fired[i] >= r.Times {
			continue
		}
		fire := false
		if len(r.Nth) > 0 {
			for _, k := range r.Nth {
				if k == n {
					fire = true
				}
			}
		} else {
			h := splitmix64(uint64(f.seed) ^ splitmix64(uint64(i+1)<<32|uint64(n)))
			fire = float64(h>>11)/float64(1<<53) < r.Rate
		}
		if fire {
			f.fired[i]++
			out = append(out, r)
		}
	}
	return out
}

// resetConn drops the client's connection with a TCP reset.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	finishing(w)
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// bufferedWriter captures a whole answer so a fault can cut or spoil it.
type bufferedWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.h }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

// runFaulted runs next under the terminal fault kind (status faults are
// answered by the caller).
func runFaulted(w http.ResponseWriter, r *http.Request, kind string, next func(http.ResponseWriter, *http.Request)) {
	switch kind {
	case FaultResetBefore:
		resetConn(w)
		return
	}
	bw := &bufferedWriter{h: http.Header{}}
	next(bw, r)
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	for k, v := range bw.h {
		w.Header()[k] = v
	}
	switch kind {
	case FaultResetAfter:
		resetConn(w)
	case FaultTruncate:
		w.Header().Set("Content-Length", fmt.Sprint(len(bw.body)))
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.body[:len(bw.body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		resetConn(w)
	case FaultMalformed:
		body := append(append([]byte(nil), bw.body[:len(bw.body)/2]...), []byte(`,"}]<`)...)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(bw.status)
		_, _ = w.Write(body)
	}
}

// writeStatusFault answers an injected error status. 500 and 409 come from
// XPM itself (ResponseErrorDto); 502, 503 and 504 come from a gateway in
// front of it and carry an HTML page, as gateways do.
func writeStatusFault(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		page := fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n",
			status, http.StatusText(status), status, http.StatusText(status))
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, page)
	case http.StatusConflict:
		writeAPIError(w, status, "The client has been changed since it was read. Read it again and retry.")
	default:
		writeAPIError(w, status, "An unexpected error occurred.")
	}
}
