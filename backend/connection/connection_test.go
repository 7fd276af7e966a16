package connection

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/twofa"
	"structura/backend/xpm"
)

var xpmRetryForTests = xpm.RetryPolicy{Seed: 1}

// Acceptance 1 (and 3): the whole flow against the sandbox over real HTTP,
// then a scan for secrets in SQLite, the log and everything sent to the UI.
func TestWholeFlowAgainstSandbox(t *testing.T) {
	f := newFixture(t)
	demo, second := sandbox.DemoPracticeID, sandbox.SecondPracticeID

	if st := f.status(); st.State != StateNotConnected || st.Label != "Not connected" || !st.Sandbox {
		t.Fatalf("initial status %+v", st)
	}
	// Local groups linked to the demo practice (as an import would leave
	// them) must survive everything below.
	groupIDs := f.linkGroups(demo, 3)

	// 2FA enrolled with a TOTP generated here.
	f.enrol()

	// Connect as a user with two practices (and an accounting org): the
	// test follows the consent page like a browser.
	a := f.start()
	if !strings.Contains(a.BrowserURL, "code_challenge_method=S256") || a.RedirectURI != auth.RedirectURI(f.port) {
		t.Fatalf("attempt %+v", a)
	}
	page := f.signIn(a, sandbox.UserSam, true)
	if !strings.Contains(page.Body, "You can close this tab and return to Structura") {
		t.Fatalf("callback page: %s", page.Body)
	}
	p := f.ev.progress(t, a.AttemptID, StageChooseTenant)
	if len(p.Tenants) != 2 {
		t.Fatalf("want the two practices (organisation filtered out), got %+v", p.Tenants)
	}
	var demoChoice TenantChoice
	for _, c := range p.Tenants {
		if c.TenantID == demo {
			demoChoice = c
		}
	}
	if demoChoice.TenantName != "Harbourside Accounting" || demoChoice.RestoresLinks != 6 || demoChoice.Warning != "" {
		t.Fatalf("demo practice choice %+v", demoChoice)
	}
	st := f.choose(a, demo)
	if st.State != StateConnected || st.Label != "Connected to Harbourside Accounting" || st.ConnectedBy != "Sam Okafor" ||
		st.ActiveLinks.Groups != 3 || len(st.ParkedLinks) != 0 || !contains(st.Scopes, "practicemanager.client") {
		t.Fatalf("status after connect %+v", st)
	}
	if ev, ok := f.ev.last(EventChanged); !ok || ev.data.(Status).State != StateConnected {
		t.Fatalf("no connection:changed event: %+v", ev)
	}
	tok1, err := f.savedToken(demo)
	if err != nil {
		t.Fatalf("tokens not in the keychain: %v", err)
	}
	if f.rawCount("xpm_connection", "tenant_id = ? AND status = 'connected' AND connected_by = 'Sam Okafor' AND scopes LIKE '%offline_access%'", demo) != 1 {
		t.Fatal("connection row not saved")
	}
	f.connectedMu.Lock()
	if len(f.connectedTenants) != 1 || f.connectedTenants[0] != demo {
		t.Fatalf("OnConnected calls: %v, want one for the chosen practice", f.connectedTenants)
	}
	f.connectedMu.Unlock()

	// Test connection: practice, time, calls left, scopes, verdict.
	r := f.test()
	if !r.OK || r.PracticeName != "Harbourside Accounting" || r.CallsLeftThisMinute == nil || r.CallsLeftToday == nil ||
		*r.CallsLeftThisMinute >= sandbox.XeroPerMinute || *r.CallsLeftToday >= sandbox.XeroPerDay || !contains(r.Scopes, "practicemanager.read") ||
		len(r.MissingScopes) != 0 || !strings.HasPrefix(r.Verdict, "Everything works") {
		t.Fatalf("test result %+v", r)
	}

	// Token refresh with rotation under the fake clock.
	f.clk.Advance(29 * time.Minute) // inside the 2-minute early window
	if r := f.test(); !r.OK {
		t.Fatalf("test after refresh: %+v", r)
	}
	tok2, _ := f.savedToken(demo)
	if tok2.RefreshToken == tok1.RefreshToken || tok2.AccessToken == tok1.AccessToken {
		t.Fatal("the rotated tokens were not saved")
	}
	f.clk.Advance(sandbox.RefreshGrace + time.Minute) // the old refresh token's grace is over
	if code, e := f.refreshWorks(tok1.RefreshToken); code != http.StatusBadRequest || e != "invalid_grant" {
		t.Fatalf("old refresh token after grace: %d %s", code, e)
	}
	if r := f.test(); !r.OK {
		t.Fatalf("test with the rotated refresh token: %+v", r)
	}
	tok3, _ := f.savedToken(demo)
	if tok3.RefreshToken == tok2.RefreshToken {
		t.Fatal("second rotation not saved")
	}

	// Disconnect: revoked at the sandbox, keychain item gone, links kept.
	d := f.disconnect()
	if !d.Revoked || d.Warning != "" || d.Status.State != StateNotConnected || d.KeptLinks.Groups != 3 || d.KeptLinks.Entities != 3 {
		t.Fatalf("disconnect %+v", d)
	}
	for _, c := range f.sb.Connections(sandbox.UserSam) {
		if c.ClientID == sandbox.DefaultClientID {
			t.Fatalf("the sandbox still lists a connection: %+v", c)
		}
	}
	if code, e := f.refreshWorks(tok3.RefreshToken); code != http.StatusBadRequest || e != "invalid_grant" {
		t.Fatalf("refresh token after disconnect: %d %s", code, e)
	}
	if _, err := f.savedToken(demo); err == nil {
		t.Fatal("tokens left in the keychain")
	}
	if f.rawCount("group_link", "tenant_id = ?", demo) != 3 || f.rawCount("entity_group", "") != 3 {
		t.Fatal("local data or links lost on disconnect")
	}
	if st := f.status(); len(st.ParkedLinks) != 1 || st.ParkedLinks[0].TenantName != "Harbourside Accounting" || st.ParkedLinks[0].Groups != 3 {
		t.Fatalf("parked links %+v", st.ParkedLinks)
	}
	if tst, _ := f.tfa.Status(f.ctx); !tst.Enabled || tst.Required {
		t.Fatalf("2FA after disconnect %+v", tst)
	}

	// Reconnect to the same practice: the links come back to life.
	p = f.connect(sandbox.UserSam, demo)
	if p.LinksRestored != 6 || p.Status.ActiveLinks.Groups != 3 || !strings.Contains(p.Message, "active again") {
		t.Fatalf("reconnect %+v", p)
	}
	for _, id := range groupIDs {
		if f.rawCount("group_link", "group_id = ? AND tenant_id = ?", id, demo) != 1 {
			t.Fatalf("link of group %d changed", id)
		}
	}

	// Connecting to a different practice warns and keeps the links parked.
	f.disconnect()
	a = f.start()
	f.signIn(a, sandbox.UserSam, true)
	p = f.ev.progress(t, a.AttemptID, StageChooseTenant)
	for _, c := range p.Tenants {
		if c.TenantID == second && (!strings.Contains(c.Warning, "Harbourside Accounting (3 groups, 3 clients)") || !strings.Contains(c.Warning, "stay parked")) {
			t.Fatalf("no warning for the other practice: %+v", c)
		}
	}
	st = f.choose(a, second)
	if st.TenantName != "Coastal Tax Partners" || st.ActiveLinks.Total() != 0 || len(st.ParkedLinks) != 1 || st.ParkedLinks[0].TenantID != demo {
		t.Fatalf("status on the other practice %+v", st)
	}
	if f.rawCount("group_link", "tenant_id = ?", demo) != 3 || f.rawCount("group_link", "tenant_id = ?", second) != 0 {
		t.Fatal("links were attached to the wrong practice")
	}
	f.test()
	f.disconnect()

	// Acceptance 3: no token, refresh token or seed anywhere.
	f.assertNoSecrets()
}

// Acceptance 3 with a web-type Xero app: the client secret (in the
// keychain) never reaches SQLite, the log or the UI either.
func TestClientSecretNeverLeaksWithWebApp(t *testing.T) {
	f := newFixture(t)
	const clientID, secret = "WEBAPPCLIENT0001", "web-app-secret-3f9c2a7b1e5d4c8a"
	if err := f.sb.RegisterApp(sandbox.App{ClientID: clientID, ClientSecret: secret, Name: "Firm web app",
		RedirectURIs: []string{auth.RedirectURI(f.port)}}); err != nil {
		t.Fatal(err)
	}
	// "Xero" pointed at the sandbox: the same code path as real Xero.
	f.svc.xeroEP = func(string) auth.Endpoints { return auth.SandboxEndpoints(f.sb.URL()) }
	s := f.saveSettings(SettingsInput{Environment: EnvXero, ClientID: clientID, ClientSecret: secret, CallbackPort: f.port})
	if !s.HasClientSecret || s.RedirectURI != auth.RedirectURI(f.port) || len(s.Checklist) < 4 {
		t.Fatalf("settings %+v", s)
	}
	if v, err := f.kc.Get(f.ctx, auth.ClientSecretKey(clientID)); err != nil || v != secret {
		t.Fatal("client secret not in the keychain")
	}
	f.enrol()
	p := f.connect(sandbox.UserAlex, "")
	if p.Status.Environment != EnvXero || p.Status.Sandbox {
		t.Fatalf("status %+v", p.Status)
	}
	f.test()
	f.clk.Advance(40 * time.Minute)
	if r := f.test(); !r.OK {
		t.Fatalf("refresh with the client secret: %+v", r)
	}
	f.disconnect()
	f.assertNoSecrets(secret)
}

// Acceptance 4: the keychain write fails once during rotation; the grace
// retry succeeds and the connection survives.
func TestRotationSaveFailsOnceGraceRetrySucceeds(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	f.connect(sandbox.UserAlex, "")
	before, _ := f.savedToken(sandbox.DemoPracticeID)

	f.clk.Advance(29 * time.Minute)
	f.kc.failNext("xpm-token:", 1)
	r := f.test()
	if !r.OK {
		t.Fatalf("test during rotation with a failing keychain: %+v", r)
	}
	stats := f.svc.live.ts.Stats()
	if stats.SaveFailures != 1 || stats.GraceRetries != 1 || stats.Refreshes != 2 {
		t.Fatalf("token source stats %+v", stats)
	}
	after, _ := f.savedToken(sandbox.DemoPracticeID)
	if after.RefreshToken == before.RefreshToken {
		t.Fatal("the grace retry's tokens were not saved")
	}
	if st := f.status(); st.State != StateConnected {
		t.Fatalf("connection lost: %+v", st)
	}
	// It survives past the old token's grace period and across a restart.
	f.clk.Advance(3 * time.Hour)
	f.svc = New(Config{Store: f.st, Secrets: f.kc, Clock: f.clk, Events: f.ev, TwoFactor: f.tfa, Browser: f.br, Sandbox: f.host, XPMRetry: xpmRetryForTests})
	if r := f.test(); !r.OK {
		t.Fatalf("after restart: %+v", r)
	}
	if code, _ := f.refreshWorks(before.RefreshToken); code != http.StatusBadRequest {
		t.Fatal("the pre-rotation token should be dead by now")
	}
}

// Acceptance 2: each message from its real cause.

func TestMessageEnableTwoFactorToConnect(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.StartConnect(f.ctx)
	ae, ok := apperr.As(err)
	if !ok || ae.Message != "Enable two-factor authentication to connect to Xero" || !strings.Contains(ae.Hint, "Settings → Security") {
		t.Fatalf("error %v", err)
	}
	if len(f.br.Opened()) != 0 {
		t.Fatal("browser opened without 2FA")
	}
}

func TestMessageAuthorizationWasDenied(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	for _, tc := range []struct {
		user  string
		allow bool
	}{{sandbox.UserAlex, false}, {sandbox.UserDana, true}} {
		a := f.start()
		page := f.signIn(a, tc.user, tc.allow)
		if !strings.Contains(page.Body, "Authorization was denied") {
			t.Fatalf("page %s", page.Body)
		}
		p := f.ev.progress(t, a.AttemptID, StageFailed, StageConnected)
		if p.Stage != StageFailed || p.Error.Message != "Authorization was denied" || p.Error.Hint == "" {
			t.Fatalf("progress %+v", p)
		}
	}
	if f.status().State != StateNotConnected {
		t.Fatal("connected after a denial")
	}
}

func TestMessageNoOrganizationsWithoutPrivilege(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	a := f.start()
	f.signIn(a, sandbox.UserJordan, true)
	p := f.ev.progress(t, a.AttemptID, StageFailed, StageConnected, StageChooseTenant)
	if p.Stage != StageFailed || p.Error.Message != "No Xero organizations found" || !strings.Contains(p.Error.Hint, "Connect third-party add-ons") {
		t.Fatalf("progress %+v", p)
	}
}

func TestMessageNoOrganizationsWhenOnlyAnAccountingOrgIsConnected(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	a := f.start()
	cb, err := f.br.Consent(f.ctx, a.BrowserURL, sandbox.UserSam, true)
	if err != nil {
		t.Fatal(err)
	}
	// Before the browser reaches Structura, the practices are disconnected
	// in Xero: the grant now reaches only the accounting organisation.
	f.disconnectPracticesAtXero(sandbox.UserSam)
	if _, err := f.br.Get(f.ctx, cb); err != nil {
		t.Fatal(err)
	}
	p := f.ev.progress(t, a.AttemptID, StageFailed, StageConnected, StageChooseTenant)
	if p.Stage != StageFailed || p.Error.Message != "No Xero organizations found" || !strings.Contains(p.Error.Hint, "only Xero accounting organisations") {
		t.Fatalf("progress %+v", p)
	}
}

func TestMessageSecurityValidationFailed(t *testing.T) {
	f := newFixture(t)
	f.enrol()

	// From another tab: an earlier attempt's page is used after a newer
	// attempt started. The newer one still connects.
	older := f.start()
	newer := f.start()
	if p := f.ev.progress(t, older.AttemptID, StageCancelled); !strings.Contains(p.Message, "newer attempt") {
		t.Fatalf("older attempt %+v", p)
	}
	page := f.signIn(older, sandbox.UserSam, true)
	if page.Status != http.StatusBadRequest || !strings.Contains(page.Body, "Security validation failed") || !strings.Contains(page.Body, "another browser tab") {
		t.Fatalf("stale tab page %d %s", page.Status, page.Body)
	}
	rej := f.ev.progress(t, newer.AttemptID, StageCallbackRejected)
	if !strings.HasPrefix(rej.Error.Message, "Security validation failed") {
		t.Fatalf("rejection %+v", rej)
	}

	// Reused: the answer loaded twice (while the practice is being chosen).
	cb, err := f.br.Consent(f.ctx, newer.BrowserURL, sandbox.UserSam, true)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := f.br.Get(f.ctx, cb); p.Status != http.StatusOK {
		t.Fatalf("first answer %d", p.Status)
	}
	f.ev.progress(t, newer.AttemptID, StageChooseTenant)
	if p, _ := f.br.Get(f.ctx, cb); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Security validation failed") || !strings.Contains(p.Body, "already been used") {
		t.Fatalf("reused answer page %d %s", p.Status, p.Body)
	}
	f.choose(newer, sandbox.DemoPracticeID)
	f.disconnect()

	// Expired: a page older than 10 minutes.
	old := f.start()
	f.advanceConnectClock(auth.StateTTL)
	if p := f.ev.progress(t, old.AttemptID, StageTimedOut); !strings.HasPrefix(p.Error.Message, "Failed to complete connection") {
		t.Fatalf("timed out attempt %+v", p)
	}
	if _, err := f.tfa.Unlock(f.ctx, f.totp()); err != nil { // keep the session fresh
		t.Fatal(err)
	}
	cur := f.start()
	page = f.signIn(old, sandbox.UserAlex, true)
	if page.Status != http.StatusBadRequest || !strings.Contains(page.Body, "Security validation failed") || !strings.Contains(page.Body, "expired") {
		t.Fatalf("expired page %d %s", page.Status, page.Body)
	}

	// Foreign: an answer this Structura never asked for.
	p, err := f.br.Get(f.ctx, "http://localhost:"+itoa(f.port)+"/callback?state=forged-state&code=stolen")
	if err != nil || p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Security validation failed") || !strings.Contains(p.Body, "not started by this copy") {
		t.Fatalf("foreign answer page %+v %v", p, err)
	}
	if err := f.svc.CancelConnect(f.ctx, cur.AttemptID); err != nil {
		t.Fatal(err)
	}
	f.ev.progress(t, cur.AttemptID, StageCancelled)
}

func TestMessageFailedToCompleteConnectionWhenTokenEndpointFails(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	if err := f.sb.SetFaults(&sandbox.FaultConfig{Rules: []sandbox.FaultRule{{Operation: "identity/token", Kind: sandbox.FaultStatus, Status: 503, Nth: []int{1}}}}); err != nil {
		t.Fatal(err)
	}
	a := f.start()
	f.signIn(a, sandbox.UserAlex, true)
	p := f.ev.progress(t, a.AttemptID, StageFailed, StageConnected)
	if p.Stage != StageFailed || !strings.HasPrefix(p.Error.Message, "Failed to complete connection") || !strings.Contains(p.Error.Message, "HTTP 503") ||
		!strings.Contains(p.Error.Hint, "Connect again") {
		t.Fatalf("progress %+v", p)
	}
	// The fault is gone: trying again works.
	f.connect(sandbox.UserAlex, "")
}

func TestRevokedGrantMeansReconnectNeeded(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	f.connect(sandbox.UserAlex, "")
	tok, _ := f.savedToken(sandbox.DemoPracticeID)
	// The user removes Structura in Xero.
	if err := f.sb.RevokeRefreshToken(tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(31 * time.Minute)
	r := f.test()
	if r.OK || !strings.HasPrefix(r.Verdict, "Reconnect needed") || !strings.Contains(r.Fix, "Reconnect") {
		t.Fatalf("test result %+v", r)
	}
	st := f.status()
	if st.State != StateReconnectNeeded || st.Label != "Reconnect needed" || st.Reason == "" {
		t.Fatalf("status %+v", st)
	}
	if ev, _ := f.ev.last(EventChanged); ev.data.(Status).State != StateReconnectNeeded {
		t.Fatal("no connection:changed event for the reconnect")
	}
	// Jobs fail at once with the same message, without calling Xero.
	f.sb.ClearLog()
	_, err := f.svc.Client(f.ctx, false)
	if ae, ok := apperr.As(err); !ok || !strings.HasPrefix(ae.Message, "Reconnect needed") {
		t.Fatalf("client: %v", err)
	}
	if f.sb.Stats().Calls != 0 {
		t.Fatal("Xero was called after the refusal")
	}
	// One-click reconnect.
	p := f.connect(sandbox.UserAlex, "")
	if p.Status.State != StateConnected {
		t.Fatalf("reconnect %+v", p)
	}
	if r := f.test(); !r.OK {
		t.Fatalf("after reconnect %+v", r)
	}
}

// ---- more behaviour ----

func TestConnectNeedsCodeAfterIdleAndLockAtOpen(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	f.connect(sandbox.UserAlex, "")
	// A new process with a connection starts locked.
	f.tfa = twofa.New(twofa.Config{Store: f.st, Secrets: f.kc, Clock: f.clk})
	f.svc.tfa = f.tfa
	if _, err := f.svc.TestConnection(f.ctx); err == nil || !strings.Contains(err.Error(), twofa.MsgLocked) {
		t.Fatalf("test while locked: %v", err)
	}
	f.clk.Advance(time.Minute)
	if _, err := f.tfa.Unlock(f.ctx, f.totp()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Client(f.ctx, true); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(9 * time.Hour)
	if _, err := f.svc.Client(f.ctx, true); err == nil || !strings.Contains(err.Error(), twofa.MsgLocked) {
		t.Fatalf("write after idle: %v", err)
	}
	if _, err := f.svc.Client(f.ctx, false); err != nil {
		t.Fatalf("read after idle: %v", err)
	}
}

func TestStartConnectErrors(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	// Port taken.
	ln, err := netListen(f.port)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.StartConnect(f.ctx)
	ln.Close()
	if ae, ok := apperr.As(err); !ok || !strings.Contains(ae.Message, "port "+itoa(f.port)) || !strings.Contains(ae.Hint, "callback port in Settings") {
		t.Fatalf("port in use: %v", err)
	}
	// Already connected.
	f.connect(sandbox.UserAlex, "")
	if _, err := f.svc.StartConnect(f.ctx); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("second connect: %v", err)
	}
	// Settings cannot switch environment while connected.
	if _, err := f.svc.SaveSettings(f.ctx, SettingsInput{Environment: EnvXero, ClientID: "ABC", CallbackPort: f.port}); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("switch while connected: %v", err)
	}
	f.disconnect()
	// Xero without a client id.
	if _, err := f.svc.SaveSettings(f.ctx, SettingsInput{Environment: EnvXero, CallbackPort: 80}); err == nil {
		t.Fatal("invalid settings accepted")
	} else if ae, _ := apperr.As(err); ae.Fields["clientId"] == "" || ae.Fields["callbackPort"] == "" {
		t.Fatalf("fields %+v", ae.Fields)
	}
}

func TestCancelAndTimeout(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	a := f.start()
	if st := f.status(); st.ConnectAttemptID != a.AttemptID {
		t.Fatalf("attempt not in status: %+v", st)
	}
	if err := f.svc.ReopenBrowser(f.ctx, a.AttemptID); err != nil || len(f.br.Opened()) != 2 {
		t.Fatalf("open again: %v", err)
	}
	if err := f.svc.CancelConnect(f.ctx, a.AttemptID); err != nil {
		t.Fatal(err)
	}
	if p := f.ev.progress(t, a.AttemptID, StageCancelled); p.Error != nil {
		t.Fatalf("cancel is not a failure: %+v", p)
	}
	if err := f.svc.CancelConnect(f.ctx, a.AttemptID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("cancel twice: %v", err)
	}
	// The port is free again at once.
	ln, err := netListen(f.port)
	if err != nil {
		t.Fatalf("listener left open: %v", err)
	}
	ln.Close()

	// Signed in, practice not chosen, time runs out: the grant is revoked.
	a = f.start()
	f.signIn(a, sandbox.UserSam, true)
	f.ev.progress(t, a.AttemptID, StageChooseTenant)
	f.advanceConnectClock(DefaultConnectTimeout)
	p := f.ev.progress(t, a.AttemptID, StageTimedOut)
	if !strings.Contains(p.Error.Hint, "within 10 minutes") {
		t.Fatalf("timeout %+v", p)
	}
	for _, c := range f.sb.Connections(sandbox.UserSam) {
		if c.ClientID == sandbox.DefaultClientID {
			t.Fatal("the unused grant was not revoked")
		}
	}
	if _, err := f.svc.ChooseTenant(f.ctx, a.AttemptID, sandbox.DemoPracticeID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("choose after timeout: %v", err)
	}
}

func TestSandboxStateSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	if _, err := f.sb.PutGroup(sandbox.DemoPracticeID, sandbox.Group{Name: "Added by the user"}); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := &SandboxHost{StatePath: f.host.StatePath, Options: f.host.Options}
	if err := h2.Start(); err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	groups, _ := h2.Server().Groups(sandbox.DemoPracticeID)
	found := false
	for _, g := range groups {
		found = found || g.Name == "Added by the user"
	}
	if !found {
		t.Fatal("the sandbox forgot the user's change")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ = store.ConnConnected

// A restart of Structura restarts the in-process sandbox, which keeps no
// grants: ResumeSandbox gets a new grant for the same user; without it the
// saved token is refused and the connection says "Reconnect needed".
func TestSandboxConnectionAcrossRestart(t *testing.T) {
	f := newFixture(t)
	f.enrol()
	f.connect(sandbox.UserAlex, "")
	restart := func() {
		if err := f.host.Close(); err != nil {
			t.Fatal(err)
		}
		f.host = &SandboxHost{StatePath: f.host.StatePath, Options: f.host.Options}
		if err := f.host.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.host.Close() })
		f.sb = f.host.Server()
		f.svc = New(Config{Store: f.st, Secrets: f.kc, Clock: f.clk, Events: f.ev, TwoFactor: f.tfa, Browser: f.br, Sandbox: f.host, XPMRetry: xpmRetryForTests})
		f.saveSettings(SettingsInput{Environment: EnvSandbox, CallbackPort: f.port})
	}
	restart()
	f.svc.ResumeSandbox(f.ctx)
	if r := f.test(); !r.OK {
		t.Fatalf("after restart with resume: %+v", r)
	}
	restart()
	if r := f.test(); r.OK || !strings.HasPrefix(r.Verdict, "Reconnect needed") {
		t.Fatalf("after restart without resume: %+v", r)
	}
	if f.status().State != StateReconnectNeeded {
		t.Fatal("status not reconnect_needed")
	}
}
