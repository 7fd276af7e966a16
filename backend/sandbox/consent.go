package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
)

var scopeText = map[string]string{
	"openid":         "Confirm who you are",
	"profile":        "See your name",
	"email":          "See your email address",
	"offline_access": "Stay connected until you disconnect it",
}

const pageStyle = `
:root{--ink:#1f2a37;--muted:#5b6675;--line:#dfe3e8;--brand:#13b5ea;--brand-dark:#0d8fbb;--bg:#f4f6f8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
.banner{background:#fff6d6;border-bottom:1px solid #f0dc8c;color:#6b5300;text-align:center;padding:8px 16px;font-size:13px}
main{max-width:560px;margin:40px auto;padding:0 16px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.05);padding:32px}
.brand{display:flex;align-items:center;gap:10px;color:var(--muted);font-size:14px;margin-bottom:20px}
.logo{width:34px;height:34px;border-radius:50%;background:var(--brand);color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700}
h1{font-size:22px;margin:0 0 6px}
p.lead{color:var(--muted);margin:0 0 22px}
h2{font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:24px 0 10px}
ul.scopes{margin:0;padding-left:20px}
ul.scopes li{margin:4px 0}
label.user{display:flex;gap:12px;align-items:flex-start;border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-bottom:10px;cursor:pointer}
label.user:hover{border-color:var(--brand)}
label.user input{margin-top:4px}
.uname{font-weight:600}
.umeta{color:var(--muted);font-size:13px}
.tenants{font-size:13px;margin-top:4px}
.tag{display:inline-block;border-radius:4px;padding:0 6px;margin:2px 4px 0 0;background:#eef7fb;color:#0b6f93;font-size:12px}
.tag.none{background:#fdeeee;color:#9b2c2c}
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:26px}
button{font:inherit;border-radius:6px;padding:10px 20px;cursor:pointer;border:1px solid var(--line);background:#fff;color:var(--ink)}
button.primary{background:var(--brand);border-color:var(--brand);color:#fff;font-weight:600}
button.primary:hover{background:var(--brand-dark)}
.fine{color:var(--muted);font-size:12px;margin-top:18px}
.error{border-left:4px solid #c53030;padding-left:14px}
code{background:#f1f3f5;padding:1px 4px;border-radius:3px;font-size:13px}
`

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Allow access – {{.App}}</title><style>` + pageStyle + `</style></head>
<body><div class="banner">Structura sandbox — a local stand-in for Xero. No real Xero account is used.</div>
<main><div class="card">
<div class="brand"><div class="logo">x</div><span>Xero sign-in (sandbox)</span></div>
<h1>{{.App}} wants to access your Xero data</h1>
<p class="lead">Choose who is signing in, then allow or cancel.</p>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}
<h2>Sign in as</h2>
{{range $i, $u := .Users}}<label class="user"><input type="radio" name="user" value="{{$u.ID}}"{{if eq $i 0}} checked{{end}}>
<span><span class="uname">{{$u.Name}}</span> <span class="umeta">{{$u.Email}}</span>
<div class="umeta">{{$u.Scenario}}</div>
<div class="tenants">{{range $u.Tenants}}<span class="tag">{{.}}</span>{{else}}<span class="tag none">No Xero Practice Manager accounts</span>{{end}}</div></span></label>
{{end}}
<h2>{{.App}} will be able to</h2>
<ul class="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<div class="actions"><button type="submit" name="decision" value="deny">Cancel</button>
<button type="submit" name="decision" value="allow" class="primary">Allow access</button></div>
<p class="fine">You can disconnect {{.App}} at any time. Access is granted to the organisations and practices listed for the person who signs in.</p>
</form></div></main></body></html>`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign-in problem</title><style>` + pageStyle + `</style></head>
<body><div class="banner">Structura sandbox — a local stand-in for Xero.</div>
<main><div class="card error"><h1>{{.Title}}</h1><p class="lead">{{.Detail}}</p>
<p class="fine">Close this window and try connecting again from the app. If it keeps happening, check the app's Xero client id and redirect address.</p></div></main></body></html>`))

type consentUser struct {
	ID, Name, Email, Scenario string
	Tenants                   []string
}

func (s *Server) consentPage(w http.ResponseWriter, ar *authRequest, v url.Values) {
	hidden := map[string]string{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "nonce"} {
		if x := v.Get(k); x != "" {
			hidden[k] = x
		}
	}
	s.mu.Lock()
	var users []consentUser
	for _, u := range s.users {
		cu := consentUser{ID: u.ID, Name: u.Name(), Email: u.Email, Scenario: u.Scenario}
		for _, tid := range u.Tenants {
			t := s.tenants[tid]
			if t == nil || (t.Type == "PRACTICE" && u.NoAddonPrivilege) {
				continue
			}
			label := t.Name + " (Practice Manager)"
			if t.Type != "PRACTICE" {
				label = t.Name + " (Xero accounting)"
			}
			cu.Tenants = append(cu.Tenants, label)
		}
		users = append(users, cu)
	}
	s.mu.Unlock()
	var scopes []string
	seen := map[string]bool{}
	for _, sc := range ar.scope {
		text := scopeText[sc]
		if text == "" {
			text = s.scopeDescription(sc)
		}
		if !seen[text] {
			seen[text] = true
			scopes = append(scopes, text)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	_ = consentTmpl.Execute(w, map[string]any{
		"App": ar.app.Name, "Action": AuthorizePath, "Hidden": hidden, "Users": users, "Scopes": scopes,
	})
}

// scopeDescription uses the spec's own wording for XPM scopes.
func (s *Server) scopeDescription(sc string) string {
	if ss := s.doc.Components.SecuritySchemes["OAuth2"]; ss != nil && ss.Value != nil && ss.Value.Flows != nil && ss.Value.Flows.AuthorizationCode != nil {
		if d, ok := ss.Value.Flows.AuthorizationCode.Scopes[sc]; ok {
			return d
		}
	}
	return sc
}

func (s *Server) errorPage(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, map[string]string{"Title": title, "Detail": detail})
}

var homeTmpl = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Structura XPM sandbox</title><style>` + pageStyle + `</style></head>
<body><main><div class="card"><h1>Structura XPM sandbox</h1>
<p class="lead">A local stand-in for Xero identity and Xero Practice Manager API v3.1.</p>
<h2>Endpoints</h2><ul class="scopes">
<li>Authorise: <code>{{.Base}}/identity/connect/authorize</code></li>
<li>Token: <code>{{.Base}}/connect/token</code></li>
<li>Revocation: <code>{{.Base}}/connect/revocation</code></li>
<li>Connections: <code>{{.Base}}/connections</code></li>
<li>XPM API: <code>{{.Base}}/practicemanager/3.1</code></li></ul>
<h2>Built-in app</h2><p>Client id <code>{{.ClientID}}</code> (public, PKCE)</p>
<h2>Tenants</h2><ul class="scopes">{{range .Tenants}}<li>{{.Name}} — {{.Type}} — <code>{{.ID}}</code></li>{{end}}</ul>
</div></main></body></html>`))

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ts := s.Tenants()
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Type > ts[j].Type })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homeTmpl.Execute(w, map[string]any{"Base": s.baseURLFor(r), "ClientID": DefaultClientID, "Tenants": ts})
}
