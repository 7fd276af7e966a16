package connection

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/secrets"
	"structura/backend/store"
	"structura/backend/twofa"
	"structura/backend/xpm"
)

// live is the token source and XPM client of the current connection.
type live struct {
	tenantID   string
	tenantName string
	env        env
	ts         *auth.TokenSource
	client     *xpm.Client
	limits     *limitRecorder
}

func (s *Service) newLive(e env, tenantID, tenantName string, initial *auth.Token) *live {
	l := &live{tenantID: tenantID, tenantName: tenantName, env: e}
	l.ts = auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: s.sec, Key: auth.TokenKey(tenantID), Clock: s.clk,
		Logger: s.log, Initial: initial, OnReconnectNeeded: func(err error) { s.markReconnectNeeded(tenantID, err) }})
	base := s.hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	l.limits = &limitRecorder{next: base}
	hc := *s.hc
	hc.Transport = l.limits
	lim := s.limits
	lim.Clock = s.clk
	cl, err := xpm.New(xpm.Config{APIBaseURL: e.client.Endpoints.APIBaseURL, ConnectionsURL: e.client.Endpoints.ConnectionsURL,
		TenantID: tenantID, TokenSource: l.ts, HTTPClient: &hc, Clock: s.clk, Limits: lim, Retry: s.retry, Logger: s.log})
	if err != nil {
		// Only a malformed URL gets here; the settings screen refuses those.
		s.log.Error("XPM client", "err", err)
	}
	l.client = cl
	return l
}

// notConnected is the error of operations that need a connection.
func notConnected() error {
	return apperr.New(apperr.CodeAuth, "Structura is not connected to Xero Practice Manager.",
		"Connect in Settings → XPM connection.")
}

// reconnectError is the practitioner-facing "Reconnect needed".
func reconnectError(c store.XPMConnection, cause error) error {
	return apperr.Wrap(cause, apperr.CodeAuth, MsgReconnectNeeded+": Xero no longer accepts Structura's connection to "+c.TenantName+".",
		reconnectHint)
}

const reconnectHint = "Your local data and links are kept. Click Reconnect and sign in to Xero again. This happens when access to Structura was removed in Xero, or when Structura was not used with Xero for 60 days."

// liveFor returns the current connection's live client.
func (s *Service) liveFor(ctx context.Context) (*live, store.XPMConnection, error) {
	r, cur, err := s.settings(ctx)
	if err != nil {
		return nil, store.XPMConnection{}, err
	}
	if cur == nil {
		return nil, store.XPMConnection{}, notConnected()
	}
	if cur.Status == store.ConnReconnectNeeded {
		return nil, *cur, reconnectError(*cur, nil)
	}
	s.mu.Lock()
	l := s.live
	s.mu.Unlock()
	if l != nil && strings.EqualFold(l.tenantID, cur.TenantID) && l.client != nil {
		return l, *cur, nil
	}
	e, err := s.resolve(ctx, r)
	if err != nil {
		return nil, *cur, err
	}
	l = s.newLive(e, cur.TenantID, cur.TenantName, nil)
	if l.client == nil {
		return nil, *cur, apperr.New(apperr.CodeValidation, "The XPM address in Settings → XPM connection is not valid.", "Correct it and try again.")
	}
	s.mu.Lock()
	if s.live != nil && strings.EqualFold(s.live.tenantID, cur.TenantID) {
		l = s.live // another caller won the race: share its token source
	} else {
		s.live = l
	}
	s.mu.Unlock()
	return l, *cur, nil
}

// Client returns the XPM client of the connected practice, for sync work.
// It applies two-factor protection (a write after IdleLockHours idle asks
// for a code) and fails with "Reconnect needed" when Xero refused the
// connection. Errors from the client's calls go through xpm.UserError.
func (s *Service) Client(ctx context.Context, write bool) (*xpm.Client, error) {
	access := twofa.Read
	if write {
		access = twofa.Write
	}
	if s.tfa != nil {
		if err := s.tfa.Require(ctx, access); err != nil {
			return nil, err
		}
	}
	l, _, err := s.liveFor(ctx)
	if err != nil {
		return nil, err
	}
	if s.tfa != nil {
		s.tfa.Touch()
	}
	return l.client, nil
}

// markReconnectNeeded records that Xero refused the refresh token.
func (s *Service) markReconnectNeeded(tenantID string, cause error) {
	ctx := context.Background()
	changed := false
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		cur, ok, err := tx.CurrentConnection(ctx)
		if err != nil || !ok || !strings.EqualFold(cur.TenantID, tenantID) || cur.Status != store.ConnConnected {
			return err
		}
		changed = true
		return tx.SetConnectionStatus(ctx, tenantID, store.ConnReconnectNeeded, reconnectHint, s.clk.Now())
	})
	if err != nil {
		s.log.Error("could not record that a reconnect is needed", "err", err)
		return
	}
	s.mu.Lock()
	if s.live != nil && strings.EqualFold(s.live.tenantID, tenantID) {
		s.live = nil
	}
	s.mu.Unlock()
	if changed {
		s.log.Warn("Xero refused the connection: reconnect needed", "tenant", tenantID)
		s.emitStatus(ctx)
	}
}

// ---- test connection ----

// TestResult is the outcome of TestConnection.
type TestResult struct {
	OK bool `json:"ok"`
	// Verdict is a plain-language sentence; Fix says what to do when it
	// failed (or is incomplete).
	Verdict      string `json:"verdict"`
	Fix          string `json:"fix,omitempty"`
	TenantID     string `json:"tenantId"`
	PracticeName string `json:"practiceName"`
	// DurationMs is how long the call took.
	DurationMs int64 `json:"durationMs"`
	// CallsLeftThisMinute and CallsLeftToday come from Xero's
	// X-MinLimit-Remaining and X-DayLimit-Remaining (null when not sent).
	CallsLeftThisMinute *int      `json:"callsLeftThisMinute"`
	CallsLeftToday      *int      `json:"callsLeftToday"`
	Scopes              []string  `json:"scopes"`
	MissingScopes       []string  `json:"missingScopes"`
	CheckedAt           time.Time `json:"checkedAt"`
}

// TestConnection makes one cheap call (the first page of one client) and
// reports the practice, the time taken, the calls left and the scopes, with
// a verdict. A failed check is a result with OK false, not an error.
func (s *Service) TestConnection(ctx context.Context) (TestResult, error) {
	now := s.clk.Now()
	_, cur, err := s.settings(ctx)
	if err != nil {
		return TestResult{}, err
	}
	if cur == nil {
		return TestResult{}, notConnected()
	}
	res := TestResult{TenantID: cur.TenantID, PracticeName: cur.TenantName, CheckedAt: now, Scopes: strings.Fields(cur.Scopes), MissingScopes: []string{}}
	if cur.Status == store.ConnReconnectNeeded {
		res.Verdict = MsgReconnectNeeded + ": Xero no longer accepts Structura's connection to " + cur.TenantName + "."
		res.Fix = reconnectHint
		return res, nil
	}
	if s.tfa != nil {
		if err := s.tfa.Require(ctx, twofa.Read); err != nil {
			return TestResult{}, err
		}
	}
	l, _, err := s.liveFor(ctx)
	if err != nil {
		return TestResult{}, err
	}
	start := s.clk.Now()
	// A 401 on a token that has not expired is retried once by the client
	// with a refreshed token (auth.TokenSource is an xpm.TokenInvalidator).
	_, err = l.client.Clients.PagedList(ctx, &xpm.PageOptions{PageSize: 1})
	res.DurationMs = s.clk.Now().Sub(start).Milliseconds()
	res.CallsLeftThisMinute, res.CallsLeftToday = l.limits.remaining()
	if sc := l.ts.Scopes(ctx); sc != "" {
		res.Scopes = strings.Fields(sc)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return TestResult{}, err
		}
		var rn *auth.ReconnectNeededError
		if errors.As(err, &rn) {
			res.Verdict = MsgReconnectNeeded + ": Xero no longer accepts Structura's connection to " + cur.TenantName + "."
			res.Fix = reconnectHint
			return res, nil
		}
		pub := apperr.Public(xpm.UserError(err))
		res.Verdict, res.Fix = pub.Message, pub.Hint
		s.log.Warn("connection test failed", "tenant", cur.TenantID, "err", err)
		return res, nil
	}
	if s.tfa != nil {
		s.tfa.Touch()
	}
	res.OK = true
	for _, want := range []string{"practicemanager.client", "practicemanager.read"} {
		if !hasScope(res.Scopes, want) && !hasScope(res.Scopes, "practicemanager") {
			res.MissingScopes = append(res.MissingScopes, want)
		}
	}
	switch {
	case len(res.MissingScopes) == 0:
		res.Verdict = "Everything works: Structura can read and update " + cur.TenantName + "'s clients in Xero Practice Manager."
	case hasScope(res.MissingScopes, "practicemanager.client"):
		res.Verdict = "Structura can read " + cur.TenantName + "'s clients but cannot update them: Xero did not grant the practicemanager.client permission."
		res.Fix = "Disconnect and connect again, allowing every permission Xero asks for. With your own Xero app, check that it allows the practicemanager.client scope."
	default:
		res.Verdict = "Structura can reach " + cur.TenantName + ", but Xero did not grant every permission it needs (" + strings.Join(res.MissingScopes, ", ") + ")."
		res.Fix = "Disconnect and connect again, allowing every permission Xero asks for."
	}
	s.log.Info("connection test", "tenant", cur.TenantID, "ok", true, "durationMs", res.DurationMs)
	return res, nil
}

func hasScope(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// limitRecorder remembers Xero's limit headers from the latest answer.
type limitRecorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	minute *int
	day    *int
}

func (r *limitRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if resp != nil {
		min, day := headerInt(resp.Header, "X-MinLimit-Remaining"), headerInt(resp.Header, "X-DayLimit-Remaining")
		r.mu.Lock()
		if min != nil {
			r.minute = min
		}
		if day != nil {
			r.day = day
		}
		r.mu.Unlock()
	}
	return resp, err
}

func (r *limitRecorder) remaining() (minute, day *int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.minute, r.day
}

func headerInt(h http.Header, k string) *int {
	v := strings.TrimSpace(h.Get(k))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// ---- disconnect ----

// DisconnectResult is the outcome of Disconnect.
type DisconnectResult struct {
	Status Status `json:"status"`
	// Revoked is true when Xero confirmed the revocation.
	Revoked bool `json:"revoked"`
	// Warning says what could not be done (the local disconnect always
	// happens).
	Warning string `json:"warning,omitempty"`
	// KeptLinks counts the links of the practice, now parked.
	KeptLinks store.LinkCounts `json:"keptLinks"`
}

// Disconnect revokes the refresh token at Xero, removes the tokens from the
// keychain and marks the connection disconnected. Every local group, entity,
// relationship and link is kept; links of the practice are parked until
// Structura connects to it again.
func (s *Service) Disconnect(ctx context.Context) (DisconnectResult, error) {
	s.cancelAttempt(errCancelled)
	r, cur, err := s.settings(ctx)
	if err != nil {
		return DisconnectResult{}, err
	}
	if cur == nil {
		st, err := s.Status(ctx)
		return DisconnectResult{Status: st, KeptLinks: store.LinkCounts{}}, err
	}
	var warnings []string
	key := auth.TokenKey(cur.TenantID)
	res := DisconnectResult{}
	tok, terr := auth.LoadToken(ctx, s.sec, key)
	switch {
	case terr == nil:
		e, err := s.resolve(ctx, r)
		if err == nil {
			err = e.client.Revoke(ctx, tok.RefreshToken)
		}
		if err != nil {
			s.log.Warn("revocation failed", "tenant", cur.TenantID, "err", err)
			warnings = append(warnings, "Structura could not reach Xero to revoke its access, so Xero may still list Structura as connected. You can remove it in Xero (your profile → Connected apps).")
		} else {
			res.Revoked = true
		}
	case !errors.Is(terr, secrets.ErrNotFound):
		s.log.Warn("could not read the tokens to revoke them", "tenant", cur.TenantID, "err", terr)
		warnings = append(warnings, "Structura could not read its Xero sign-in from the system keychain, so it could not revoke it at Xero. You can remove Structura in Xero (your profile → Connected apps).")
	}
	if err := s.sec.Delete(ctx, key); err != nil {
		s.log.Warn("could not remove the tokens from the keychain", "tenant", cur.TenantID, "err", err)
		warnings = append(warnings, "Structura could not remove its Xero sign-in from the system keychain. It no longer works, but you can delete the \u201cStructura\u201d item named "+key+" in your keychain.")
	}
	err = s.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SetConnectionStatus(ctx, cur.TenantID, store.ConnDisconnected, "", s.clk.Now())
	})
	if err != nil {
		return DisconnectResult{}, err
	}
	s.mu.Lock()
	s.live = nil
	s.mu.Unlock()
	s.log.Info("disconnected from XPM", "tenant", cur.TenantID, "revoked", res.Revoked)
	if res.Status, err = s.Status(ctx); err != nil {
		return DisconnectResult{}, err
	}
	res.KeptLinks = store.LinkCounts{TenantID: cur.TenantID}
	for _, p := range res.Status.ParkedLinks {
		if strings.EqualFold(p.TenantID, cur.TenantID) {
			res.KeptLinks = p.Counts()
		}
	}
	res.Warning = strings.Join(warnings, " ")
	s.emit(EventChanged, res.Status)
	if s.tfa != nil {
		s.tfa.Notify(ctx)
	}
	return res, nil
}

// regranter is implemented by SandboxHost.
type regranter interface {
	Regrant(ctx context.Context, email, scopes string) (auth.Token, string, error)
}

// ResumeSandbox keeps a sandbox connection alive across restarts of
// Structura: the in-process sandbox never writes grants or tokens anywhere,
// so at start it forgets them, and the saved refresh token would be refused.
// Call it once at start: for a connected sandbox connection it asks the
// sandbox for a new grant of the same user (as Xero would still have the
// grant) and saves the tokens in the keychain. Real Xero is never touched.
// If that fails, the connection is marked "Reconnect needed".
func (s *Service) ResumeSandbox(ctx context.Context) {
	rg, ok := s.sandbox.(regranter)
	if !ok {
		return
	}
	r, cur, err := s.settings(ctx)
	if err != nil || cur == nil || cur.Environment != EnvSandbox || cur.Status != store.ConnConnected || r.env != EnvSandbox {
		return
	}
	tok, _, err := rg.Regrant(ctx, cur.ConnectedEmail, cur.Scopes)
	if err == nil {
		tok.Expiry = s.clk.Now().Add(auth.DefaultAccessTTL)
		err = auth.SaveToken(ctx, s.sec, auth.TokenKey(cur.TenantID), tok)
	}
	if err != nil {
		s.log.Warn("could not resume the sandbox connection", "err", err)
		s.markReconnectNeeded(cur.TenantID, err)
		return
	}
	s.log.Info("sandbox connection resumed", "tenant", cur.TenantID)
}
