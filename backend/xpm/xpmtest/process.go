package xpmtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"structura/backend/clock"
	"structura/backend/sandbox"
	"structura/backend/xpm"
)

// A sandbox in a child process keeps its memory out of the measurements of
// the process under test (heap benchmarks). The child is the test binary
// itself, started again with childEnv set; call ServeChildIfAsked first
// thing in TestMain.

const childEnv = "STRUCTURA_XPMTEST_SANDBOX_DATA"

type childInfo struct {
	APIBaseURL     string `json:"apiBaseUrl"`
	ConnectionsURL string `json:"connectionsUrl"`
	TokenURL       string `json:"tokenUrl"`
	Tenant         string `json:"tenant"`
	Access         string `json:"access"`
	Refresh        string `json:"refresh"`
	ExpiresIn      int64  `json:"expiresIn"`
}

// ServeChildIfAsked turns the process into a sandbox server when it was
// started by StartProcess: it serves until its standard input closes, then
// exits. Otherwise it returns at once.
func ServeChildIfAsked() {
	data := os.Getenv(childEnv)
	if data == "" {
		return
	}
	s, err := sandbox.New(sandbox.Options{Data: data, Seed: 1, Limits: sandbox.Limits{Off: true}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	set, err := s.MintToken(sandbox.UserAlex, "", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_ = json.NewEncoder(os.Stdout).Encode(childInfo{
		APIBaseURL: s.APIBaseURL(), ConnectionsURL: s.ConnectionsURL(), TokenURL: s.TokenURL(),
		Tenant: sandbox.DemoPracticeID, Access: set.AccessToken, Refresh: set.RefreshToken, ExpiresIn: set.ExpiresIn,
	})
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	os.Exit(0)
}

// Process is a sandbox running in a child process (wall clock, limits off).
type Process struct {
	info childInfo
	// Tokens refreshes on the wall clock.
	Tokens *TokenSource
}

// StartProcess starts a sandbox with data ("demo", "generated:N:M") in a
// child process and stops it when t ends. The test binary must call
// ServeChildIfAsked in TestMain.
func StartProcess(t testing.TB, data string) *Process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+data)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("sandbox child: %v", err)
	}
	var info childInfo
	if err := json.Unmarshal(line, &info); err != nil {
		t.Fatalf("sandbox child said %q: %v", line, err)
	}
	return &Process{
		info:   info,
		Tokens: NewTokenSource(info.TokenURL, sandbox.DefaultClientID, clock.Real{}, info.Access, info.Refresh, time.Duration(info.ExpiresIn)*time.Second),
	}
}

// Config returns a client configuration for the child's demo practice.
func (p *Process) Config() xpm.Config {
	return xpm.Config{
		APIBaseURL: p.info.APIBaseURL, ConnectionsURL: p.info.ConnectionsURL,
		TenantID: p.info.Tenant, TokenSource: p.Tokens, Retry: xpm.RetryPolicy{Seed: 1},
	}
}
