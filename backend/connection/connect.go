package connection

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/store"
	"structura/backend/twofa"
	"structura/backend/xpm"
)

// Stages of a connect attempt (Progress.Stage).
const (
	StageWaitingForBrowser = "waiting_for_browser" // the sign-in page is open; waiting for Xero's answer
	StageCallbackRejected  = "callback_rejected"   // an answer from another tab was refused; still waiting
	StageListingTenants    = "listing_tenants"     // signed in; reading the practices the grant reaches
	StageChooseTenant      = "choose_tenant"       // the user picks a practice (ChooseTenant)
	StageConnected         = "connected"           // done
	StageFailed            = "failed"              // Error says why
	StageCancelled         = "cancelled"
	StageTimedOut          = "timed_out"
)

// Attempt is the answer of StartConnect.
type Attempt struct {
	AttemptID string `json:"attemptId"`
	// BrowserURL is Xero's sign-in page (for "Open again" and copy/paste).
	BrowserURL  string    `json:"browserUrl"`
	RedirectURI string    `json:"redirectUri"`
	ExpiresAt   time.Time `json:"expiresAt"`
	// BrowserOpened is false when the browser could not be opened; the UI
	// then shows BrowserURL to copy.
	BrowserOpened bool   `json:"browserOpened"`
	BrowserError  string `json:"browserError,omitempty"`
	Environment   string `json:"environment"`
}

// TenantChoice is a practice the user may connect to.
type TenantChoice struct {
	TenantID   string `json:"tenantId"`
	TenantName string `json:"tenantName"`
	// RestoresLinks counts parked links of this practice that a connection
	// brings back to life.
	RestoresLinks int `json:"restoresLinks"`
	// Warning says which links stay parked if this practice is chosen.
	Warning string `json:"warning,omitempty"`
}

// Progress is the payload of connect:progress.
type Progress struct {
	AttemptID string `json:"attemptId"`
	Stage     string `json:"stage"`
	// Message is a plain-language line for the UI.
	Message string `json:"message"`
	// Tenants is set at StageChooseTenant.
	Tenants []TenantChoice `json:"tenants,omitempty"`
	// Error is set at StageFailed, StageTimedOut and StageCallbackRejected.
	Error *apperr.Error `json:"error,omitempty"`
	// Status is set at StageConnected.
	Status *Status `json:"status,omitempty"`
	// LinksRestored counts links active again after connecting.
	LinksRestored int `json:"linksRestored,omitempty"`
}

type attempt struct {
	id      string
	env     env
	login   *auth.Login
	ctx     context.Context
	cancel  context.CancelCauseFunc
	expires time.Time

	// set once signed in
	tok      *auth.Token
	identity auth.Identity
	tenants  []xpm.Connection
	choices  []TenantChoice
	stage    string
	done     bool
}

var (
	errCancelled = errors.New("connect cancelled")
	errTimedOut  = errors.New("connect timed out")
	errReplaced  = errors.New("connect replaced by a newer attempt")
)

// StartConnect starts connecting: it checks two-factor protection, binds the
// loopback listener, opens Xero's sign-in page in the system browser and
// returns at once. Progress and the result come as connect:progress events.
// A newer StartConnect replaces an unfinished attempt.
func (s *Service) StartConnect(ctx context.Context) (Attempt, error) {
	if s.tfa == nil {
		return Attempt{}, errors.New("connection: two-factor service not configured")
	}
	if err := s.tfa.Require(ctx, twofa.Connect); err != nil {
		return Attempt{}, err
	}
	r, cur, err := s.settings(ctx)
	if err != nil {
		return Attempt{}, err
	}
	if cur != nil && cur.Status == store.ConnConnected {
		return Attempt{}, apperr.New(apperr.CodeConflict, "Structura is already connected to "+cur.TenantName+".",
			"To connect to another practice, disconnect first (your local data and links are kept).")
	}
	e, err := s.resolve(ctx, r)
	if err != nil {
		return Attempt{}, err
	}
	s.cancelAttempt(errReplaced)

	id := uuid.NewString()
	login, err := auth.StartLogin(auth.LoginOptions{Client: e.client, Port: e.port, States: s.states, Attempt: id,
		Clock: s.clk, Logger: s.log, OnRejected: func(se *auth.StateError) { s.rejected(id, se) }})
	if err != nil {
		return Attempt{}, err
	}
	actx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	a := &attempt{id: id, env: e, login: login, ctx: actx, cancel: cancel, expires: s.clk.Now().Add(s.timeout), stage: StageWaitingForBrowser}
	s.mu.Lock()
	s.attempt = a
	s.mu.Unlock()

	out := Attempt{AttemptID: id, BrowserURL: login.AuthURL(), RedirectURI: e.client.RedirectURL, ExpiresAt: a.expires, Environment: e.name}
	if err := s.browser.Open(ctx, out.BrowserURL); err != nil {
		s.log.Warn("could not open the browser", "err", err)
		out.BrowserError = "Structura could not open your browser. Copy the address below into your browser to sign in to Xero."
	} else {
		out.BrowserOpened = true
	}
	s.log.Info("connect started", "attempt", id, "environment", e.name, "port", e.port)
	s.progress(a, Progress{Stage: StageWaitingForBrowser, Message: "Waiting for you to approve Structura in your browser…"})
	go s.timeoutAfter(a)
	go s.run(a)
	s.emitStatus(ctx)
	return out, nil
}

// ReopenBrowser opens the sign-in page of an attempt again.
func (s *Service) ReopenBrowser(ctx context.Context, attemptID string) error {
	a, err := s.current(attemptID)
	if err != nil {
		return err
	}
	if err := s.browser.Open(ctx, a.login.AuthURL()); err != nil {
		return apperr.Wrap(err, apperr.CodeUnavailable, "Structura could not open your browser.",
			"Copy the sign-in address shown in Structura into your browser.")
	}
	return nil
}

// CancelConnect cancels an attempt (Cancel in the app).
func (s *Service) CancelConnect(ctx context.Context, attemptID string) error {
	if _, err := s.current(attemptID); err != nil {
		return err
	}
	s.cancelAttempt(errCancelled)
	return nil
}

func (s *Service) current(attemptID string) (*attempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attempt == nil || s.attempt.id != attemptID {
		return nil, apperr.New(apperr.CodeNotFound, "This connection attempt has already ended.",
			"Check the connection status; click Connect to start again if needed.")
	}
	return s.attempt, nil
}

func (s *Service) cancelAttempt(cause error) {
	s.mu.Lock()
	a := s.attempt
	s.mu.Unlock()
	if a != nil {
		a.cancel(cause)
		a.login.Close()
	}
}

// timeoutAfter cancels the attempt when its time is up (on the injected
// clock, measured from the attempt's start).
func (s *Service) timeoutAfter(a *attempt) {
	for {
		d := a.expires.Sub(s.clk.Now())
		if d <= 0 {
			a.cancel(errTimedOut)
			a.login.Close()
			return
		}
		if err := s.clk.Sleep(a.ctx, d); err != nil {
			return
		}
	}
}

func (s *Service) rejected(id string, se *auth.StateError) {
	s.mu.Lock()
	a := s.attempt
	s.mu.Unlock()
	if a == nil || a.id != id {
		return
	}
	s.progress(a, Progress{Stage: StageCallbackRejected, Message: "A sign-in answer from another browser tab was refused. Still waiting for this sign-in.",
		Error: apperr.Public(se.AppError())})
}

func (s *Service) progress(a *attempt, p Progress) {
	p.AttemptID = a.id
	s.emit(EventProgress, p)
}

// run waits for the sign-in, lists the practices and connects (or asks the
// user to choose).
func (s *Service) run(a *attempt) {
	// The listener stays up until the attempt ends, so a reloaded or
	// duplicated answer gets a clear page instead of "cannot connect".
	res, err := a.login.Wait(a.ctx)
	if err != nil {
		s.end(a, causeOf(a.ctx, err))
		return
	}
	a.tok, a.identity = &res.Token, res.Identity
	s.progress(a, Progress{Stage: StageListingTenants, Message: "Signed in to Xero. Looking for your practices…"})
	cl, err := xpm.New(xpm.Config{ConnectionsURL: a.env.client.Endpoints.ConnectionsURL, APIBaseURL: a.env.client.Endpoints.APIBaseURL,
		TokenSource: oauth2.StaticTokenSource(res.Token.OAuth2()), HTTPClient: s.hc, Clock: s.clk, Retry: s.retry})
	if err != nil {
		s.end(a, err)
		return
	}
	conns, err := cl.Connections.List(a.ctx)
	if a.ctx.Err() != nil {
		s.end(a, causeOf(a.ctx, err))
		return
	}
	if err != nil {
		s.end(a, apperr.Wrap(err, apperr.CodeUnavailable, auth.MsgFailed+": Structura could not read which practices you connected.",
			xpmHint(err)))
		return
	}
	for _, c := range conns {
		if c.IsPractice() {
			a.tenants = append(a.tenants, c)
		}
	}
	if len(a.tenants) == 0 {
		hint := "Xero did not give Structura access to any Xero Practice Manager practice. Ask your XPM administrator to give your XPM user the \u201cConnect third-party add-ons\u201d privilege (Authorise 3rd Party Full Access), check that Xero has approved XPM API access for your practice, then click Connect again and choose the practice on Xero's page."
		if len(conns) > 0 {
			hint = "You connected only Xero accounting organisations, not a Xero Practice Manager practice. " + hint
		}
		s.end(a, apperr.New(apperr.CodeAuth, MsgNoOrganizations, hint))
		return
	}
	choices, err := s.choices(a.ctx, a.tenants)
	if err != nil {
		s.end(a, err)
		return
	}
	a.choices = choices
	if len(choices) == 1 && choices[0].Warning == "" {
		if err := s.finish(a, choices[0].TenantID); err != nil {
			s.end(a, err)
		}
		return
	}
	s.mu.Lock()
	a.stage = StageChooseTenant
	s.mu.Unlock()
	msg := "Choose the practice to connect."
	if len(choices) == 1 {
		msg = "Confirm the practice to connect."
	}
	s.progress(a, Progress{Stage: StageChooseTenant, Message: msg, Tenants: choices})
	<-a.ctx.Done()
	s.mu.Lock()
	finished := a.done
	s.mu.Unlock()
	if !finished {
		s.end(a, context.Cause(a.ctx))
	}
}

// choices describes each practice: links it restores, links that stay
// parked.
func (s *Service) choices(ctx context.Context, tenants []xpm.Connection) ([]TenantChoice, error) {
	out := make([]TenantChoice, 0, len(tenants))
	err := s.st.View(ctx, func(tx *store.Tx) error {
		counts, err := tx.LinkCountsByTenant(ctx)
		if err != nil {
			return err
		}
		for _, t := range tenants {
			c := TenantChoice{TenantID: t.TenantID, TenantName: t.TenantName}
			var others []string
			for _, lc := range counts {
				if strings.EqualFold(lc.TenantID, t.TenantID) {
					c.RestoresLinks = lc.Total()
					continue
				}
				name := "another practice"
				if row, ok, err := tx.Connection(ctx, lc.TenantID); err != nil {
					return err
				} else if ok && row.TenantName != "" {
					name = row.TenantName
				}
				others = append(others, fmt.Sprintf("%s (%s)", name, describeLinks(lc)))
			}
			if len(others) > 0 {
				c.Warning = fmt.Sprintf("Structura has links to %s. %s is a different practice: those links stay parked (kept, never used with %s) and come back if you connect to their practice again.",
					strings.Join(others, " and "), t.TenantName, t.TenantName)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ChooseTenant connects the attempt to the chosen practice.
func (s *Service) ChooseTenant(ctx context.Context, attemptID, tenantID string) (Status, error) {
	a, err := s.current(attemptID)
	if err != nil {
		return Status{}, err
	}
	s.mu.Lock()
	stage, choices := a.stage, a.choices
	s.mu.Unlock()
	if stage != StageChooseTenant {
		return Status{}, apperr.New(apperr.CodeConflict, "Structura is not waiting for a practice to be chosen.",
			"Finish signing in to Xero in your browser first.")
	}
	ok := false
	for _, c := range choices {
		ok = ok || strings.EqualFold(c.TenantID, tenantID)
	}
	if !ok {
		return Status{}, apperr.Validation(map[string]string{"tenantId": "Choose one of the practices listed."})
	}
	s.mu.Lock()
	if a.stage != StageChooseTenant {
		s.mu.Unlock()
		return Status{}, apperr.New(apperr.CodeConflict, "A practice has already been chosen.", "Check the connection status.")
	}
	a.stage = StageConnected
	s.mu.Unlock()
	if err := s.finish(a, tenantID); err != nil {
		s.end(a, err)
		return Status{}, err
	}
	return s.Status(ctx)
}

// finish saves the tokens in the keychain and the connection in SQLite.
func (s *Service) finish(a *attempt, tenantID string) error {
	ctx := a.ctx
	var t xpm.Connection
	for _, c := range a.tenants {
		if strings.EqualFold(c.TenantID, tenantID) {
			t = c
		}
	}
	now := s.clk.Now()
	if err := auth.SaveToken(ctx, s.sec, auth.TokenKey(t.TenantID), *a.tok); err != nil {
		return err
	}
	var prev *store.XPMConnection
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		cur, ok, err := tx.CurrentConnection(ctx)
		if err != nil {
			return err
		}
		if ok && !strings.EqualFold(cur.TenantID, t.TenantID) {
			prev = &cur
			if err := tx.SetConnectionStatus(ctx, cur.TenantID, store.ConnDisconnected, "", now); err != nil {
				return err
			}
		}
		return tx.PutConnection(ctx, store.XPMConnection{TenantID: t.TenantID, TenantName: t.TenantName, TenantType: t.TenantType,
			ConnectionID: t.ID, APIBaseURL: a.env.client.Endpoints.APIBaseURL, Scopes: a.tok.Scopes, ConnectedBy: a.identity.Name,
			ConnectedEmail: a.identity.Email, ConnectedAt: now, Status: store.ConnConnected, Environment: a.env.name,
			ClientID: a.env.client.ClientID, UpdatedAt: now})
	})
	if err != nil {
		_ = s.sec.Delete(context.WithoutCancel(ctx), auth.TokenKey(t.TenantID))
		return err
	}
	if prev != nil {
		s.forget(ctx, a.env.client, prev.TenantID)
	}
	s.mu.Lock()
	a.done = true
	s.live = s.newLive(a.env, t.TenantID, t.TenantName, a.tok)
	if s.attempt == a {
		s.attempt = nil
	}
	s.mu.Unlock()
	a.cancel(nil)
	a.login.Close()
	s.log.Info("connected to XPM", "tenant", t.TenantID, "environment", a.env.name)
	if s.tfa != nil {
		s.tfa.Touch()
		s.tfa.Notify(ctx)
	}
	st, err := s.Status(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	msg := "Connected to " + t.TenantName + "."
	if st.ActiveLinks.Total() > 0 {
		msg += " Your links to this practice are active again (" + describeLinks(st.ActiveLinks) + ")."
	}
	s.progress(a, Progress{Stage: StageConnected, Message: msg, Status: &st, LinksRestored: st.ActiveLinks.Total()})
	s.emit(EventChanged, st)
	if s.onConnected != nil {
		s.onConnected(context.WithoutCancel(ctx), t.TenantID)
	}
	return nil
}

// forget revokes (best effort) and removes the saved tokens of a tenant
// Structura no longer uses.
func (s *Service) forget(ctx context.Context, client auth.Client, tenantID string) {
	ctx = context.WithoutCancel(ctx)
	key := auth.TokenKey(tenantID)
	if tok, err := auth.LoadToken(ctx, s.sec, key); err == nil {
		if err := client.Revoke(ctx, tok.RefreshToken); err != nil {
			s.log.Warn("could not revoke the previous connection", "err", err)
		}
	}
	if err := s.sec.Delete(ctx, key); err != nil {
		s.log.Warn("could not remove the previous connection's tokens from the keychain", "err", err)
	}
}

// end finishes an attempt that did not connect.
func (s *Service) end(a *attempt, err error) {
	s.mu.Lock()
	if a.done {
		s.mu.Unlock()
		return
	}
	a.done = true
	if s.attempt == a {
		s.attempt = nil
	}
	s.mu.Unlock()
	a.cancel(err)
	a.login.Close()
	if a.tok != nil {
		// Signed in but not connected: give the grant back.
		if rerr := a.env.client.Revoke(context.WithoutCancel(a.ctx), a.tok.RefreshToken); rerr != nil {
			s.log.Warn("could not revoke an unused sign-in", "err", rerr)
		}
	}
	p := Progress{Stage: StageFailed}
	switch {
	case errors.Is(err, errCancelled):
		p.Stage, p.Message = StageCancelled, "Connecting was cancelled."
	case errors.Is(err, errReplaced):
		p.Stage, p.Message = StageCancelled, "A newer attempt to connect replaced this one."
	case errors.Is(err, errTimedOut):
		p.Stage = StageTimedOut
		p.Error = apperr.New(apperr.CodeUnavailable, auth.MsgFailed+": Structura did not hear back from Xero within "+minutes(s.timeout)+".",
			"Click Connect again and finish signing in to Xero in your browser within "+minutes(s.timeout)+". If no browser tab opened, use Open again or copy the sign-in address.")
		p.Message = p.Error.Message
	default:
		p.Error = apperr.Public(err)
		p.Message = p.Error.Message
		s.log.Warn("connect failed", "attempt", a.id, "code", string(p.Error.Code), "err", err)
	}
	s.progress(a, p)
	s.emitStatus(a.ctx)
}

// causeOf returns why ctx ended (cancelled, timed out, replaced) when it
// did, else err.
func causeOf(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if c := context.Cause(ctx); c != nil {
			return c
		}
	}
	return err
}

func minutes(d time.Duration) string {
	m := int(d / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// xpmHint is the hint of the practitioner-facing form of an XPM error.
func xpmHint(err error) string {
	if ae, ok := apperr.As(xpm.UserError(err)); ok && ae.Hint != "" {
		return ae.Message + " " + ae.Hint
	}
	return "Click Connect again. If it keeps failing, send the log file to support."
}
