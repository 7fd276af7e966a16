package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"structura/backend/clock"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// startSandbox starts a sandbox on a free loopback port with a manual fake
// clock.
func startSandbox(t testing.TB, opts Options) (*Server, *clock.Fake) {
	t.Helper()
	fc := clock.NewManualFake(t0)
	if opts.Clock == nil {
		opts.Clock = fc
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, fc
}

func mint(t testing.TB, s *Server, user, scopes string) TokenSet {
	t.Helper()
	ts, err := s.MintToken(user, "", scopes)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// apiResp is an answer of the XPM API.
type apiResp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call makes one XPM call with the headers Xero wants.
func call(t testing.TB, hc *http.Client, s *Server, token, tenant, method, path string, body any) apiResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = s.APIBaseURL() + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if tenant != "" {
		req.Header.Set("xero-tenant-id", tenant)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Xero-Features", "practice-strict-content-type")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	out := apiResp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out
}

func (r apiResp) must(t testing.TB, status int) apiResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, truncate(string(r.raw), 400))
	}
	return r
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func arr(v any) []any          { a, _ := v.([]any); return a }
func strv(v any) string        { s, _ := v.(string); return s }

func jsonUnmarshalNumber(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
