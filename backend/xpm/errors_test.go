package xpm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/apperr"
)

func TestErrorsFromAnswers(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, err error)
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="expired"`)
			writeError(w, 401, "Unauthorized")
		}, func(t *testing.T, err error) {
			var e *UnauthorizedError
			if !errors.As(err, &e) || e.Reason != TokenRejected || e.OAuthError != "invalid_token" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"403 scope", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="practicemanager.client.read"`)
			writeError(w, 403, "Forbidden")
		}, func(t *testing.T, err error) {
			var e *ForbiddenError
			if !errors.As(err, &e) || e.MissingScope != "practicemanager.client.read" || len(e.RequiredScopes) != 4 {
				t.Fatalf("got %#v", err)
			}
		}},
		{"403 tenant", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, 403, "AuthorizationUnsuccessful")
		}, func(t *testing.T, err error) {
			var e *ForbiddenError
			if !errors.As(err, &e) || e.MissingScope != "" || e.Description != "AuthorizationUnsuccessful" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"404", func(w http.ResponseWriter, r *http.Request) { writeError(w, 404, "Client not found") }, func(t *testing.T, err error) {
			var e *NotFoundError
			if !errors.As(err, &e) || e.ID != uuidN(1) || e.Resource != "client" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"400", func(w http.ResponseWriter, r *http.Request) { writeError(w, 400, "Invalid identifier") }, func(t *testing.T, err error) {
			var e *BadRequestError
			if !errors.As(err, &e) || e.StatusCode != 400 {
				t.Fatalf("got %#v", err)
			}
		}},
		{"200 status ERROR", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "ERROR", "client": nil})
		}, func(t *testing.T, err error) {
			var e *BadRequestError
			if !errors.As(err, &e) || e.Status != "ERROR" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"500 persists", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Xero-Correlation-Id", "corr-1")
			writeError(w, 500, "An unexpected error occurred")
		}, func(t *testing.T, err error) {
			var e *ServerError
			if !errors.As(err, &e) || e.StatusCode != 500 || e.CorrelationID != "corr-1" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status":"OK","client":{"uuid":`))
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) || e.TooLarge {
				t.Fatalf("got %#v", err)
			}
		}},
		{"HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html>maintenance</html>`))
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) {
				t.Fatalf("got %#v", err)
			}
		}},
		{"wrong type", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "OK", "client": map[string]any{"uuid": uuidN(1), "balanceMonth": "June"}})
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) {
				t.Fatalf("got %#v", err)
			}
		}},
		{"bad boolean", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "OK", "client": map[string]any{"uuid": uuidN(1), "isArchived": "Perhaps"}})
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) {
				t.Fatalf("got %#v", err)
			}
		}},
		{"no uuid", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "OK", "client": map[string]any{"name": "A"}})
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) || !strings.Contains(e.Reason, "uuid") {
				t.Fatalf("got %#v", err)
			}
		}},
		{"trailing data", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"status":"OK","client":{"uuid":%q}} {"x":1}`, uuidN(1))
		}, func(t *testing.T, err error) {
			var e *MalformedResponseError
			if !errors.As(err, &e) {
				t.Fatalf("got %#v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, env := setup(t)
			env.v.skipResponses = true // these answers are wrong on purpose
			env.handle("/client.api/get/", tc.handler)
			_, err := c.Clients.Get(ctx, uuidN(1))
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
			if pub := apperr.Public(UserError(err)); pub.Code == apperr.CodeInternal {
				t.Errorf("UserError gave an internal error for %v", err)
			}
		})
	}
}

func TestOversizedAnswer(t *testing.T) {
	c, env := setup(t, func(cfg *Config) { cfg.MaxResponseBytes = 10_000 })
	env.v.skipResponses = true
	var calls atomic.Int32
	env.handle("/client.api/list", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"OK","clients":[`))
		for i := 0; i < 1000; i++ {
			if i > 0 {
				_, _ = w.Write([]byte(","))
			}
			fmt.Fprintf(w, `{"uuid":%q,"name":"Client %d"}`, uuidN(i+1), i)
		}
		_, _ = w.Write([]byte(`]}`))
	})
	n := 0
	err := c.Clients.List(ctx, nil, func(*ClientDetail) error { n++; return nil })
	var e *MalformedResponseError
	if !errors.As(err, &e) || !e.TooLarge {
		t.Fatalf("got %v", err)
	}
	if n == 0 || n >= 1000 {
		t.Errorf("delivered %d before the cap", n)
	}
	if calls.Load() != 1 {
		t.Errorf("an oversized answer was asked for %d times", calls.Load())
	}
}

func TestTokenSourceErrors(t *testing.T) {
	grant := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant", ErrorDescription: "refresh token expired"}
	for name, tc := range map[string]struct {
		err    error
		reason UnauthorizedReason
		code   apperr.Code
	}{
		"invalid_grant": {grant, GrantInvalid, apperr.CodeAuth},
		"offline":       {&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}, TokenUnavailable, apperr.CodeUnavailable},
		"no token":      {errors.New("no token saved"), TokenUnavailable, apperr.CodeAuth},
	} {
		t.Run(name, func(t *testing.T) {
			c, env := setup(t, func(cfg *Config) { cfg.TokenSource = errTokenSource{tc.err} })
			env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) { t.Error("request sent without a token") })
			_, err := c.Staff.List(ctx)
			var e *UnauthorizedError
			if !errors.As(err, &e) || e.Reason != tc.reason {
				t.Fatalf("got %#v", err)
			}
			if got := apperr.CodeOf(UserError(err)); got != tc.code {
				t.Errorf("code %s, want %s", got, tc.code)
			}
		})
	}
}

type errTokenSource struct{ err error }

func (e errTokenSource) Token() (*oauth2.Token, error) { return nil, e.err }

// Reads are retried on 5xx and dropped connections, with backoff through
// the injected clock.
func TestReadRetries(t *testing.T) {
	c, env := setup(t)
	var calls atomic.Int32
	env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeError(w, 503, "busy")
		case 2:
			resetConnection(t, w)
		default:
			writeJSON(w, 200, map[string]any{"status": "OK", "staffList": []any{}})
		}
	})
	if _, err := c.Staff.List(ctx); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls", calls.Load())
	}
	if env.clk.Slept() == 0 {
		t.Error("no backoff")
	}
}

// A 429 for the minute is waited out (Retry-After) and the call continues;
// one for the day stops with the time work can resume.
func TestRateLimitAnswers(t *testing.T) {
	c, env := setup(t)
	var calls atomic.Int32
	env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "37")
			w.Header().Set("X-Rate-Limit-Problem", "minute")
			writeError(w, 429, "rate limit exceeded")
			return
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "staffList": []any{}})
	})
	before := env.clk.Now()
	if _, err := c.Staff.List(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := env.clk.Now().Sub(before); waited < 37*time.Second {
		t.Errorf("waited %s, want Retry-After 37s", waited)
	}

	env.handle("/clientgroup.api/list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.Header().Set("X-Rate-Limit-Problem", "day")
		w.Header().Set("X-DayLimit-Remaining", "0")
		writeError(w, 429, "day limit")
	})
	now := env.clk.Now()
	_, err := c.Groups.List(ctx)
	var dl *DayLimitError
	if !errors.As(err, &dl) || dl.Estimated || dl.ResumeAt.Before(now.Add(time.Hour)) || dl.ResumeAt.After(now.Add(time.Hour+2*time.Second)) {
		t.Fatalf("got %#v", err)
	}
	// The pacer now refuses at once, without calling.
	n := calls.Load()
	_, err = c.Staff.List(ctx)
	if !errors.As(err, &dl) || calls.Load() != n {
		t.Fatalf("got %v after %d calls", err, calls.Load()-n)
	}
	if c.Pacer().CallsLeftToday() != 0 {
		t.Error("calls left after the day limit")
	}
	if !strings.Contains(apperr.Public(UserError(err)).Hint, "resume") {
		t.Errorf("hint %q", apperr.Public(UserError(err)).Hint)
	}
}

func TestRateLimitPersisting(t *testing.T) {
	c, env := setup(t, func(cfg *Config) { cfg.Retry.MaxRateLimited = 3 })
	var calls atomic.Int32
	env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "5")
		w.Header().Set("X-Rate-Limit-Problem", "concurrent")
		writeError(w, 429, "too many")
	})
	_, err := c.Staff.List(ctx)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Problem != "concurrent" || rl.RetryAfter != 5*time.Second {
		t.Fatalf("got %#v", err)
	}
	if calls.Load() != 4 {
		t.Errorf("%d calls", calls.Load())
	}
}

// A client add whose connection drops after XPM applied it is found by a
// search and not sent again; one that failed before applying is sent again.
func TestClientAddNeverDuplicates(t *testing.T) {
	c, env := setup(t)
	var mu sync.Mutex
	stored := map[string]string{uuidN(50): "Acme Pty Ltd"} // same name, other email
	emails := map[string]string{uuidN(50): "other@example.com"}
	var adds atomic.Int32
	env.handle("/client.api/add", func(w http.ResponseWriter, r *http.Request) {
		n := adds.Add(1)
		b := readBody(t, r)
		if n == 2 {
			writeError(w, 500, "database unavailable") // not applied
			return
		}
		mu.Lock()
		id := uuidN(100 + int(n))
		stored[id] = b["name"].(string)
		emails[id], _ = b["email"].(string)
		mu.Unlock()
		if n == 1 || n == 3 {
			resetConnection(t, w) // applied, answer lost
			return
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": clientJSON(id, b["name"].(string))})
	})
	env.handle("/client.api/search", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var out []any
		for id, name := range stored {
			if strings.Contains(strings.ToLower(name), strings.ToLower(queryOf(r, "query"))) {
				cj := clientJSON(id, name)
				cj["email"] = emails[id]
				out = append(out, cj)
			}
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": out})
	})
	env.handle("/client.api/get/", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		mu.Lock()
		defer mu.Unlock()
		writeJSON(w, 200, map[string]any{"status": "OK", "client": detailedJSON(id, stored[id])})
	})
	// 1st add: applied, connection reset → found by search.
	got, err := c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("Acme Pty Ltd"), Email: Ptr("acme@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetUUID() != uuidN(101) || adds.Load() != 1 {
		t.Fatalf("got %s after %d adds", got.GetUUID(), adds.Load())
	}
	// 2nd add: 500 not applied → search finds nothing → 3rd attempt applied
	// and reset → found.
	got, err = c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("Beta Trust")})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetUUID() != uuidN(103) || adds.Load() != 3 {
		t.Fatalf("got %s after %d adds", got.GetUUID(), adds.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stored) != 3 {
		t.Errorf("stored %v", stored)
	}
}

// Two clients matching an ambiguous create: nothing more is written, and
// the caller is told which.
func TestClientAddUncertain(t *testing.T) {
	c, env := setup(t)
	var adds atomic.Int32
	env.handle("/client.api/add", func(w http.ResponseWriter, r *http.Request) {
		adds.Add(1)
		resetConnection(t, w)
	})
	env.handle("/client.api/search", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{clientJSON(uuidN(1), "Twin"), clientJSON(uuidN(2), "twin")}})
	})
	_, err := c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("Twin")})
	var ue *UncertainWriteError
	if !errors.As(err, &ue) || len(ue.Candidates) != 2 || adds.Load() != 1 {
		t.Fatalf("got %v after %d adds", err, adds.Load())
	}
	if apperr.CodeOf(UserError(err)) != apperr.CodeUnavailable {
		t.Errorf("code %s", apperr.CodeOf(UserError(err)))
	}
}

// A create that certainly never reached the server (connection refused) is
// simply tried again.
func TestCreateRetriedWhenNeverSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: dial fails
	c, _ := setup(t, func(cfg *Config) {
		cfg.APIBaseURL = "http://" + addr + apiPrefix
		cfg.HTTPClient = &http.Client{}
		cfg.Retry.MaxAttempts = 3
	})
	_, err = c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("X")})
	var te *TransportError
	if !errors.As(err, &te) || te.Sent {
		t.Fatalf("got %#v", err)
	}
	if got := c.Pacer().Stats().Calls; got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	var ue *UncertainWriteError
	if errors.As(err, &ue) {
		t.Error("a create that never left was called uncertain")
	}
}

// Cancelling during a create whose request was sent is uncertain, not a
// plain cancellation.
func TestCreateCancelledAfterSending(t *testing.T) {
	c, env := setup(t)
	env.v.skipResponses = true
	cctx, cancel := context.WithCancel(ctx)
	release := make(chan struct{})
	env.handle("/client.api/add", func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-release
	})
	defer close(release)
	_, err := c.Clients.Add(cctx, &ClientAddRequest{Name: Ptr("X")})
	var ue *UncertainWriteError
	if !errors.As(err, &ue) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %#v", err)
	}
}

// The request log holds what support needs and nothing else.
func TestRequestLogIsRedacted(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/search", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-MinLimit-Remaining", "58")
		w.Header().Set("X-DayLimit-Remaining", "4990")
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{clientJSON(uuidN(1), "Jane Citizen")}})
	})
	env.handle("/client.api/get/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 404, "Client Jane Citizen not found")
	})
	env.handle("/client.api/add", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"status": "OK", "client": clientJSON(uuidN(2), "Jane Citizen")})
	})
	_, _ = c.Clients.Search(ctx, "Jane Citizen", nil)
	_, _ = c.Clients.Get(ctx, uuidN(1))
	_, _ = c.Clients.Get(ctx, "JANE-CITIZEN-CODE")
	_, _ = c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("Jane Citizen"), TaxNumber: Ptr("123456789")})
	log := env.reqLog.String()
	for _, secret := range []string{testToken, "Jane", "Citizen", "JANE", "123456789"} {
		if strings.Contains(log, secret) {
			t.Errorf("request log contains %q:\n%s", secret, log)
		}
	}
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), log)
	}
	var first, second logRecord
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first.Op != "client.api/search" || first.Query["query"] != "(redacted)" || first.MinRemaining != "58" || first.DayRemaining != "4990" || first.Status != 200 || first.Tenant != testTenant {
		t.Errorf("first line %+v", first)
	}
	if second.Path != "/client.api/get/"+uuidN(1) || second.Error != "not_found" || second.Status != 404 {
		t.Errorf("second line %+v", second)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	if _, err := New(Config{}); err == nil {
		t.Error("no token source accepted")
	}
	if _, err := New(Config{TokenSource: ts, APIBaseURL: "ftp://x"}); err == nil {
		t.Error("bad base URL accepted")
	}
	c, err := New(Config{TokenSource: ts})
	if err != nil {
		t.Fatal(err)
	}
	if c.apiBase != DefaultAPIBaseURL || c.connectionsURL != DefaultConnectionsURL {
		t.Errorf("defaults %s %s", c.apiBase, c.connectionsURL)
	}
	// No tenant: practice calls refuse before sending.
	if _, err := c.Staff.List(ctx); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("got %v", err)
	}
}
