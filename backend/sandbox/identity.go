package sandbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Tenant is an XPM practice or a Xero organisation a user can connect.
type Tenant struct {
	ID   string `json:"tenantId"`
	Name string `json:"tenantName"`
	// Type is "PRACTICE" for XPM or "ORGANISATION" for Xero accounting.
	Type string `json:"tenantType"`
}

// User is a sandbox Xero user shown on the consent page.
type User struct {
	ID         string
	Email      string
	GivenName  string
	FamilyName string
	// Tenants the user belongs to.
	Tenants []string
	// NoAddonPrivilege: the user lacks XPM's "Connect third-party add-ons"
	// privilege, so a grant yields no practice (organisations still connect).
	NoAddonPrivilege bool
	// DeniesConsent: whatever is clicked, the user denies (a scenario for
	// tests that drive the page without a browser).
	DeniesConsent bool
	// Scenario says in plain words what the user is for.
	Scenario string
}

// Name is the user's full name.
func (u *User) Name() string { return u.GivenName + " " + u.FamilyName }

// App is a registered Xero app (an OAuth client).
type App struct {
	ClientID string
	// ClientSecret "" makes a public client: PKCE, no secret.
	ClientSecret string
	// RedirectURIs are matched exactly, like Xero.
	RedirectURIs []string
	Name         string
}

// Fixed ids of the scenario tenants and users (see the package doc).
const (
	DemoPracticeID   = "6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b10"
	SecondPracticeID = "6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b20"
	OrganisationID   = "6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b30"

	UserAlex   = "b7e2a9d0-1c4f-4a8b-8e3d-000000000001" // one practice
	UserSam    = "b7e2a9d0-1c4f-4a8b-8e3d-000000000002" // two practices and an organisation
	UserJordan = "b7e2a9d0-1c4f-4a8b-8e3d-000000000003" // no add-on privilege
	UserDana   = "b7e2a9d0-1c4f-4a8b-8e3d-000000000004" // denies consent

	// DefaultClientID is the built-in public (PKCE) app.
	DefaultClientID = "STRUCTURASANDBOXPUBLICCLIENT0001"
)

// DefaultRedirectURIs are registered on the built-in app.
var DefaultRedirectURIs = []string{
	"http://localhost:8749/callback",
	"http://127.0.0.1:8749/callback",
}

// DefaultScopes is what Structura asks for (NOTES.md).
const DefaultScopes = "openid profile email offline_access practicemanager.client practicemanager.read"

func scenarioTenants() []Tenant {
	return []Tenant{
		{ID: DemoPracticeID, Name: "Harbourside Accounting", Type: "PRACTICE"},
		{ID: SecondPracticeID, Name: "Coastal Tax Partners", Type: "PRACTICE"},
		{ID: OrganisationID, Name: "Harbourside Accounting Pty Ltd", Type: "ORGANISATION"},
	}
}

func scenarioUsers() []*User {
	return []*User{
		{ID: UserAlex, Email: "alex.morgan@harbourside.example", GivenName: "Alex", FamilyName: "Morgan",
			Tenants: []string{DemoPracticeID}, Scenario: "One practice (Harbourside Accounting)"},
		{ID: UserSam, Email: "sam.okafor@harbourside.example", GivenName: "Sam", FamilyName: "Okafor",
			Tenants:  []string{DemoPracticeID, SecondPracticeID, OrganisationID},
			Scenario: "Two practices and a Xero accounting organisation"},
		{ID: UserJordan, Email: "jordan.lee@harbourside.example", GivenName: "Jordan", FamilyName: "Lee",
			Tenants: []string{DemoPracticeID}, NoAddonPrivilege: true,
			Scenario: "Staff member without the \u201cConnect third-party add-ons\u201d privilege"},
		{ID: UserDana, Email: "dana.whitfield@harbourside.example", GivenName: "Dana", FamilyName: "Whitfield",
			Tenants: []string{DemoPracticeID}, DeniesConsent: true, Scenario: "Denies access"},
	}
}

type authCode struct {
	code         string
	clientID     string
	redirectURI  string
	grantID      string
	challenge    string
	nonce        string
	issued       time.Time
	used         bool
	issuedTokens []string // access and refresh tokens minted from this code
}

type grant struct {
	id          string
	clientID    string
	userID      string
	scopes      []string
	authEventID string
	created     time.Time
	revoked     bool
}

type accessToken struct {
	grantID string
	expires time.Time
}

type refreshToken struct {
	grantID    string
	issued     time.Time
	superseded time.Time // when it was used to refresh (zero = latest)
	revoked    bool
}

type connection struct {
	ID          string
	TenantID    string
	UserID      string
	ClientID    string
	GrantID     string
	AuthEventID string
	Created     time.Time
	Updated     time.Time
}

func randToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// resetIdentityLocked restores scenario users, tenants, the default app and
// forgets every code, grant, token and connection.
func (s *Server) resetIdentityLocked() {
	s.users = scenarioUsers()
	if s.tenants == nil {
		s.tenants = map[string]*tenant{}
	}
	s.tenantOrder = nil
	for _, t := range scenarioTenants() {
		if s.tenants[t.ID] == nil {
			s.tenants[t.ID] = &tenant{Tenant: t}
		}
		s.tenantOrder = append(s.tenantOrder, t.ID)
	}
	s.apps[DefaultClientID] = &App{ClientID: DefaultClientID, Name: "Structura (sandbox)",
		RedirectURIs: append([]string(nil), DefaultRedirectURIs...)}
	s.codes = map[string]*authCode{}
	s.grants = map[string]*grant{}
	s.access = map[string]*accessToken{}
	s.refresh = map[string]*refreshToken{}
	s.conns = map[string]*connection{}
}

// RegisterApp adds or replaces an app. Redirect URIs are matched exactly.
func (s *Server) RegisterApp(a App) error {
	if strings.TrimSpace(a.ClientID) == "" {
		return errors.New("sandbox: an app needs a client id")
	}
	if len(a.RedirectURIs) == 0 {
		return errors.New("sandbox: an app needs at least one redirect URI")
	}
	for _, u := range a.RedirectURIs {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme == "" || pu.Host == "" || pu.Fragment != "" {
			return fmt.Errorf("sandbox: redirect URI %q must be an absolute URL without a fragment", u)
		}
	}
	if a.Name == "" {
		a.Name = a.ClientID
	}
	a.RedirectURIs = append([]string(nil), a.RedirectURIs...)
	s.mu.Lock()
	s.apps[a.ClientID] = &a
	s.mu.Unlock()
	return nil
}

// Users lists the scenario users.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = *u
	}
	return out
}

// Tenants lists every tenant.
func (s *Server) Tenants() []Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Tenant
	for _, id := range s.tenantOrder {
		out = append(out, s.tenants[id].Tenant)
	}
	return out
}

func (s *Server) userLocked(id string) *User {
	for _, u := range s.users {
		if u.ID == id || strings.EqualFold(u.Email, id) {
			return u
		}
	}
	return nil
}

// ---- authorize ------------------------------------------------------------

type authRequest struct {
	app             *App
	clientID        string
	redirectURI     string
	responseType    string
	scope           []string
	rawScope        string
	state           string
	challenge       string
	challengeMethod string
	nonce           string
}

// oauthRedirectError is an error sent back to the app's redirect URI.
type oauthRedirectError struct {
	code, desc string
}

func (s *Server) parseAuthRequest(v url.Values) (*authRequest, *oauthRedirectError, error) {
	ar := &authRequest{
		clientID:     v.Get("client_id"),
		redirectURI:  v.Get("redirect_uri"),
		responseType: v.Get("response_type"),
		rawScope:     v.Get("scope"),
		state:        v.Get("state"),
		challenge:    v.Get("code_challenge"),
		nonce:        v.Get("nonce"),
	}
	ar.challengeMethod = v.Get("code_challenge_method")
	s.mu.Lock()
	app := s.apps[ar.clientID]
	s.mu.Unlock()
	if app == nil {
		return nil, nil, fmt.Errorf("the client id %q is not registered with Xero (unauthorized_client)", ar.clientID)
	}
	ar.app = app
	okRedirect := false
	for _, u := range app.RedirectURIs {
		if u == ar.redirectURI {
			okRedirect = true
		}
	}
	if !okRedirect {
		return nil, nil, fmt.Errorf("the redirect address %q is not registered on the app %q; redirect addresses must match exactly (invalid redirect_uri)", ar.redirectURI, app.Name)
	}
	if ar.responseType != "code" {
		return ar, &oauthRedirectError{"unsupported_response_type", "response_type must be code"}, nil
	}
	ar.scope = strings.Fields(ar.rawScope)
	if len(ar.scope) == 0 {
		return ar, &oauthRedirectError{"invalid_scope", "scope is required"}, nil
	}
	for _, sc := range ar.scope {
		if !s.scopes[sc] {
			return ar, &oauthRedirectError{"invalid_scope", "unknown scope " + sc}, nil
		}
	}
	if ar.challenge == "" {
		if app.ClientSecret == "" {
			return ar, &oauthRedirectError{"invalid_request", "code_challenge is required (PKCE with S256)"}, nil
		}
	} else {
		if ar.challengeMethod != "S256" {
			return ar, &oauthRedirectError{"invalid_request", "code_challenge_method must be S256; plain is not supported"}, nil
		}
		if len(ar.challenge) != 43 || strings.Trim(ar.challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return ar, &oauthRedirectError{"invalid_request", "code_challenge must be a base64url SHA-256 digest (43 characters)"}, nil
		}
	}
	return ar, nil, nil
}

func redirectWith(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, _ := url.Parse(redirectURI)
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	rec := &statusRecorder{ResponseWriter: w}
	seq := s.calls.begin()
	defer s.calls.end() // after the record below (defers run last first)
	defer func() { s.record(seq, r, rec.status(), "", "identity/authorize", "", start) }()
	w = rec
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var v url.Values
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, http.StatusBadRequest, "The sign-in request could not be read.", err.Error())
			return
		}
		v = r.PostForm
	} else {
		v = r.URL.Query()
	}
	ar, redirErr, pageErr := s.parseAuthRequest(v)
	if pageErr != nil {
		s.errorPage(w, http.StatusBadRequest, "This app cannot sign in with Xero.", pageErr.Error())
		return
	}
	if redirErr != nil {
		redirectWith(w, r, ar.redirectURI, url.Values{"error": {redirErr.code}, "error_description": {redirErr.desc}, "state": {ar.state}})
		return
	}
	if r.Method == http.MethodGet {
		s.consentPage(w, ar, v)
		return
	}
	decision := v.Get("decision")
	s.mu.Lock()
	user := s.userLocked(v.Get("user"))
	s.mu.Unlock()
	if decision != "allow" && decision != "deny" {
		s.errorPage(w, http.StatusBadRequest, "Choose Allow access or Cancel.", "decision must be allow or deny")
		return
	}
	if decision == "deny" || (user != nil && user.DeniesConsent) {
		redirectWith(w, r, ar.redirectURI, url.Values{"error": {"access_denied"}, "error_description": {"The user denied access"}, "state": {ar.state}})
		return
	}
	if user == nil {
		s.errorPage(w, http.StatusBadRequest, "Choose who is signing in.", "unknown user")
		return
	}
	s.mu.Lock()
	g := s.newGrantLocked(ar.app.ClientID, user, ar.scope)
	code := &authCode{code: randToken(32), clientID: ar.app.ClientID, redirectURI: ar.redirectURI, grantID: g.id,
		challenge: ar.challenge, nonce: ar.nonce, issued: s.now()}
	s.codes[code.code] = code
	s.mu.Unlock()
	redirectWith(w, r, ar.redirectURI, url.Values{"code": {code.code}, "scope": {strings.Join(ar.scope, " ")}, "state": {ar.state}})
}

// newGrantLocked records a consent: a grant plus a connection per tenant
// the user may connect. Reconnecting keeps a connection's id and created
// date and moves it to the new grant (Xero keeps one connection per user,
// app and tenant).
func (s *Server) newGrantLocked(clientID string, user *User, scopes []string) *grant {
	now := s.now()
	g := &grant{id: uuid.NewString(), clientID: clientID, userID: user.ID, scopes: append([]string(nil), scopes...),
		authEventID: uuid.NewString(), created: now}
	s.grants[g.id] = g
	for _, tid := range user.Tenants {
		t := s.tenants[tid]
		if t == nil {
			continue
		}
		if t.Type == "PRACTICE" && user.NoAddonPrivilege {
			continue
		}
		var existing *connection
		for _, c := range s.conns {
			if c.UserID == user.ID && c.ClientID == clientID && c.TenantID == tid {
				existing = c
			}
		}
		if existing != nil {
			existing.GrantID = g.id
			existing.AuthEventID = g.authEventID
			existing.Updated = now
			continue
		}
		c := &connection{ID: uuid.NewString(), TenantID: tid, UserID: user.ID, ClientID: clientID, GrantID: g.id,
			AuthEventID: g.authEventID, Created: now, Updated: now}
		s.conns[c.ID] = c
	}
	return g
}

// ---- token ----------------------------------------------------------------

type oauthError struct {
	status int
	code   string
	desc   string
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.code == "invalid_client" {
		w.Header().Set("WWW-Authenticate", `Basic realm="identity.xero.com"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// clientAuth authenticates the app at the token and revocation endpoints:
// HTTP Basic or client_id/client_secret in the form (RFC 6749 §2.3.1).
func (s *Server) clientAuth(r *http.Request) (*App, *oauthError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if r.PostForm.Get("client_secret") != "" {
			return nil, &oauthError{http.StatusBadRequest, "invalid_request", "use one client authentication method"}
		}
	} else {
		id = r.PostForm.Get("client_id")
		secret = r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	app := s.apps[id]
	s.mu.Unlock()
	if id == "" || app == nil {
		return nil, &oauthError{http.StatusUnauthorized, "invalid_client", "unknown client"}
	}
	if app.ClientSecret == "" {
		if secret != "" {
			return nil, &oauthError{http.StatusUnauthorized, "invalid_client", "this app is a public client and has no secret"}
		}
		return app, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return nil, &oauthError{http.StatusUnauthorized, "invalid_client", "client authentication failed"}
	}
	return app, nil
}

// TokenSet is what the token endpoint answers.
type TokenSet struct {
	IDToken      string `json:"id_token,omitempty"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

func hasScope(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// issueLocked mints an access token (and a refresh token with
// offline_access) for a grant.
func (s *Server) issueLocked(g *grant, withIDToken bool, nonce string) TokenSet {
	now := s.now()
	user := s.userLocked(g.userID)
	claims := map[string]any{
		"iss": "sandbox-identity", "aud": g.clientID, "iat": now.Unix(), "exp": now.Add(AccessTokenTTL).Unix(),
		"nbf": now.Unix(), "client_id": g.clientID, "sub": g.userID, "xero_userid": g.userID,
		"authentication_event_id": g.authEventID, "scope": g.scopes, "jti": uuid.NewString(),
	}
	at := s.signJWT(claims)
	s.access[at] = &accessToken{grantID: g.id, expires: now.Add(AccessTokenTTL)}
	ts := TokenSet{AccessToken: at, ExpiresIn: int64(AccessTokenTTL / time.Second), TokenType: "Bearer", Scope: strings.Join(g.scopes, " ")}
	if hasScope(g.scopes, "offline_access") {
		rt := randToken(32)
		s.refresh[rt] = &refreshToken{grantID: g.id, issued: now}
		ts.RefreshToken = rt
	}
	if withIDToken && hasScope(g.scopes, "openid") && user != nil {
		idc := map[string]any{
			"iss": "sandbox-identity", "aud": g.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"nbf": now.Unix(), "sub": user.ID, "xero_userid": user.ID, "auth_time": g.created.Unix(),
			"global_session_id": g.authEventID, "sid": g.authEventID,
		}
		if nonce != "" {
			idc["nonce"] = nonce
		}
		if hasScope(g.scopes, "profile") {
			idc["given_name"] = user.GivenName
			idc["family_name"] = user.FamilyName
			idc["name"] = user.Name()
			idc["preferred_username"] = user.Email
		}
		if hasScope(g.scopes, "email") {
			idc["email"] = user.Email
		}
		ts.IDToken = s.signJWT(idc)
	}
	return ts
}

// signJWT makes an HS256 JWT. Real Xero signs with RS256 keys published at
// its JWKS endpoint; the sandbox's signature is only for shape.
func (s *Server) signJWT(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	pb, _ := json.Marshal(claims)
	p := base64.RawURLEncoding.EncodeToString(pb)
	m := hmac.New(sha256.New, s.jwtKey)
	m.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "use POST"})
		return
	}
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_request", "send the parameters as application/x-www-form-urlencoded"})
		return
	}
	app, oe := s.clientAuth(r)
	if oe != nil {
		writeOAuthError(w, oe)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.tokenFromCode(w, r, app)
	case "refresh_token":
		s.tokenFromRefresh(w, r, app)
	case "":
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_request", "grant_type is required"})
	default:
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "supported: authorization_code, refresh_token"})
	}
}

func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) tokenFromCode(w http.ResponseWriter, r *http.Request, app *App) {
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	invalid := func(desc string) {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_grant", desc})
	}
	c := s.codes[f.Get("code")]
	if c == nil || c.clientID != app.ClientID {
		invalid("the authorisation code is not valid")
		return
	}
	now := s.now()
	if c.used {
		// RFC 6749 §4.1.2: a code used twice revokes what it issued.
		for _, t := range c.issuedTokens {
			delete(s.access, t)
			if rt := s.refresh[t]; rt != nil {
				rt.revoked = true
			}
		}
		invalid("the authorisation code has already been used")
		return
	}
	if !now.Before(c.issued.Add(CodeTTL)) {
		invalid("the authorisation code has expired")
		return
	}
	if f.Get("redirect_uri") != c.redirectURI {
		invalid("redirect_uri does not match the one used to authorise")
		return
	}
	verifier := f.Get("code_verifier")
	if c.challenge != "" || verifier != "" {
		if len(verifier) < 43 || len(verifier) > 128 {
			invalid("code_verifier must be 43 to 128 characters")
			return
		}
		if subtle.ConstantTimeCompare([]byte(pkceS256(verifier)), []byte(c.challenge)) != 1 {
			invalid("code_verifier does not match the code_challenge")
			return
		}
	}
	g := s.grants[c.grantID]
	if g == nil || g.revoked {
		invalid("the grant has been revoked")
		return
	}
	c.used = true
	ts := s.issueLocked(g, true, c.nonce)
	c.issuedTokens = append(c.issuedTokens, ts.AccessToken, ts.RefreshToken)
	writeJSON(w, http.StatusOK, ts)
}

// refreshValidLocked reports whether a refresh token can be used now.
func (s *Server) refreshValidLocked(rt *refreshToken, now time.Time) (string, bool) {
	g := s.grants[rt.grantID]
	switch {
	case rt.revoked || g == nil || g.revoked:
		return "the refresh token has been revoked", false
	case !now.Before(rt.issued.Add(RefreshTokenTTL)):
		return "the refresh token has expired (not used for 60 days): connect again", false
	case !rt.superseded.IsZero() && !now.Before(rt.superseded.Add(RefreshGrace)):
		return "the refresh token has been replaced by a newer one and its 30-minute grace period is over", false
	}
	return "", true
}

func (s *Server) tokenFromRefresh(w http.ResponseWriter, r *http.Request, app *App) {
	tok := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[tok]
	if rt == nil {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_grant", "the refresh token is not valid"})
		return
	}
	g := s.grants[rt.grantID]
	if g == nil || g.clientID != app.ClientID {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_grant", "the refresh token was issued to another app"})
		return
	}
	now := s.now()
	if why, ok := s.refreshValidLocked(rt, now); !ok {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_grant", why})
		return
	}
	if rt.superseded.IsZero() {
		rt.superseded = now
	}
	ts := s.issueLocked(g, false, "")
	writeJSON(w, http.StatusOK, ts)
}

// ---- revocation -----------------------------------------------------------

func (s *Server) handleRevocation(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "use POST"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_request", "unreadable form"})
		return
	}
	app, oe := s.clientAuth(r)
	if oe != nil {
		writeOAuthError(w, oe)
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "invalid_request", "token is required"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access[tok] != nil {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "unsupported_token_type", "revoke the refresh token"})
		return
	}
	if rt := s.refresh[tok]; rt != nil {
		if g := s.grants[rt.grantID]; g != nil && g.clientID == app.ClientID {
			s.revokeGrantLocked(g)
		}
	}
	// RFC 7009 §2.2: an unknown token is not an error.
	w.WriteHeader(http.StatusOK)
}

// revokeGrantLocked ends a grant: its tokens stop working and its
// connections are removed.
func (s *Server) revokeGrantLocked(g *grant) {
	g.revoked = true
	for t, at := range s.access {
		if at.grantID == g.id {
			delete(s.access, t)
		}
	}
	for _, rt := range s.refresh {
		if rt.grantID == g.id {
			rt.revoked = true
		}
	}
	for id, c := range s.conns {
		if c.GrantID == g.id {
			delete(s.conns, id)
		}
	}
}

// ---- connections ----------------------------------------------------------

// bearerGrantLocked resolves "Authorization: Bearer" to a live grant.
func (s *Server) bearerGrantLocked(r *http.Request) (*grant, *accessToken, string) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return nil, nil, "missing bearer token"
	}
	tok := strings.TrimSpace(h[7:])
	at := s.access[tok]
	if at == nil {
		return nil, nil, "invalid token"
	}
	if !s.now().Before(at.expires) {
		return nil, nil, "token expired"
	}
	g := s.grants[at.grantID]
	if g == nil || g.revoked {
		return nil, nil, "token revoked"
	}
	return g, at, ""
}

func unauthorized(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+why+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]any{
		"Type": nil, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful",
	})
}

// xeroDateTime is how the identity API writes dates (no offset, UTC).
func xeroDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000") }

func (s *Server) handleConnections(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g, _, why := s.bearerGrantLocked(r)
	if g == nil {
		s.mu.Unlock()
		unauthorized(w, why)
		return
	}
	rest := strings.Trim(r.URL.Path[len(ConnectionsPath):], "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		filter := r.URL.Query().Get("authEventId")
		var list []*connection
		for _, c := range s.conns {
			if c.UserID == g.userID && c.ClientID == g.clientID && (filter == "" || strings.EqualFold(filter, c.AuthEventID)) {
				list = append(list, c)
			}
		}
		sort.Slice(list, func(i, j int) bool {
			if !list[i].Created.Equal(list[j].Created) {
				return list[i].Created.Before(list[j].Created)
			}
			return list[i].TenantID < list[j].TenantID
		})
		out := make([]map[string]any, 0, len(list))
		for _, c := range list {
			t := s.tenants[c.TenantID]
			out = append(out, map[string]any{
				"id": c.ID, "authEventId": c.AuthEventID, "tenantId": c.TenantID, "tenantType": t.Type,
				"tenantName": t.Name, "createdDateUtc": xeroDateTime(c.Created), "updatedDateUtc": xeroDateTime(c.Updated),
			})
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case rest != "" && !strings.Contains(rest, "/") && r.Method == http.MethodDelete:
		c := s.conns[rest]
		if c == nil || c.UserID != g.userID || c.ClientID != g.clientID {
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			return
		}
		delete(s.conns, rest)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		s.mu.Unlock()
		w.Header().Set("Allow", "GET, DELETE")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// connectedLocked reports whether the grant's user and app reach tenantID.
func (s *Server) connectedLocked(g *grant, tenantID string) bool {
	for _, c := range s.conns {
		if c.UserID == g.userID && c.ClientID == g.clientID && strings.EqualFold(c.TenantID, tenantID) {
			return true
		}
	}
	return false
}
