package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"structura/backend/apperr"
)

// fakeBackend is an in-memory keychain that can be told to fail or to
// never answer.
type fakeBackend struct {
	mu    sync.Mutex
	m     map[string]string
	err   error
	block chan struct{} // non-nil: every call waits until it is closed
}

func newFake() *fakeBackend { return &fakeBackend{m: map[string]string{}} }

func (f *fakeBackend) wait() error {
	if f.block != nil {
		<-f.block
	}
	return f.err
}

func (f *fakeBackend) Get(service, user string) (string, error) {
	if err := f.wait(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, user, password string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[service+"/"+user] = password
	return nil
}

func (f *fakeBackend) Delete(service, user string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.m, service+"/"+user)
	return nil
}

// roundTrip exercises any Store the same way.
func roundTrip(t *testing.T, s Store, key string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, key, "s3cret value ✓"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	v, err := s.Get(ctx, key)
	if err != nil || v != "s3cret value ✓" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := s.Set(ctx, key, "second"); err != nil {
		t.Fatalf("Set again: %v", err)
	}
	if v, _ := s.Get(ctx, key); v != "second" {
		t.Fatalf("overwrite: got %q", v)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key must succeed, got %v", err)
	}
}

func TestMemoryRoundTrip(t *testing.T) { roundTrip(t, NewMemory(), "k") }

func TestKeyringWrapperRoundTrip(t *testing.T) {
	f := newFake()
	roundTrip(t, newKeyring(f, "Structura", time.Second), "k")
	if len(f.m) != 0 {
		t.Fatalf("left behind: %v", f.m)
	}
}

func TestKeyringThatNeverAnswersTimesOut(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	defer close(f.block) // release the abandoned goroutines
	const timeout = 50 * time.Millisecond
	k := newKeyring(f, "Structura", timeout)
	ctx := context.Background()
	calls := map[string]func() error{
		"Get":    func() error { _, err := k.Get(ctx, "k"); return err },
		"Set":    func() error { return k.Set(ctx, "k", "v") },
		"Delete": func() error { return k.Delete(ctx, "k") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- call() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second): // a hang, not a timing assertion
				t.Fatal("keychain call hung instead of timing out")
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.CodeKeychain {
				t.Fatalf("err = %v, want an apperr with CodeKeychain", err)
			}
			if !strings.Contains(e.Message, "could not reach the system keychain") || e.Hint == "" {
				t.Fatalf("message/hint not clear: %q / %q", e.Message, e.Hint)
			}
		})
	}
}

func TestKeyringHonoursCancel(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	defer close(f.block)
	k := newKeyring(f, "Structura", time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := k.Get(ctx, "k"); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := k.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("already-cancelled ctx: err = %v", err)
	}
}

func TestKeyringErrorsAreClearAndCarryNoSecret(t *testing.T) {
	f := newFake()
	f.err = errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided")
	k := newKeyring(f, "Structura", time.Second)
	err := k.Set(context.Background(), "refresh-token", "TOPSECRET-VALUE")
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.CodeKeychain || e.Hint == "" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "TOPSECRET-VALUE") {
		t.Fatal("secret value leaked into the error")
	}
	if pub := apperr.Public(err); strings.Contains(pub.Message, "DBus") {
		t.Fatalf("raw cause shown to the user: %q", pub.Message)
	}
	f.err = keyring.ErrSetDataTooBig
	if e, _ := apperr.As(k.Set(context.Background(), "k", "v")); e == nil || !strings.Contains(e.Message, "too large") {
		t.Fatalf("too big: %v", e)
	}
}

// TestRealKeychain round-trips a secret through the real OS keychain (the
// Secret Service on Linux). It runs only with STRUCTURA_REAL_KEYCHAIN=1 (the
// Makefile sets it inside a throwaway dbus + gnome-keyring session), and then
// an unreachable keychain is a failure, not a skip.
func TestRealKeychain(t *testing.T) {
	if os.Getenv("STRUCTURA_REAL_KEYCHAIN") != "1" {
		t.Skip("set STRUCTURA_REAL_KEYCHAIN=1 to test against the real OS keychain")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	service := "structura-test-" + hex.EncodeToString(b[:])
	k := NewKeyring(service, 15*time.Second)
	if _, ok := k.b.(goKeyring); !ok {
		t.Fatal("NewKeyring must use the real go-keyring backend")
	}
	roundTrip(t, k, "tfn-encryption-key-v1")
	// A value of the size of a real token (JWT access tokens run to ~1.5 KB).
	big := strings.Repeat("x", 4000)
	ctx := context.Background()
	if err := k.Set(ctx, "access-token", big); err != nil {
		t.Fatalf("Set 4 KB: %v", err)
	}
	defer k.Delete(ctx, "access-token")
	if v, err := k.Get(ctx, "access-token"); err != nil || v != big {
		t.Fatalf("Get 4 KB: len %d, %v", len(v), err)
	}
}
