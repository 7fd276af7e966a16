package xpm_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/apperr"
	"structura/backend/sandbox"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// Acceptance 4: every typed error, provoked through the sandbox over real
// HTTP, and mapped to a practitioner-facing message.

const unknownUUID = "00000000-0000-4000-8000-00000000dead"

func userFacing(t *testing.T, err error, want apperr.Code) {
	t.Helper()
	pub := apperr.Public(xpm.UserError(err))
	if pub.Code != want || pub.Message == "" || pub.Hint == "" {
		t.Errorf("UserError(%v) = %+v, want code %s with message and hint", err, pub, want)
	}
}

// callLog counts the client's HTTP attempts per operation, from its
// request log. (The sandbox counts a call when its handler returns, which
// can be after the client has read the answer.)
type callLog struct {
	mu       sync.Mutex
	ops      map[string]int
	statuses map[int]int
	bytes    int64
}

func (l *callLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops, l.statuses = map[string]int{}, map[int]int{}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		var rec struct {
			Op     string `json:"op"`
			Status int    `json:"status"`
			Bytes  int64  `json:"response_bytes"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil {
			l.ops[rec.Op]++
			l.statuses[rec.Status]++
			l.bytes += rec.Bytes
		}
	}
	return len(p), nil
}

func (l *callLog) responseBytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

func (l *callLog) status(code int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[code]
}

func (l *callLog) count(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ops[op]
}

func logTo(l *callLog) func(*xpm.Config) { return func(cfg *xpm.Config) { cfg.RequestLog = l } }

func faults(rules ...sandbox.FaultRule) *sandbox.FaultConfig {
	for i := range rules {
		if rules[i].Rate == 0 && rules[i].Nth == nil {
			rules[i].Rate = 1
		}
	}
	return &sandbox.FaultConfig{Seed: 1, Rules: rules}
}

func TestSandboxUnauthorized(t *testing.T) {
	t.Run("token rejected", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{})
		tok, err := env.Tokens.Token()
		if err != nil {
			t.Fatal(err)
		}
		// A plain token source cannot be told the token was refused.
		c := env.Client(t, func(cfg *xpm.Config) { cfg.TokenSource = oauth2.StaticTokenSource(tok) })
		if err := env.Sandbox.ExpireAccessToken(tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		_, err = c.Staff.List(bg)
		var ue *xpm.UnauthorizedError
		if !errors.As(err, &ue) || ue.Reason != xpm.TokenRejected || ue.StatusCode != 401 || ue.OAuthError != "invalid_token" {
			t.Fatalf("got %#v", err)
		}
		userFacing(t, err, apperr.CodeAuth)
	})
	t.Run("expired token refreshed", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{})
		c := env.Client(t)
		tok, _ := env.Tokens.Token()
		_ = env.Sandbox.ExpireAccessToken(tok.AccessToken)
		if _, err := c.Staff.List(bg); err != nil {
			t.Fatalf("a refreshable expired token failed the call: %v", err)
		}
		if env.Tokens.Refreshes != 1 {
			t.Errorf("%d refreshes", env.Tokens.Refreshes)
		}
	})
	t.Run("grant revoked", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{})
		c := env.Client(t)
		if err := env.Sandbox.RevokeRefreshToken(env.Tokens.RefreshToken()); err != nil {
			t.Fatal(err)
		}
		_, err := c.Staff.List(bg)
		var ue *xpm.UnauthorizedError
		if !errors.As(err, &ue) || ue.Reason != xpm.GrantInvalid || ue.OAuthError != "invalid_grant" {
			t.Fatalf("got %#v", err)
		}
		userFacing(t, err, apperr.CodeAuth)
		if !strings.Contains(apperr.Public(xpm.UserError(err)).Hint, "Connect to Xero again") {
			t.Errorf("hint %q", apperr.Public(xpm.UserError(err)).Hint)
		}
	})
}

func TestSandboxForbidden(t *testing.T) {
	t.Run("read-only scope", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{Scopes: "openid profile email offline_access practicemanager.client.read"})
		c := env.Client(t)
		if _, err := c.Groups.List(bg); err != nil {
			t.Fatalf("reads should work: %v", err)
		}
		_, err := c.Clients.Add(bg, &xpm.ClientAddRequest{Name: xpm.Ptr("Denied")})
		var fe *xpm.ForbiddenError
		if !errors.As(err, &fe) || fe.StatusCode != 403 || strings.Join(fe.RequiredScopes, " ") != "practicemanager practicemanager.client" {
			t.Fatalf("got %#v", err)
		}
		userFacing(t, err, apperr.CodeAuth)
	})
	t.Run("tenant not connected", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{})
		c := env.Client(t, func(cfg *xpm.Config) { cfg.TenantID = sandbox.SecondPracticeID })
		_, err := c.Staff.List(bg)
		var fe *xpm.ForbiddenError
		if !errors.As(err, &fe) {
			t.Fatalf("got %#v", err)
		}
	})
}

func TestSandboxNotFound(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{})
	c := env.Client(t)
	var nf *xpm.NotFoundError
	_, err := c.Clients.Get(bg, unknownUUID)
	if !errors.As(err, &nf) || nf.Resource != "client" || nf.ID != unknownUUID || nf.StatusCode != 404 {
		t.Fatalf("client: %#v", err)
	}
	userFacing(t, err, apperr.CodeNotFound)
	if _, err := c.Groups.Get(bg, unknownUUID); !errors.As(err, &nf) || nf.Resource != "group" {
		t.Errorf("group: %#v", err)
	}
	if err := c.Relationships.Delete(bg, unknownUUID); !errors.As(err, &nf) || nf.Resource != "relationship" {
		t.Errorf("relationship: %#v", err)
	}
	if err := c.Connections.Delete(bg, unknownUUID); !errors.As(err, &nf) || nf.Resource != "connection" {
		t.Errorf("connection: %#v", err)
	}
}

func TestSandboxConflict(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{})
	var calls callLog
	c := env.Client(t, logTo(&calls))
	all, _ := env.Sandbox.Clients(env.Tenant)
	id := all[0].UUID
	if err := env.Sandbox.ForceConflict(env.Tenant, id); err != nil {
		t.Fatal(err)
	}
	_, err := c.Clients.Update(bg, &xpm.ClientUpdateRequest{UUID: xpm.Ptr(id), Phone: xpm.Ptr("02 1234 5678")}, nil)
	var ce *xpm.ConflictError
	if !errors.As(err, &ce) || ce.StatusCode != 409 || ce.ID != id {
		t.Fatalf("got %#v", err)
	}
	userFacing(t, err, apperr.CodeConflict)

	// Changed in XPM since the caller's read: refused before writing.
	before, _ := c.Clients.Get(bg, id)
	if _, err := env.Sandbox.UpdateClient(env.Tenant, id, func(cl *sandbox.Client) { cl.Phone = "02 0000 1111" }); err != nil {
		t.Fatal(err)
	}
	updates := calls.count("client.api/update")
	_, err = c.Clients.Update(bg, &xpm.ClientUpdateRequest{UUID: xpm.Ptr(id), Phone: xpm.Ptr("02 1234 5678")}, &xpm.UpdateOptions{Expected: before})
	if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0] != "phone" {
		t.Fatalf("got %#v", err)
	}
	if calls.count("client.api/update") != updates {
		t.Error("the update was sent despite the conflict")
	}
	got, _ := env.Sandbox.Client(env.Tenant, id)
	if got.Phone != "02 0000 1111" {
		t.Errorf("XPM's change was overwritten: %q", got.Phone)
	}
}

func TestSandboxBadRequest(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{})
	c := env.Client(t)
	all, _ := env.Sandbox.Clients(env.Tenant)
	_, err := c.Relationships.Add(bg, &xpm.RelationshipAddRequest{ClientUUID: xpm.Ptr(all[0].UUID), RelatedClientUUID: xpm.Ptr(all[1].UUID), Type: xpm.Ptr("Best Friend")})
	var be *xpm.BadRequestError
	if !errors.As(err, &be) || be.StatusCode != 400 || !strings.Contains(be.Description, "Best Friend") {
		t.Fatalf("got %#v", err)
	}
	userFacing(t, err, apperr.CodeValidation)
}

func TestSandboxRateLimited(t *testing.T) {
	t.Run("persisting 429", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Faults: faults(sandbox.FaultRule{Operation: "staff.api/list", Kind: sandbox.FaultStatus, Status: 429})}})
		var calls callLog
		c := env.Client(t, logTo(&calls), func(cfg *xpm.Config) { cfg.Retry.MaxRateLimited = 2 })
		_, err := c.Staff.List(bg)
		var rl *xpm.RateLimitError
		if !errors.As(err, &rl) || rl.StatusCode != 429 {
			t.Fatalf("got %#v", err)
		}
		if n := calls.count("staff.api/list"); n != 3 {
			t.Errorf("%d calls", n)
		}
		userFacing(t, err, apperr.CodeRateLimited)
	})
	// The tenant's minute is smaller than the client believes (another
	// device uses half of it): the answers' headers and 429s slow the client
	// down and every call still succeeds.
	t.Run("smaller budget than configured", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Limits: sandbox.Limits{PerMinute: 30}}})
		var calls callLog
		c := env.Client(t, logTo(&calls))
		start := env.Clock.Now()
		for i := 0; i < 90; i++ {
			if _, err := c.Groups.List(bg); err != nil {
				t.Fatal(err)
			}
		}
		if calls.status(200) != 90 {
			t.Errorf("answers %v", calls.statuses)
		}
		if d := env.Clock.Now().Sub(start); d < 2*time.Minute {
			t.Errorf("90 calls at 30 a minute took %s", d)
		}
		t.Logf("%d answers 429 on the way, %d holds; 90 calls in %s", calls.status(429), c.Pacer().Stats().Holds, env.Clock.Now().Sub(start))
	})
}

func TestSandboxDayLimit(t *testing.T) {
	t.Run("server says", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Limits: sandbox.Limits{PerDay: 5}}})
		var calls callLog
		c := env.Client(t, logTo(&calls))
		for i := 0; i < 5; i++ {
			if _, err := c.Staff.List(bg); err != nil {
				t.Fatal(err)
			}
		}
		// The answers said 0 left: the pacer stops before asking.
		_, err := c.Staff.List(bg)
		var dl *xpm.DayLimitError
		if !errors.As(err, &dl) || dl.ResumeAt.Before(env.Clock.Now()) {
			t.Fatalf("got %#v", err)
		}
		if calls.status(429) != 0 || calls.count("staff.api/list") != 5 {
			t.Errorf("answers %v: the pacer let a call meet the day limit", calls.statuses)
		}
		userFacing(t, err, apperr.CodeRateLimited)
		// Another device, unaware, meets the 429 and learns when to resume.
		other := env.Client(t)
		_, err = other.Staff.List(bg)
		if !errors.As(err, &dl) || dl.Estimated || dl.StatusCode != 429 {
			t.Fatalf("got %#v", err)
		}
		if d := dl.ResumeAt.Sub(env.Clock.Now()); d <= 0 || d > 24*time.Hour {
			t.Errorf("resume in %s", d)
		}
		if left := other.Pacer().CallsLeftToday(); left != 0 {
			t.Errorf("calls left %d", left)
		}
	})
}

func TestSandboxServerError(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Faults: faults(sandbox.FaultRule{Operation: "clientgroup.api/list", Kind: sandbox.FaultStatus, Status: 500})}})
	var calls callLog
	c := env.Client(t, logTo(&calls))
	_, err := c.Groups.List(bg)
	var se *xpm.ServerError
	if !errors.As(err, &se) || se.StatusCode != 500 {
		t.Fatalf("got %#v", err)
	}
	if n := calls.count("clientgroup.api/list"); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
	userFacing(t, err, apperr.CodeUnavailable)
	// A gateway's HTML error page is a server error too.
	_ = env.Sandbox.SetFaults(faults(sandbox.FaultRule{Operation: "clientgroup.api/list", Kind: sandbox.FaultStatus, Status: 502}))
	if _, err := c.Groups.List(bg); !errors.As(err, &se) || se.StatusCode != 502 {
		t.Fatalf("got %#v", err)
	}
}

func TestSandboxMalformed(t *testing.T) {
	t.Run("broken JSON", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Faults: faults(sandbox.FaultRule{Operation: "clientgroup.api/list", Kind: sandbox.FaultMalformed})}})
		c := env.Client(t)
		_, err := c.Groups.List(bg)
		var me *xpm.MalformedResponseError
		if !errors.As(err, &me) || me.TooLarge {
			t.Fatalf("got %#v", err)
		}
		userFacing(t, err, apperr.CodeUnavailable)
	})
	t.Run("too large", func(t *testing.T) {
		env := xpmtest.Run(t, xpmtest.Options{})
		c := env.Client(t, func(cfg *xpm.Config) { cfg.MaxResponseBytes = 20_000 })
		n := 0
		err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true}, func(*xpm.ClientDetail) error { n++; return nil })
		var me *xpm.MalformedResponseError
		if !errors.As(err, &me) || !me.TooLarge {
			t.Fatalf("got %#v after %d clients", err, n)
		}
		// (The sandbox logs a call when its handler returns, which may be
		// after this point: count on the client's side.)
		if n := c.Pacer().Stats().Calls; n != 1 {
			t.Errorf("an oversized answer was asked for %d times", n)
		}
		userFacing(t, err, apperr.CodeUnavailable)
	})
}

func TestSandboxTransport(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Faults: faults(sandbox.FaultRule{Operation: "staff.api/list", Kind: sandbox.FaultResetBefore})}})
	c := env.Client(t)
	_, err := c.Staff.List(bg)
	var te *xpm.TransportError
	if !errors.As(err, &te) || !te.Sent {
		t.Fatalf("got %#v", err)
	}
	userFacing(t, err, apperr.CodeUnavailable)
	// A list cut in half is read again.
	_ = env.Sandbox.SetFaults(faults(sandbox.FaultRule{Operation: "client.api/list", Kind: sandbox.FaultTruncate, Nth: []int{1}}))
	want, _ := env.Sandbox.Clients(env.Tenant)
	n := 0
	if err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true}, func(*xpm.ClientDetail) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("got %d clients, want %d", n, len(want))
	}
}

func TestSandboxUncertainWrite(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Data: "empty", Faults: faults(
		sandbox.FaultRule{Operation: "client.api/add", Kind: sandbox.FaultResetAfter},
		sandbox.FaultRule{Operation: "client.api/search", Kind: sandbox.FaultStatus, Status: 503},
	)}})
	var calls callLog
	c := env.Client(t, logTo(&calls))
	_, err := c.Clients.Add(bg, &xpm.ClientAddRequest{Name: xpm.Ptr("Maybe Saved Pty Ltd")})
	var ue *xpm.UncertainWriteError
	if !errors.As(err, &ue) || ue.CheckErr == nil {
		t.Fatalf("got %#v", err)
	}
	userFacing(t, err, apperr.CodeUnavailable)
	stored, _ := env.Sandbox.Clients(env.Tenant)
	if len(stored) != 1 || calls.count("client.api/add") != 1 {
		t.Errorf("%d stored after %d adds: the create was repeated", len(stored), calls.count("client.api/add"))
	}
}
