package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/apperr"
	"structura/backend/secrets"
)

// Token is what the keychain item of a connection holds (JSON). It never
// goes anywhere else.
type Token struct {
	AccessToken  string    `json:"access"`
	RefreshToken string    `json:"refresh"`
	Expiry       time.Time `json:"expiry"`
	Scopes       string    `json:"scopes"`
}

// DefaultAccessTTL is assumed when a token answer has no expires_in (Xero's
// access tokens live 30 minutes).
const DefaultAccessTTL = 30 * time.Minute

// fromOAuth converts an x/oauth2 token, computing the expiry on our clock
// (x/oauth2 uses the wall clock). prev fills what the answer left out.
func fromOAuth(t *oauth2.Token, now time.Time, prev *Token) Token {
	out := Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	ttl := DefaultAccessTTL
	if t.ExpiresIn > 0 {
		ttl = time.Duration(t.ExpiresIn) * time.Second
	}
	out.Expiry = now.Add(ttl)
	if sc, ok := t.Extra("scope").(string); ok {
		out.Scopes = sc
	}
	if prev != nil {
		if out.RefreshToken == "" {
			out.RefreshToken = prev.RefreshToken
		}
		if out.Scopes == "" {
			out.Scopes = prev.Scopes
		}
	}
	return out
}

// OAuth2 returns the token in x/oauth2's form (for Authorization headers).
// Expiry is left zero: validity is the token source's business, on its
// clock.
func (t Token) OAuth2() *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer"}
}

// TokenKey is the keychain item of a connection to a tenant.
func TokenKey(tenantID string) string { return "xpm-token:" + strings.ToLower(tenantID) }

// ClientSecretKey is the keychain item of the client secret of a web-type
// Xero app.
func ClientSecretKey(clientID string) string { return "xero-client-secret:" + clientID }

// LoadToken reads a connection's token from the keychain.
func LoadToken(ctx context.Context, sec secrets.Store, key string) (Token, error) {
	raw, err := sec.Get(ctx, key)
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal([]byte(raw), &t); err != nil || t.RefreshToken == "" {
		return Token{}, apperr.New(apperr.CodeKeychain, "Structura's Xero sign-in in the system keychain is damaged.",
			"Disconnect and connect to Xero again.")
	}
	return t, nil
}

// SaveToken writes a connection's token to the keychain.
func SaveToken(ctx context.Context, sec secrets.Store, key string, t Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return sec.Set(ctx, key, string(b))
}

// Client is a Xero app: its id, optional secret (web-type apps) and the
// endpoints it talks to.
type Client struct {
	ClientID     string
	ClientSecret string // "" for PKCE-only (desktop) apps
	Endpoints    Endpoints
	RedirectURL  string
	Scopes       []string
	// HTTPClient makes identity calls (default http.DefaultClient).
	HTTPClient *http.Client
}

// OAuthConfig is the x/oauth2 configuration of c. Public clients send their
// id in the form; web-type apps authenticate with HTTP Basic.
func (c Client) OAuthConfig() *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if c.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: c.Endpoints.AuthorizeURL, TokenURL: c.Endpoints.TokenURL, AuthStyle: style},
		RedirectURL:  c.RedirectURL,
		Scopes:       c.Scopes,
	}
}

func (c Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

// withHTTP puts the client's HTTP client where x/oauth2 looks for it.
func (c Client) withHTTP(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
}

// Revoke revokes a refresh token (RFC 7009), which ends the grant: every
// token of it stops working and its tenant connections go.
func (c Client) Revoke(ctx context.Context, refreshToken string) error {
	form := "token=" + url.QueryEscape(refreshToken) + "&token_type_hint=refresh_token"
	if c.ClientSecret == "" {
		form += "&client_id=" + url.QueryEscape(c.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoints.RevocationURL, strings.NewReader(form))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		return fmt.Errorf("revoke: HTTP %d %s", resp.StatusCode, e.Error)
	}
	return nil
}

// Identity is who signed in, from the id token.
type Identity struct {
	Name  string
	Email string
}

// ParseIDToken reads the name and email claims of an OpenID id token. The
// signature is not checked: the token came straight from the token
// endpoint over TLS and is used only to show who connected.
func ParseIDToken(idToken string) (Identity, error) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return Identity{}, errors.New("id token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Identity{}, fmt.Errorf("id token payload: %w", err)
	}
	var c struct {
		Name              string `json:"name"`
		GivenName         string `json:"given_name"`
		FamilyName        string `json:"family_name"`
		Email             string `json:"email"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Identity{}, fmt.Errorf("id token claims: %w", err)
	}
	id := Identity{Name: c.Name, Email: c.Email}
	if id.Name == "" {
		id.Name = strings.TrimSpace(c.GivenName + " " + c.FamilyName)
	}
	if id.Email == "" && strings.Contains(c.PreferredUsername, "@") {
		id.Email = c.PreferredUsername
	}
	return id, nil
}
