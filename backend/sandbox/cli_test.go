package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRunCLIHeadless(t *testing.T) {
	dir := t.TempDir()
	faults := filepath.Join(dir, "faults.json")
	if err := os.WriteFile(faults, []byte(`{"rules":[{"operation":"clientgroup.api/delete","kind":"status","status":503,"rate":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	save := filepath.Join(dir, "saved.json")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := RunCLI(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "40", "--groups", "8", "--faults", faults,
			"--limits", "scale:2", "--save", save}, pw)
		pw.Close()
		done <- err
	}()
	urls := map[string]string{}
	re := regexp.MustCompile(`^\s+(Identity \(authorise\)|Identity \(token\)|Connections|XPM API base|Client id):\s+(\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if m := re.FindStringSubmatch(line); m != nil {
			urls[m[1]] = m[2]
		}
		if strings.HasPrefix(line, "Press Ctrl+C") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if len(urls) != 5 || urls["Client id"] != DefaultClientID {
		t.Fatalf("printed %v", urls)
	}

	// the authorise URL answers with the consent page
	q := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {DefaultRedirectURIs[0]},
		"scope": {DefaultScopes}, "state": {"s"}, "code_challenge": {pkceS256(strings.Repeat("a", 43))}, "code_challenge_method": {"S256"}}
	res, err := http.Get(urls["Identity (authorise)"] + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Allow access") {
		t.Fatalf("consent page: %d", res.StatusCode)
	}
	// the token URL answers as OAuth does
	res, err = http.PostForm(urls["Identity (token)"], url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {DefaultClientID}})
	if err != nil {
		t.Fatal(err)
	}
	var oe map[string]string
	_ = json.NewDecoder(res.Body).Decode(&oe)
	res.Body.Close()
	if res.StatusCode != 400 || oe["error"] != "invalid_grant" {
		t.Errorf("token URL: %d %v", res.StatusCode, oe)
	}
	// the API base answers (401 without a token) with the scaled limits once authorised
	base := strings.TrimSuffix(urls["XPM API base"], "/")
	res, err = http.Get(base + "/client.api/list")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("API without a token: %d", res.StatusCode)
	}
	admin := strings.TrimSuffix(base, APIBasePath) + "/_sandbox/token"
	res, err = http.Post(admin, "application/json", strings.NewReader(`{"userId":"`+UserAlex+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var ts TokenSet
	_ = json.NewDecoder(res.Body).Decode(&ts)
	res.Body.Close()
	req, _ := http.NewRequest("GET", base+"/client.api/list", nil)
	req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
	req.Header.Set("xero-tenant-id", DemoPracticeID)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Clients []map[string]any }
	_ = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if res.StatusCode != 200 || len(list.Clients) != 40 || res.Header.Get("X-MinLimit-Remaining") != "119" {
		t.Errorf("list: %d, %d clients, min remaining %s", res.StatusCode, len(list.Clients), res.Header.Get("X-MinLimit-Remaining"))
	}
	// the connections URL answers
	req, _ = http.NewRequest("GET", urls["Connections"], nil)
	req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("connections: %d", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunCLI did not stop when its context was cancelled")
	}
	b, err := os.ReadFile(save)
	if err != nil {
		t.Fatalf("--save wrote nothing: %v", err)
	}
	var snap Snapshot
	if err := json.Unmarshal(b, &snap); err != nil || len(snap.Practices[DemoPracticeID].Clients) != 40 {
		t.Errorf("saved data: %v", err)
	}
}

func TestRunCLIRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},
		{"--data", "lots"},
		{"--limits", "sometimes"},
		{"--groups", "3"},
		{"--faults", "/does/not/exist.json"},
		{"stray"},
	} {
		var out strings.Builder
		if err := RunCLI(context.Background(), args, &out); err == nil {
			t.Errorf("RunCLI(%v) accepted", args)
		}
	}
}
