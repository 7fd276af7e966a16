package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testRedirect = "http://127.0.0.1:53682/callback"

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type flow struct {
	t        *testing.T
	s        *Server
	clientID string
	redirect string
	verifier string
	method   string
	scope    string
	state    string
}

func newFlow(t *testing.T, s *Server) *flow {
	if err := s.RegisterApp(App{ClientID: "TESTAPP", RedirectURIs: []string{testRedirect}, Name: "Structura"}); err != nil {
		t.Fatal(err)
	}
	return &flow{t: t, s: s, clientID: "TESTAPP", redirect: testRedirect, method: "S256",
		verifier: strings.Repeat("v", 20) + "-verifier-0123456789abcdefghij", scope: DefaultScopes, state: "st-" + randToken(8)}
}

func (f *flow) authorizeURL() string {
	q := url.Values{"response_type": {"code"}, "client_id": {f.clientID}, "redirect_uri": {f.redirect},
		"scope": {f.scope}, "state": {f.state}}
	if f.method != "" {
		ch := pkceS256(f.verifier)
		if f.method == "plain" {
			ch = f.verifier
		}
		q.Set("code_challenge", ch)
		q.Set("code_challenge_method", f.method)
	}
	return f.s.AuthorizeURL() + "?" + q.Encode()
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// consent loads the consent page, submits it as a browser would and
// returns the redirect's query.
func (f *flow) consent(user, decision string) url.Values {
	f.t.Helper()
	res, err := noRedirect.Get(f.authorizeURL())
	if err != nil {
		f.t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusFound {
		return f.location(res)
	}
	if res.StatusCode != 200 || !strings.Contains(string(page), "Allow access") {
		f.t.Fatalf("consent page: %d %s", res.StatusCode, truncate(string(page), 300))
	}
	form := url.Values{"user": {user}, "decision": {decision}}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	res, err = noRedirect.PostForm(f.s.AuthorizeURL(), form)
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		f.t.Fatalf("consent submit: status %d", res.StatusCode)
	}
	return f.location(res)
}

func (f *flow) location(res *http.Response) url.Values {
	f.t.Helper()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != f.redirect {
		f.t.Fatalf("redirected to %s, want %s", got, f.redirect)
	}
	return loc.Query()
}

type tokenAnswer struct {
	status int
	TokenSet
	Error string `json:"error"`
}

func postToken(t *testing.T, s *Server, form url.Values, basicID, basicSecret string) tokenAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out tokenAnswer
	out.status = res.StatusCode
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return out
}

func (f *flow) exchange(code string) tokenAnswer {
	return postToken(f.t, f.s, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.redirect},
		"client_id": {f.clientID}, "code_verifier": {f.verifier}}, "", "")
}

func refresh(t *testing.T, s *Server, clientID, rt string) tokenAnswer {
	return postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID}}, "", "")
}

func wantOAuthError(t *testing.T, a tokenAnswer, status int, code string) {
	t.Helper()
	if a.status != status || a.Error != code {
		t.Fatalf("got %d %q, want %d %q", a.status, a.Error, status, code)
	}
}

func connectionsOf(t *testing.T, s *Server, access string) (int, []map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/Connections", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list []map[string]any
	_ = json.NewDecoder(res.Body).Decode(&list)
	return res.StatusCode, list
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOAuthFullFlowThroughConsentPage(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	f := newFlow(t, s)
	q := f.consent(UserAlex, "allow")
	if q.Get("state") != f.state || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	tok := f.exchange(q.Get("code"))
	if tok.status != 200 || tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn != 1800 || tok.TokenType != "Bearer" {
		t.Fatalf("token answer %+v", tok)
	}
	id := jwtClaims(t, tok.IDToken)
	if id["name"] != "Alex Morgan" || id["email"] != "alex.morgan@harbourside.example" {
		t.Errorf("id_token claims %v", id)
	}
	status, conns := connectionsOf(t, s, tok.AccessToken)
	if status != 200 || len(conns) != 1 || conns[0]["tenantType"] != "PRACTICE" || conns[0]["tenantId"] != DemoPracticeID {
		t.Fatalf("connections %d %v", status, conns)
	}
	call(t, nil, s, tok.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 200)
}

func TestOAuthAuthorizeRefusals(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	// plain PKCE is refused back at the app
	f := newFlow(t, s)
	f.method = "plain"
	if q := f.consent(UserAlex, "allow"); q.Get("error") != "invalid_request" || q.Get("state") != f.state {
		t.Errorf("plain PKCE: %v", q)
	}
	// a public client without PKCE
	f.method = ""
	if q := f.consent(UserAlex, "allow"); q.Get("error") != "invalid_request" {
		t.Errorf("no PKCE: %v", q)
	}
	// unknown scope
	f = newFlow(t, s)
	f.scope = "openid accounting.transactions"
	if q := f.consent(UserAlex, "allow"); q.Get("error") != "invalid_scope" {
		t.Errorf("unknown scope: %v", q)
	}
	// unknown client and unregistered redirect: an error page, never a redirect
	for _, mutate := range []func(*flow){
		func(f *flow) { f.clientID = "NOPE" },
		func(f *flow) { f.redirect = "http://127.0.0.1:53682/other" },
		func(f *flow) { f.redirect = "http://localhost:53682/callback" },
	} {
		f := newFlow(t, s)
		mutate(f)
		res, err := noRedirect.Get(f.authorizeURL())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
			t.Errorf("%s %s: status %d location %q", f.clientID, f.redirect, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// the user denies, or is the user who always denies
	f = newFlow(t, s)
	if q := f.consent(UserAlex, "deny"); q.Get("error") != "access_denied" || q.Get("state") != f.state {
		t.Errorf("deny: %v", q)
	}
	if q := f.consent(UserDana, "allow"); q.Get("error") != "access_denied" {
		t.Errorf("Dana: %v", q)
	}
}

func TestOAuthCodeExchangeFailures(t *testing.T) {
	s, fc := startSandbox(t, Options{})
	f := newFlow(t, s)

	// wrong verifier
	code := f.consent(UserAlex, "allow").Get("code")
	good := f.verifier
	f.verifier = strings.Repeat("x", 50)
	wantOAuthError(t, f.exchange(code), 400, "invalid_grant")
	f.verifier = good

	// mismatched redirect
	code = f.consent(UserAlex, "allow").Get("code")
	a := postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:53682/other"},
		"client_id": {f.clientID}, "code_verifier": {f.verifier}}, "", "")
	wantOAuthError(t, a, 400, "invalid_grant")

	// reused code: the second use fails and what the first issued is revoked
	code = f.consent(UserAlex, "allow").Get("code")
	first := f.exchange(code)
	if first.status != 200 {
		t.Fatalf("first exchange: %+v", first)
	}
	wantOAuthError(t, f.exchange(code), 400, "invalid_grant")
	call(t, nil, s, first.AccessToken, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 401)

	// expired code (10 minutes)
	code = f.consent(UserAlex, "allow").Get("code")
	fc.Advance(CodeTTL)
	wantOAuthError(t, f.exchange(code), 400, "invalid_grant")

	// unknown client at the token endpoint
	code = f.consent(UserAlex, "allow").Get("code")
	a = postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.redirect},
		"client_id": {"NOPE"}, "code_verifier": {f.verifier}}, "", "")
	wantOAuthError(t, a, 401, "invalid_client")
	wantOAuthError(t, postToken(t, s, url.Values{"grant_type": {"password"}, "client_id": {f.clientID}}, "", ""), 400, "unsupported_grant_type")
}

func TestOAuthConfidentialClient(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	if err := s.RegisterApp(App{ClientID: "WEBAPP", ClientSecret: "s3cret", RedirectURIs: []string{testRedirect}}); err != nil {
		t.Fatal(err)
	}
	f := &flow{t: t, s: s, clientID: "WEBAPP", redirect: testRedirect, scope: DefaultScopes, state: "x"}
	code := f.consent(UserAlex, "allow").Get("code") // no PKCE: allowed for a confidential client
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	wantOAuthError(t, postToken(t, s, form, "WEBAPP", "wrong"), 401, "invalid_client")
	a := postToken(t, s, form, "WEBAPP", "s3cret")
	if a.status != 200 {
		t.Fatalf("basic auth: %+v", a)
	}
	// secret in the form works too
	r := postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken},
		"client_id": {"WEBAPP"}, "client_secret": {"s3cret"}}, "", "")
	if r.status != 200 {
		t.Fatalf("form secret: %+v", r)
	}
}

func TestRefreshRotationGraceAndExpiry(t *testing.T) {
	s, fc := startSandbox(t, Options{})
	f := newFlow(t, s)
	tok := f.exchange(f.consent(UserAlex, "allow").Get("code"))

	// access tokens live 30 minutes
	fc.Advance(AccessTokenTTL)
	call(t, nil, s, tok.AccessToken, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 401)

	r1 := refresh(t, s, f.clientID, tok.RefreshToken)
	if r1.status != 200 || r1.RefreshToken == "" || r1.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh must rotate: %+v", r1)
	}
	call(t, nil, s, r1.AccessToken, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)

	// the previous refresh token works for 30 minutes of grace …
	fc.Advance(29 * time.Minute)
	if again := refresh(t, s, f.clientID, tok.RefreshToken); again.status != 200 {
		t.Fatalf("within grace: %+v", again)
	}
	// … and not after
	fc.Advance(time.Minute)
	wantOAuthError(t, refresh(t, s, f.clientID, tok.RefreshToken), 400, "invalid_grant")

	// the newest token expires after 60 days unused
	latest := refresh(t, s, f.clientID, r1.RefreshToken)
	if latest.status != 200 {
		t.Fatalf("refresh with r1 inside its grace: %+v", latest)
	}
	fc.Advance(RefreshTokenTTL - time.Second)
	r3 := refresh(t, s, f.clientID, latest.RefreshToken)
	if r3.status != 200 {
		t.Fatalf("59.99 days: %+v", r3)
	}
	fc.Advance(RefreshTokenTTL)
	wantOAuthError(t, refresh(t, s, f.clientID, r3.RefreshToken), 400, "invalid_grant")

	// ExpireRefreshToken does the same at once
	tok2 := mint(t, s, UserAlex, "")
	if err := s.ExpireRefreshToken(tok2.RefreshToken); err != nil {
		t.Fatal(err)
	}
	wantOAuthError(t, refresh(t, s, DefaultClientID, tok2.RefreshToken), 400, "invalid_grant")
}

func TestRevocationRemovesConnections(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	f := newFlow(t, s)
	tok := f.exchange(f.consent(UserSam, "allow").Get("code"))
	_, conns := connectionsOf(t, s, tok.AccessToken)
	if len(conns) != 3 {
		t.Fatalf("Sam: %d connections, want 2 practices and an organisation", len(conns))
	}
	practices := 0
	for _, c := range conns {
		if c["tenantType"] == "PRACTICE" {
			practices++
		}
	}
	if practices != 2 {
		t.Errorf("Sam: %d practices", practices)
	}
	res, err := http.PostForm(s.RevocationURL(), url.Values{"token": {tok.RefreshToken}, "client_id": {f.clientID}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("revocation: %d", res.StatusCode)
	}
	if n := len(s.Connections(UserSam)); n != 0 {
		t.Errorf("%d connections left after revocation", n)
	}
	if st, _ := connectionsOf(t, s, tok.AccessToken); st != 401 {
		t.Errorf("access token still works after revocation: %d", st)
	}
	wantOAuthError(t, refresh(t, s, f.clientID, tok.RefreshToken), 400, "invalid_grant")
}

func TestScenarioUsersAndServerSideRevocation(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	// without the add-on privilege the grant yields no practice
	jordan := mint(t, s, UserJordan, "")
	if _, conns := connectionsOf(t, s, jordan.AccessToken); len(conns) != 0 {
		t.Errorf("Jordan: %v", conns)
	}
	call(t, nil, s, jordan.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 403)

	// a grant revoked on the server side
	alex := mint(t, s, UserAlex, "")
	if n := s.RevokeUser(UserAlex); n != 1 {
		t.Fatalf("revoked %d grants", n)
	}
	call(t, nil, s, alex.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 401)
	wantOAuthError(t, refresh(t, s, DefaultClientID, alex.RefreshToken), 400, "invalid_grant")

	// disconnecting one tenant
	sam := mint(t, s, UserSam, "")
	_, conns := connectionsOf(t, s, sam.AccessToken)
	for _, c := range conns {
		if c["tenantId"] == SecondPracticeID {
			req, _ := http.NewRequest(http.MethodDelete, s.ConnectionsURL()+"/"+strv(c["id"]), nil)
			req.Header.Set("Authorization", "Bearer "+sam.AccessToken)
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != 204 {
				t.Fatalf("delete connection: %v %v", err, res)
			}
			res.Body.Close()
		}
	}
	call(t, nil, s, sam.AccessToken, SecondPracticeID, "GET", "/client.api/list", nil).must(t, 403)
	call(t, nil, s, sam.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 200)
}
