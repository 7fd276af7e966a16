// Package secrets keeps small secrets (OAuth tokens, the key that encrypts
// tax file numbers) in the operating system's keychain: Windows Credential
// Manager, macOS Keychain, or the Secret Service (GNOME Keyring, KWallet) on
// Linux.
//
// Every keychain call runs with a timeout: on Linux a Secret Service that
// never answers would otherwise hang the app. A timeout or a refusal comes
// back as an apperr.CodeKeychain error that tells the practitioner what to
// do. Secret values are never logged and never part of an error.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"structura/backend/apperr"
)

// Store reads and writes named secrets.
type Store interface {
	// Get returns the secret stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (string, error)
	// Set stores value under key, replacing any previous value.
	Set(ctx context.Context, key, value string) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound means no secret is stored under the key.
var ErrNotFound = errors.New("secret not found in the system keychain")

// DefaultTimeout bounds each keychain call. Unlocking a keychain can show a
// system prompt, so it is generous.
const DefaultTimeout = 20 * time.Second

// backend is the raw keychain (go-keyring's package functions in
// production, a fake in tests).
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (goKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// Keyring is a Store backed by the OS keychain.
type Keyring struct {
	service string
	timeout time.Duration
	b       backend
}

// NewKeyring returns a Store that keeps secrets in the OS keychain under the
// given service name (e.g. "Structura"). Each call gives up after timeout
// (DefaultTimeout if zero or negative).
func NewKeyring(service string, timeout time.Duration) *Keyring {
	return newKeyring(goKeyring{}, service, timeout)
}

func newKeyring(b backend, service string, timeout time.Duration) *Keyring {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Keyring{service: service, timeout: timeout, b: b}
}

// Get returns the secret stored under key, or ErrNotFound.
func (k *Keyring) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := k.call(ctx, "read", func() error {
		var err error
		v, err = k.b.Get(k.service, key)
		return err
	})
	return v, err
}

// Set stores value under key.
func (k *Keyring) Set(ctx context.Context, key, value string) error {
	return k.call(ctx, "save", func() error { return k.b.Set(k.service, key, value) })
}

// Delete removes key; a missing key is not an error.
func (k *Keyring) Delete(ctx context.Context, key string) error {
	err := k.call(ctx, "remove", func() error { return k.b.Delete(k.service, key) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn in its own goroutine and waits at most k.timeout. A keychain
// that never answers leaves that goroutine blocked in the OS call; there is
// no way to abort it, so it is abandoned (it holds no lock of ours).
func (k *Keyring) call(ctx context.Context, verb string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		switch {
		case err == nil:
			return nil
		case errors.Is(err, keyring.ErrNotFound):
			return ErrNotFound
		case errors.Is(err, keyring.ErrSetDataTooBig):
			return apperr.Wrap(err, apperr.CodeKeychain,
				"The system keychain refused to store this secret because it is too large.", unavailableHint())
		}
		return apperr.Wrap(err, apperr.CodeKeychain,
			fmt.Sprintf("Structura could not %s a secret in the system keychain.", verb), unavailableHint())
	case <-timer.C:
		return apperr.Wrap(fmt.Errorf("keychain %s: no answer after %s", verb, k.timeout), apperr.CodeKeychain,
			fmt.Sprintf("Structura could not reach the system keychain: it did not answer within %s.", k.timeout.Round(time.Second)),
			unavailableHint())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unavailableHint says what to do on this operating system.
func unavailableHint() string {
	switch runtime.GOOS {
	case "windows":
		return "Make sure Windows Credential Manager is available (it is part of Windows), then try again. If a sign-in prompt is open, answer it first."
	case "darwin":
		return "Unlock your login keychain (open Keychain Access), allow Structura if macOS asks, then try again."
	}
	return "Make sure a keyring service (GNOME Keyring or KWallet) is running and unlocked — logging out and back in usually starts it — then try again."
}

// Memory is an in-memory Store for tests and for running without a keychain
// (nothing survives a restart).
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory Store.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

// Get returns the stored value or ErrNotFound.
func (m *Memory) Get(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set stores value under key.
func (m *Memory) Set(ctx context.Context, key, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = value
	return nil
}

// Delete removes key.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}

// Keys lists the stored keys (for tests).
func (m *Memory) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.m))
	for k := range m.m {
		out = append(out, k)
	}
	return out
}
