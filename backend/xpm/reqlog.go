package xpm

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// requestLog writes one redacted JSON line per HTTP attempt. What it holds:
// operation, method, path template with record ids (uuids only), query
// parameter names (values only for paging and date filters), attempt,
// status, duration, sizes, limit headers, correlation id and error kind.
// Never tokens, bodies, names, search terms or XPM's error descriptions.
type requestLog struct {
	mu     sync.Mutex
	w      io.Writer
	tenant string
}

type logRecord struct {
	Time            string            `json:"time"`
	Tenant          string            `json:"tenant,omitempty"`
	Op              string            `json:"op"`
	Method          string            `json:"method"`
	Path            string            `json:"path"`
	Query           map[string]string `json:"query,omitempty"`
	Attempt         int               `json:"attempt"`
	Status          int               `json:"status,omitempty"`
	DurationMS      int64             `json:"duration_ms"`
	RequestBytes    int               `json:"request_bytes,omitempty"`
	ResponseBytes   int64             `json:"response_bytes,omitempty"`
	MinRemaining    string            `json:"min_remaining,omitempty"`
	DayRemaining    string            `json:"day_remaining,omitempty"`
	AppMinRemaining string            `json:"app_min_remaining,omitempty"`
	RetryAfter      string            `json:"retry_after,omitempty"`
	Problem         string            `json:"rate_limit_problem,omitempty"`
	CorrelationID   string            `json:"correlation_id,omitempty"`
	Error           string            `json:"error,omitempty"`
}

func (r *logRecord) finish(d time.Duration, status int, h http.Header, n int64, err error) {
	r.DurationMS = d.Milliseconds()
	r.Status = status
	r.ResponseBytes = n
	if h != nil {
		r.MinRemaining = h.Get("X-MinLimit-Remaining")
		r.DayRemaining = h.Get("X-DayLimit-Remaining")
		r.AppMinRemaining = h.Get("X-AppMinLimit-Remaining")
		r.RetryAfter = h.Get("Retry-After")
		r.Problem = h.Get("X-Rate-Limit-Problem")
		r.CorrelationID = h.Get("Xero-Correlation-Id")
	}
	r.Error = errorKind(err)
	if err != nil && r.Error == "other" && isCtxErr(err) {
		r.Error = "canceled"
	}
}

func (r *logRecord) attrs() []any {
	return []any{
		slog.String("op", r.Op), slog.String("path", r.Path), slog.Int("attempt", r.Attempt),
		slog.Int("status", r.Status), slog.Int64("duration_ms", r.DurationMS),
		slog.Int64("bytes", r.ResponseBytes), slog.String("min_remaining", r.MinRemaining),
		slog.String("day_remaining", r.DayRemaining), slog.String("error", r.Error),
	}
}

func (l *requestLog) write(now time.Time, r logRecord) {
	if l == nil {
		return
	}
	r.Time = now.UTC().Format(time.RFC3339Nano)
	r.Tenant = l.tenant
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(b, '\n'))
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// redactPath fills the path template with the record id when it is a uuid.
func redactPath(tmpl, id string) string {
	if id == "" {
		return tmpl
	}
	if !uuidRE.MatchString(id) {
		id = "(redacted)"
	}
	return strings.NewReplacer("{uuid}", id, "{id}", id).Replace(tmpl)
}

// safeQuery lists the query parameters whose values hold no personal data.
var safeQuery = map[string]bool{"detailed": true, "pageSize": true, "modifiedSince": true}

func redactQuery(q url.Values) map[string]string {
	if len(q) == 0 {
		return nil
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]string, len(q))
	for _, k := range keys {
		if safeQuery[k] {
			out[k] = q.Get(k)
		} else {
			out[k] = "(redacted)"
		}
	}
	return out
}
