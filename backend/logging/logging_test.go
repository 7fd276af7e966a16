package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Redact(slog.NewJSONHandler(&buf, nil)))
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
	log.Info("calling api with Bearer abc.def-123 now",
		"access_token", "AT-should-not-appear",
		"refreshToken", "RT-should-not-appear",
		"client_secret", "CS-should-not-appear",
		"url", "http://x/cb?code=AUTHCODE123&state=s1",
		"body", "grant_type=refresh_token&refresh_token=RT2-should-not-appear",
		"err", errors.New("token endpoint said: "+jwt),
		slog.Group("conn", "tenant", "t-1", "password", "hunter2"),
		"tenant", "visible-tenant",
	)
	out := buf.String()
	for _, secret := range []string{"abc.def-123", "AT-should", "RT-should", "CS-should", "AUTHCODE123", "RT2-should", jwt, "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q leaked: %s", secret, out)
		}
	}
	for _, keep := range []string{"visible-tenant", "state=s1", "t-1"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q should stay visible: %s", keep, out)
		}
	}
}

func TestRedactionWithAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Redact(slog.NewTextHandler(&buf, nil))).With("secret", "s3cr3t")
	log.Info("x")
	if strings.Contains(buf.String(), "s3cr3t") {
		t.Fatal(buf.String())
	}
}

func TestRotationCapsSize(t *testing.T) {
	dir := t.TempDir()
	r, err := OpenRotating(dir, "app.log", 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("x", 99) + "\n")
	for i := 0; i < 100; i++ {
		if _, err := r.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	var total int64
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("want app.log + 2 rotated copies, got %d", len(entries))
	}
	for _, e := range entries {
		st, _ := os.Stat(filepath.Join(dir, e.Name()))
		if st.Size() > 1000 {
			t.Fatalf("%s is %d bytes, over the cap", e.Name(), st.Size())
		}
		total += st.Size()
	}
	if total > 3000 {
		t.Fatalf("total %d", total)
	}
}

func TestNewWritesJSONFile(t *testing.T) {
	dir := t.TempDir()
	l, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hello", "refresh_token", "nope")
	l.Close()
	b, err := os.ReadFile(l.FilePath())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"msg":"hello"`) || strings.Contains(string(b), "nope") {
		t.Fatalf("log: %s", b)
	}
}
