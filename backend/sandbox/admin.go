package sandbox

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// handleAdmin serves the test-only control API under /_sandbox/. Every
// endpoint mirrors a Go method of Server.
func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "time": s.now().UTC()})
	})
	mux.HandleFunc("GET /_sandbox/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.info(s.baseURLFor(r)))
	})
	mux.HandleFunc("POST /_sandbox/reset", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("identity") == "true" {
			s.ResetIdentity()
		}
		adminResult(w, s.Reset(r.URL.Query().Get("data")))
	})
	mux.HandleFunc("POST /_sandbox/load", func(w http.ResponseWriter, r *http.Request) {
		adminResult(w, s.Load(http.MaxBytesReader(w, r.Body, 1<<30)))
	})
	mux.HandleFunc("GET /_sandbox/save", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Snapshot())
	})
	mux.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Faults())
	})
	mux.HandleFunc("PUT /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		var fc FaultConfig
		if !decodeAdmin(w, r, &fc) {
			return
		}
		adminResult(w, s.SetFaults(&fc))
	})
	mux.HandleFunc("PUT /_sandbox/limits", func(w http.ResponseWriter, r *http.Request) {
		var l Limits
		if !decodeAdmin(w, r, &l) {
			return
		}
		s.SetLimits(l)
		adminResult(w, nil)
	})
	mux.HandleFunc("GET /_sandbox/log", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.RequestLog())
	})
	mux.HandleFunc("DELETE /_sandbox/log", func(w http.ResponseWriter, r *http.Request) {
		s.ClearLog()
		adminResult(w, nil)
	})
	mux.HandleFunc("GET /_sandbox/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("POST /_sandbox/token", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			UserID   string `json:"userId"`
			ClientID string `json:"clientId"`
			Scopes   string `json:"scopes"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		ts, err := s.MintToken(req.UserID, req.ClientID, req.Scopes)
		if err != nil {
			adminResult(w, err)
			return
		}
		writeJSON(w, http.StatusOK, ts)
	})
	mux.HandleFunc("POST /_sandbox/revoke", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			RefreshToken string `json:"refreshToken"`
			UserID       string `json:"userId"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		if req.UserID != "" {
			writeJSON(w, http.StatusOK, map[string]int{"revoked": s.RevokeUser(req.UserID)})
			return
		}
		adminResult(w, s.RevokeRefreshToken(req.RefreshToken))
	})
	mux.HandleFunc("POST /_sandbox/expire", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			RefreshToken string `json:"refreshToken"`
			AccessToken  string `json:"accessToken"`
			// By ages the refresh token ("1440h"); empty expires it.
			By Duration `json:"by"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		switch {
		case req.AccessToken != "":
			adminResult(w, s.ExpireAccessToken(req.AccessToken))
		case req.By > 0:
			adminResult(w, s.AgeRefreshToken(req.RefreshToken, time.Duration(req.By)))
		default:
			adminResult(w, s.ExpireRefreshToken(req.RefreshToken))
		}
	})
	mux.HandleFunc("POST /_sandbox/apps", func(w http.ResponseWriter, r *http.Request) {
		var a App
		if !decodeAdmin(w, r, &a) {
			return
		}
		adminResult(w, s.RegisterApp(a))
	})
	mux.HandleFunc("GET /_sandbox/tenants", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Tenants())
	})
	mux.HandleFunc("GET /_sandbox/tenants/{tenant}/data", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.Data(r.PathValue("tenant"))
		if err != nil {
			adminResult(w, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	mux.HandleFunc("PUT /_sandbox/tenants/{tenant}/clients", adminPut(s.PutClient))
	mux.HandleFunc("DELETE /_sandbox/tenants/{tenant}/clients/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminResult(w, s.DeleteClient(r.PathValue("tenant"), r.PathValue("id")))
	})
	mux.HandleFunc("POST /_sandbox/tenants/{tenant}/clients/{id}/conflict", func(w http.ResponseWriter, r *http.Request) {
		adminResult(w, s.ForceConflict(r.PathValue("tenant"), r.PathValue("id")))
	})
	mux.HandleFunc("PUT /_sandbox/tenants/{tenant}/groups", adminPut(s.PutGroup))
	mux.HandleFunc("DELETE /_sandbox/tenants/{tenant}/groups/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminResult(w, s.DeleteGroup(r.PathValue("tenant"), r.PathValue("id")))
	})
	mux.HandleFunc("PUT /_sandbox/tenants/{tenant}/relationships", adminPut(s.PutRelationship))
	mux.HandleFunc("DELETE /_sandbox/tenants/{tenant}/relationships/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminResult(w, s.DeleteRelationship(r.PathValue("tenant"), r.PathValue("id")))
	})
	mux.HandleFunc("GET /_sandbox/web/{kind}/{id}", s.webPage)
	mux.ServeHTTP(w, r)
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request body: " + err.Error()})
		return false
	}
	return true
}

func adminResult(w http.ResponseWriter, err error) {
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func adminValue(w http.ResponseWriter, v any, err error) {
	if err != nil {
		adminResult(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// Info is what a front end or tester needs to talk to the sandbox.
type Info struct {
	BaseURL        string   `json:"baseUrl"`
	AuthorizeURL   string   `json:"authorizeUrl"`
	TokenURL       string   `json:"tokenUrl"`
	RevocationURL  string   `json:"revocationUrl"`
	ConnectionsURL string   `json:"connectionsUrl"`
	APIBaseURL     string   `json:"apiBaseUrl"`
	ClientID       string   `json:"clientId"`
	RedirectURIs   []string `json:"redirectUris"`
	Scopes         string   `json:"scopes"`
	Tenants        []Tenant `json:"tenants"`
}

func (s *Server) info(base string) Info {
	s.mu.Lock()
	redirects := append([]string(nil), s.apps[DefaultClientID].RedirectURIs...)
	s.mu.Unlock()
	return Info{
		BaseURL: base, AuthorizeURL: base + AuthorizePath, TokenURL: base + TokenPath, RevocationURL: base + RevocationPath,
		ConnectionsURL: base + ConnectionsPath, APIBaseURL: base + APIBasePath, ClientID: DefaultClientID,
		RedirectURIs: redirects, Scopes: DefaultScopes, Tenants: s.Tenants(),
	}
}

var webTmpl = template.Must(template.New("web").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} – sandbox</title><style>` + pageStyle + `</style></head>
<body><div class="banner">Structura sandbox — this page stands in for the record in Xero Practice Manager.</div>
<main><div class="card"><h1>{{.Title}}</h1><p class="lead">{{.Sub}}</p>
<ul class="scopes">{{range .Lines}}<li>{{.}}</li>{{end}}</ul></div></main></body></html>`))

// webPage is where webUrl links point: a read-only view of the record.
func (s *Server) webPage(w http.ResponseWriter, r *http.Request) {
	kind, id := r.PathValue("kind"), r.PathValue("id")
	s.mu.Lock()
	var title, sub string
	var lines []string
	for _, tid := range s.tenantOrder {
		t := s.tenants[tid]
		if t.p == nil {
			continue
		}
		switch kind {
		case "client":
			if c := t.p.clients[id]; c != nil {
				title, sub = c.Name, t.Name
				for _, l := range []string{c.BusinessStructure, c.Email, c.Phone, strings.TrimSpace(c.Address + " " + c.City + " " + c.Region + " " + c.PostCode)} {
					if strings.TrimSpace(l) != "" {
						lines = append(lines, l)
					}
				}
			}
		case "group":
			if g := t.p.groups[id]; g != nil {
				title, sub = g.Name, t.Name+" — client group"
				for _, m := range g.Members {
					if c := t.p.clients[m]; c != nil {
						lines = append(lines, c.Name)
					}
				}
			}
		case "staff":
			if st := t.p.staffByUUID(id); st != nil {
				title, sub = st.Name, t.Name+" — staff"
				lines = append(lines, st.Email)
			}
		}
	}
	s.mu.Unlock()
	if title == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = webTmpl.Execute(w, map[string]any{"Title": title, "Sub": sub, "Lines": lines})
}

// adminPut serves a control endpoint that decodes one record and stores it
// in the tenant named by the path.
func adminPut[T any](put func(tenant string, v T) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v T
		if !decodeAdmin(w, r, &v) {
			return
		}
		out, err := put(r.PathValue("tenant"), v)
		adminValue(w, out, err)
	}
}
