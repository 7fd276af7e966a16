package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"structura/backend/clock"
)

// statusesUnderFaults makes n list calls and returns what each answered.
func statusesUnderFaults(t *testing.T, seed int64, n int) []int {
	t.Helper()
	s, _ := startSandbox(t, Options{Seed: seed, Limits: Limits{Off: true}, Faults: &FaultConfig{Rules: []FaultRule{
		{Operation: "client.api/*", Kind: FaultStatus, Status: 503, Rate: 0.2},
		{Operation: "client.api/list", Kind: FaultStatus, Status: 500, Rate: 0.2},
	}}})
	tok := mint(t, s, UserAlex, "").AccessToken
	var out []int
	for i := 0; i < n; i++ {
		out = append(out, call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/list", nil).status)
	}
	return out
}

func TestFaultsAreDeterministicFromSeed(t *testing.T) {
	a := statusesUnderFaults(t, 42, 60)
	b := statusesUnderFaults(t, 42, 60)
	c := statusesUnderFaults(t, 7, 60)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("different seeds gave the same faults: %v", a)
	}
	count := map[int]int{}
	for _, st := range a {
		count[st]++
	}
	if count[503] == 0 || count[500] == 0 || count[200] == 0 {
		t.Errorf("expected a mix of 200, 500 and 503: %v", count)
	}
}

func TestResetAfterApplyLeavesTheWriteApplied(t *testing.T) {
	s, _ := startSandbox(t, Options{Faults: &FaultConfig{Rules: []FaultRule{
		{Operation: "client.api/add", Kind: FaultResetAfter, Nth: []int{1}},
		{Operation: "client.api/add", Kind: FaultResetBefore, Nth: []int{2}},
	}}})
	tok := mint(t, s, UserAlex, "").AccessToken
	add := func(name string) error {
		req, _ := http.NewRequest("POST", s.APIBaseURL()+"/client.api/add", strings.NewReader(`{"name":"`+name+`","businessStructure":"Company"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("xero-tenant-id", DemoPracticeID)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	if err := add("Applied Then Reset Pty Ltd"); err == nil {
		t.Fatal("reset-after: the call succeeded")
	}
	if err := add("Never Applied Pty Ltd"); err == nil {
		t.Fatal("reset-before: the call succeeded")
	}
	names := map[string]bool{}
	cs, _ := s.Clients(DemoPracticeID)
	for _, c := range cs {
		names[c.Name] = true
	}
	if !names["Applied Then Reset Pty Ltd"] {
		t.Error("reset after apply: the client was not added")
	}
	if names["Never Applied Pty Ltd"] {
		t.Error("reset before apply: the client was added")
	}
	log := s.RequestLog()
	faults := []string{}
	for _, e := range log {
		if e.Fault != "" {
			faults = append(faults, e.Fault)
			if e.Status != -1 {
				t.Errorf("dropped connection logged with status %d", e.Status)
			}
		}
	}
	if !reflect.DeepEqual(faults, []string{FaultResetAfter, FaultResetBefore}) {
		t.Errorf("logged faults %v", faults)
	}
}

func TestTruncatedMalformedGatewayAndTokenExpiry(t *testing.T) {
	s, _ := startSandbox(t, Options{Faults: &FaultConfig{Rules: []FaultRule{
		{Operation: "client.api/list", Kind: FaultTruncate, Nth: []int{1}},
		{Operation: "client.api/list", Kind: FaultMalformed, Nth: []int{2}},
		{Operation: "client.api/list", Kind: FaultStatus, Status: 502, Nth: []int{3}},
		{Operation: "client.api/list", Kind: FaultStatus, Status: 500, Nth: []int{4}},
		{Operation: "client.api/list", Kind: FaultExpireToken, Nth: []int{5}},
	}}})
	tok := mint(t, s, UserAlex, "").AccessToken
	get := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest("GET", s.APIBaseURL()+"/client.api/list", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("xero-tenant-id", DemoPracticeID)
		res, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, b, err
	}
	if _, _, err := get(); err == nil {
		t.Error("truncate: the body was read in full")
	}
	res, b, err := get()
	var v any
	if err != nil || res.StatusCode != 200 || json.Unmarshal(b, &v) == nil {
		t.Errorf("malformed: err %v status %v, JSON parsed: %v", err, res, json.Unmarshal(b, &v) == nil)
	}
	res, b, _ = get()
	if res.StatusCode != 502 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("502: %d %s", res.StatusCode, b)
	}
	res, b, _ = get()
	if res.StatusCode != 500 || !strings.Contains(string(b), `"errorDescription"`) {
		t.Errorf("500: %d %s", res.StatusCode, b)
	}
	res, _, _ = get()
	if res.StatusCode != 401 {
		t.Errorf("expire-token: %d", res.StatusCode)
	}
	res, _, _ = get()
	if res.StatusCode != 401 {
		t.Errorf("after expire-token the token must stay expired: %d", res.StatusCode)
	}
}

func TestLatencyUsesTheInjectedClock(t *testing.T) {
	fc := clock.NewFake(t0) // auto-advancing: latency costs no real time
	s, _ := startSandbox(t, Options{Clock: fc, Faults: &FaultConfig{Rules: []FaultRule{
		{Operation: "*", Kind: FaultLatency, Latency: Duration(45 * time.Second), Rate: 1},
	}}})
	tok := mint(t, s, UserAlex, "").AccessToken
	call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
	if fc.Slept() != 45*time.Second {
		t.Errorf("slept %v", fc.Slept())
	}
	log := s.RequestLog()
	if last := log[len(log)-1]; last.Duration != 45*time.Second || last.Fault != "latency:45s" {
		t.Errorf("log entry %+v", last)
	}
}

func TestFaultFileAndValidation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(path, []byte(`{"seed":3,"rules":[{"operation":"client.api/update","kind":"reset-after","rate":0.1},{"operation":"*","kind":"latency","latency":"250ms","rate":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	fc, err := LoadFaultFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Seed != 3 || len(fc.Rules) != 2 || time.Duration(fc.Rules[1].Latency) != 250*time.Millisecond {
		t.Errorf("%+v", fc)
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []FaultConfig{
		{Rules: []FaultRule{{Operation: "*", Kind: "explode", Rate: 1}}},
		{Rules: []FaultRule{{Operation: "*", Kind: FaultStatus, Status: 200, Rate: 1}}},
		{Rules: []FaultRule{{Operation: "*", Kind: FaultStatus, Status: 500}}},
		{Rules: []FaultRule{{Kind: FaultResetAfter, Rate: 1}}},
	} {
		if err := s.SetFaults(&bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
