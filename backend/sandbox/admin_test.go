package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func adminDo(t *testing.T, s *Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestAdminHTTPMirrorsTheGoAPI(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	st, b := adminDo(t, s, "POST", "/_sandbox/token", `{"userId":"`+UserAlex+`","scopes":"openid practicemanager.client"}`)
	var ts TokenSet
	if st != 200 || json.Unmarshal(b, &ts) != nil || ts.AccessToken == "" {
		t.Fatalf("token: %d %s", st, b)
	}
	if ts.RefreshToken != "" {
		t.Error("a refresh token without offline_access")
	}
	call(t, nil, s, ts.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 200)

	// change data there
	st, b = adminDo(t, s, "PUT", "/_sandbox/tenants/"+DemoPracticeID+"/clients", `{"name":"Zed Added Pty Ltd","businessStructure":"Company"}`)
	var c Client
	if st != 200 || json.Unmarshal(b, &c) != nil || c.UUID == "" {
		t.Fatalf("put client: %d %s", st, b)
	}
	if st, b = adminDo(t, s, "PUT", "/_sandbox/tenants/"+DemoPracticeID+"/groups", `{"name":"Zed Group","members":["`+c.UUID+`"]}`); st != 200 {
		t.Fatalf("put group: %d %s", st, b)
	}
	if st, _ = adminDo(t, s, "POST", "/_sandbox/tenants/"+DemoPracticeID+"/clients/"+c.UUID+"/conflict", ``); st != 200 {
		t.Fatal("conflict")
	}
	call(t, nil, s, ts.AccessToken, DemoPracticeID, "PUT", "/client.api/update", map[string]any{"uuid": c.UUID, "phone": "1"}).must(t, 409)
	call(t, nil, s, ts.AccessToken, DemoPracticeID, "PUT", "/client.api/update", map[string]any{"uuid": c.UUID, "phone": "1"}).must(t, 200)
	st, b = adminDo(t, s, "GET", "/_sandbox/tenants/"+DemoPracticeID+"/data", ``)
	var d PracticeData
	if st != 200 || json.Unmarshal(b, &d) != nil || len(d.Clients) != 61 || len(d.Groups) != 11 {
		t.Fatalf("data: %d clients %d groups", len(d.Clients), len(d.Groups))
	}

	// faults, log, stats
	if st, b = adminDo(t, s, "PUT", "/_sandbox/faults", `{"rules":[{"operation":"staff.api/list","kind":"status","status":504,"nth":[1]}]}`); st != 200 {
		t.Fatalf("faults: %s", b)
	}
	call(t, nil, s, ts.AccessToken, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 504) // the gateway fails before XPM checks scopes
	if st, _ = adminDo(t, s, "PUT", "/_sandbox/faults", `{"rules":[{"operation":"x","kind":"nope","rate":1}]}`); st != 400 {
		t.Error("bad faults accepted")
	}
	_, b = adminDo(t, s, "GET", "/_sandbox/log", ``)
	var log []LogEntry
	if err := json.Unmarshal(b, &log); err != nil || len(log) == 0 {
		t.Fatalf("log: %v", err)
	}
	last := log[len(log)-1]
	if last.Operation != "staff.api/list" || last.Tenant != DemoPracticeID || last.Status != 504 || last.Fault != "status:504" {
		t.Errorf("last log entry %+v", last)
	}
	_, b = adminDo(t, s, "GET", "/_sandbox/stats", ``)
	var stats Stats
	if json.Unmarshal(b, &stats) != nil || stats.ByStatus[409] != 1 || stats.Faults != 1 {
		t.Errorf("stats %s", b)
	}

	// server-side revocation and reset
	if st, _ = adminDo(t, s, "POST", "/_sandbox/revoke", `{"userId":"`+UserAlex+`"}`); st != 200 {
		t.Fatal("revoke")
	}
	call(t, nil, s, ts.AccessToken, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 401)
	if st, _ = adminDo(t, s, "POST", "/_sandbox/reset?data=empty", ``); st != 200 {
		t.Fatal("reset")
	}
	if cs, _ := s.Clients(DemoPracticeID); len(cs) != 0 {
		t.Errorf("reset to empty left %d clients", len(cs))
	}
	if st, _ = adminDo(t, s, "POST", "/_sandbox/reset?data=bogus", ``); st != 400 {
		t.Error("reset accepted a bad data spec")
	}

	// the admin API can be switched off
	s2, _ := startSandbox(t, Options{DisableAdmin: true})
	if st, _ = adminDo(t, s2, "GET", "/_sandbox/health", ``); st != 404 {
		t.Errorf("admin disabled: %d", st)
	}
}
