// Package sandbox is Structura's built-in XPM: a local stand-in for Xero's
// identity service (login.xero.com, identity.xero.com) and for the Xero
// Practice Manager API v3.1 (api.xero.com), faithful enough that client
// code tested against it works unchanged against real Xero. Only the host
// differs: every path is Xero's own.
//
// It is a library first (like fake-gcs-server): tests and the app start it
// in-process; `structura sandbox` (RunCLI) runs it standalone. Ground truth
// is shared/xpm (Xero's OpenAPI documents and NOTES.md); docs/sandbox.md
// lists every behaviour and where it comes from. The sandbox shares no code
// with the XPM client (backend/xpm): both are checked against the spec on
// their own.
//
// # Starting one
//
//	s, err := sandbox.New(sandbox.Options{Clock: fakeClock}) // demo practice, Xero's limits
//	err = s.Start("127.0.0.1:0")
//	defer s.Close()
//	s.AuthorizeURL()   // URL()+"/identity/connect/authorize"
//	s.TokenURL()       // URL()+"/connect/token"
//	s.RevocationURL()  // URL()+"/connect/revocation"
//	s.ConnectionsURL() // URL()+"/connections"
//	s.APIBaseURL()     // URL()+"/practicemanager/3.1" (URL()+"/practicemanager/v3.1" is served too)
//
// Handler serves the same without listening (httptest). Options.Data picks
// the data ("demo", "empty", "generated:N", "generated:N:M"),
// Options.Limits the rate limits (zero value = Xero's; Off; Scale),
// Options.Faults injected failures, Options.Seed makes generated data and
// faults deterministic, Options.Clock is the time source of every expiry
// and limit (a clock with Sleep also drives injected latency).
//
// # Apps
//
// The built-in public app has client id DefaultClientID
// ("STRUCTURASANDBOXPUBLICCLIENT0001": PKCE S256, no secret) and the
// redirect URIs DefaultRedirectURIs (http://localhost:8749/callback and
// http://127.0.0.1:8749/callback). RegisterApp adds others; a non-empty
// ClientSecret makes a confidential app. Redirect URIs match exactly.
//
// # Tenants
//
//	DemoPracticeID   6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b10  Harbourside Accounting                 PRACTICE (the demo practice)
//	SecondPracticeID 6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b20  Coastal Tax Partners                   PRACTICE (24 generated clients)
//	OrganisationID   6a1f4c1e-3b5d-4e2a-9c71-0d5e8f2a4b30  Harbourside Accounting Pty Ltd  ORGANISATION (no XPM API)
//
// # Users (shown on the consent page)
//
//	UserAlex   b7e2a9d0-1c4f-4a8b-8e3d-000000000001  alex.morgan@harbourside.example    one practice
//	UserSam    b7e2a9d0-1c4f-4a8b-8e3d-000000000002  sam.okafor@harbourside.example     two practices and an organisation
//	UserJordan b7e2a9d0-1c4f-4a8b-8e3d-000000000003  jordan.lee@harbourside.example     lacks "Connect third-party add-ons": no practice
//	UserDana   b7e2a9d0-1c4f-4a8b-8e3d-000000000004  dana.whitfield@harbourside.example denies consent
//
// A grant revoked on the server side (RevokeUser, RevokeRefreshToken) and an
// expired refresh token (ExpireRefreshToken, AgeRefreshToken) are made with
// the control API.
//
// # Control API (tests)
//
// Go methods, each also served under /_sandbox/ (test-only; Options.
// DisableAdmin turns the HTTP side off):
//
//	MintToken(user, clientID, scopes)        POST /_sandbox/token {"userId","clientId","scopes"}
//	Reset(data) / ResetIdentity()            POST /_sandbox/reset?data=demo[&identity=true]
//	Load(r) / LoadFile / Snapshot / SaveFile POST /_sandbox/load, GET /_sandbox/save
//	SetFaults(cfg) / Faults()                PUT|GET /_sandbox/faults
//	SetLimits(l)                             PUT /_sandbox/limits
//	RequestLog() / ClearLog() / Stats()      GET|DELETE /_sandbox/log, GET /_sandbox/stats
//	RevokeRefreshToken / RevokeUser          POST /_sandbox/revoke {"refreshToken"} | {"userId"}
//	ExpireRefreshToken / AgeRefreshToken /
//	ExpireAccessToken                        POST /_sandbox/expire {"refreshToken","by":"1440h"} | {"accessToken"}
//	RegisterApp(app)                         POST /_sandbox/apps
//	Data / Clients / Client / Groups /
//	Relationships / Connections              GET /_sandbox/tenants/{tenant}/data
//	PutClient / UpdateClient / DeleteClient  PUT /_sandbox/tenants/{t}/clients, DELETE …/clients/{id}
//	PutGroup / DeleteGroup                   PUT /_sandbox/tenants/{t}/groups, DELETE …/groups/{id}
//	PutRelationship / DeleteRelationship     PUT /_sandbox/tenants/{t}/relationships, DELETE …/relationships/{id}
//	ForceConflict(tenant, client)            POST /_sandbox/tenants/{t}/clients/{id}/conflict
//
// Changes made through the control API mark the clients modified at the
// clock's now, as a change made in XPM would, so modifiedSince sees them.
package sandbox
