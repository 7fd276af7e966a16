// Package auth signs Structura in to Xero: OAuth 2.0 authorisation code with
// PKCE (S256) through golang.org/x/oauth2, in the system browser, with the
// answer caught by a loopback listener (login.go); a token source that
// refreshes ahead of expiry and saves every rotated refresh token in the OS
// keychain before the new access token is used (tokensource.go); and
// revocation. It knows OAuth, not practices: backend/connection decides what
// a sign-in is for. Patterns from int128/oauth2cli (loopback, PKCE, browser
// interface) and rclone's oauthutil (locked refresh, save on change).
package auth

import "strings"

// Endpoints says where Xero identity and XPM live. It is the one place URLs
// are configured: real Xero (XeroEndpoints) or the built-in sandbox (its
// server URL + the same paths).
type Endpoints struct {
	AuthorizeURL   string `json:"authorizeUrl"`
	TokenURL       string `json:"tokenUrl"`
	RevocationURL  string `json:"revocationUrl"`
	ConnectionsURL string `json:"connectionsUrl"`
	// APIBaseURL is the XPM v3.1 base (paths are appended).
	APIBaseURL string `json:"apiBaseUrl"`
}

// Real Xero (shared/xpm/NOTES.md). The XPM base is a setting
// (xpm.apiBaseUrl) because the two spec revisions disagree on it.
const (
	XeroAuthorizeURL   = "https://login.xero.com/identity/connect/authorize"
	XeroTokenURL       = "https://identity.xero.com/connect/token"
	XeroRevocationURL  = "https://identity.xero.com/connect/revocation"
	XeroConnectionsURL = "https://api.xero.com/connections"
	XeroAPIBaseURL     = "https://api.xero.com/practicemanager/3.1"
)

// XeroEndpoints returns real Xero's endpoints with the given XPM base URL
// ("" = XeroAPIBaseURL).
func XeroEndpoints(apiBaseURL string) Endpoints {
	if strings.TrimSpace(apiBaseURL) == "" {
		apiBaseURL = XeroAPIBaseURL
	}
	return Endpoints{
		AuthorizeURL:   XeroAuthorizeURL,
		TokenURL:       XeroTokenURL,
		RevocationURL:  XeroRevocationURL,
		ConnectionsURL: XeroConnectionsURL,
		APIBaseURL:     strings.TrimRight(strings.TrimSpace(apiBaseURL), "/"),
	}
}

// SandboxEndpoints returns the built-in sandbox's endpoints at baseURL
// ("http://127.0.0.1:PORT"): Xero's paths on a local host.
func SandboxEndpoints(baseURL string) Endpoints {
	b := strings.TrimRight(baseURL, "/")
	return Endpoints{
		AuthorizeURL:   b + "/identity/connect/authorize",
		TokenURL:       b + "/connect/token",
		RevocationURL:  b + "/connect/revocation",
		ConnectionsURL: b + "/connections",
		APIBaseURL:     b + "/practicemanager/3.1",
	}
}

// Scopes Structura asks for (NOTES.md): sign-in, a refresh token, and XPM
// clients (read and write) plus XPM reads.
var Scopes = []string{"openid", "profile", "email", "offline_access", "practicemanager.client", "practicemanager.read"}
