package twofa

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/secrets"
	"structura/backend/store"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

type rec struct{ names []string }

func (r *rec) Emit(name string, _ any) { r.names = append(r.names, name) }

type fixture struct {
	svc *Service
	st  *store.Store
	sec *secrets.Memory
	clk *clock.Fake
	ev  *rec
	db  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := filepath.Join(t.TempDir(), "structura.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, sec: secrets.NewMemory(), clk: clock.NewManualFake(t0), ev: &rec{}, db: db}
	f.svc = f.restart()
	return f
}

// restart is a new process on the same database and keychain.
func (f *fixture) restart() *Service {
	f.svc = New(Config{Store: f.st, Secrets: f.sec, Clock: f.clk, Events: f.ev, AccountName: "test"})
	return f.svc
}

func (f *fixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) setConnected(t *testing.T, status string) {
	t.Helper()
	ctx := context.Background()
	err := f.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.PutConnection(ctx, store.XPMConnection{TenantID: "t1", TenantName: "P", Status: status, ConnectedAt: t0, UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) enrol(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	en, err := f.svc.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := f.svc.Confirm(ctx, f.code(t, en.Secret))
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, conf.RecoveryCodes
}

func wantMsg(t *testing.T, err error, msg string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || !strings.Contains(e.Message, msg) {
		t.Fatalf("error %v, want message %q", err, msg)
	}
}

func TestEnrolmentStoresSeedInKeychainAndOnlyHashes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.Require(ctx, Connect); err == nil {
		t.Fatal("connect allowed without 2FA")
	} else {
		wantMsg(t, err, MsgNotEnabled)
	}
	en, err := f.svc.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(en.Secret) < 32 || en.Digits != 6 || en.PeriodSeconds != 30 {
		t.Fatalf("enrolment %+v", en)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(en.QRCodeDataURL, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(raw)); err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("QR code is not a PNG image: %v", err)
	}
	if _, err := f.sec.Get(ctx, SeedKey); err == nil {
		t.Fatal("seed saved before the code was confirmed")
	}
	// A wrong code enables nothing.
	if _, err := f.svc.Confirm(ctx, "000000"); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("wrong code: %v", err)
	}
	conf, err := f.svc.Confirm(ctx, f.code(t, en.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if len(conf.RecoveryCodes) != 10 || !conf.Status.Enabled || conf.Status.RecoveryCodesLeft != 10 {
		t.Fatalf("confirmation %+v", conf)
	}
	seen := map[string]bool{}
	for _, c := range conf.RecoveryCodes {
		if !regexp.MustCompile(`^[a-z2-9]{5}-[a-z2-9]{5}$`).MatchString(c) || seen[c] {
			t.Fatalf("recovery code %q", c)
		}
		seen[c] = true
	}
	if seed, err := f.sec.Get(ctx, SeedKey); err != nil || seed != en.Secret {
		t.Fatalf("seed in keychain: %v", err)
	}
	// The database holds neither the seed nor any recovery code.
	f.st.Close()
	for _, p := range []string{f.db, f.db + "-wal"} {
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(en.Secret)) {
			t.Fatalf("%s holds the seed", p)
		}
		for _, c := range conf.RecoveryCodes {
			if bytes.Contains(b, []byte(c)) || bytes.Contains(b, []byte(strings.ReplaceAll(c, "-", ""))) {
				t.Fatalf("%s holds a recovery code", p)
			}
		}
	}
}

func TestCodeAcceptedOnceAndLockRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	secret, _ := f.enrol(t)

	// No connection: nothing locked, and connecting needs no new code right
	// after enrolment.
	if err := f.svc.Require(ctx, Connect); err != nil {
		t.Fatal(err)
	}
	f.setConnected(t, store.ConnConnected)

	// Opening the app with a connection locks it.
	f.restart()
	st, _ := f.svc.Status(ctx)
	if !st.Locked || !st.Required {
		t.Fatalf("status after restart %+v", st)
	}
	wantMsg(t, f.svc.Require(ctx, Read), MsgLocked)
	// The code used for enrolment (same time step) is not accepted again.
	if _, err := f.svc.Unlock(ctx, f.code(t, secret)); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("replayed code: %v", err)
	}
	f.clk.Advance(30 * time.Second)
	if st, err := f.svc.Unlock(ctx, f.code(t, secret)); err != nil || st.Locked {
		t.Fatalf("unlock: %+v %v", st, err)
	}
	if err := f.svc.Require(ctx, Write); err != nil {
		t.Fatal(err)
	}

	// Activity keeps the session fresh; idle time asks again for writes only.
	f.clk.Advance(7 * time.Hour)
	f.svc.Touch()
	f.clk.Advance(7 * time.Hour)
	if err := f.svc.Require(ctx, Write); err != nil {
		t.Fatalf("write after activity: %v", err)
	}
	f.clk.Advance(time.Hour + time.Minute)
	wantMsg(t, f.svc.Require(ctx, Write), MsgLocked)
	if err := f.svc.Require(ctx, Read); err != nil {
		t.Fatalf("reads do not ask after idle: %v", err)
	}
	if st, _ := f.svc.Status(ctx); !st.IdleExpired || st.Locked {
		t.Fatalf("idle status %+v", st)
	}
	// A shorter idle setting.
	if _, err := f.svc.SetIdleLockHours(ctx, 0); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("0 hours accepted: %v", err)
	}
	if _, err := f.svc.Unlock(ctx, f.code(t, secret)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetIdleLockHours(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(61 * time.Minute)
	wantMsg(t, f.svc.Require(ctx, Write), MsgLocked)
	if len(f.ev.names) == 0 || f.ev.names[0] != Event {
		t.Fatalf("events %v", f.ev.names)
	}
}

func TestRecoveryCodesAreOneTime(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, codes := f.enrol(t)
	f.setConnected(t, store.ConnConnected)
	f.restart()
	if _, err := f.svc.Unlock(ctx, " "+strings.ToUpper(codes[3])+" "); err != nil {
		t.Fatalf("recovery code refused: %v", err)
	}
	st, _ := f.svc.Status(ctx)
	if st.Locked || st.RecoveryCodesLeft != 9 {
		t.Fatalf("status %+v", st)
	}
	f.restart()
	if _, err := f.svc.Unlock(ctx, codes[3]); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("used recovery code accepted again: %v", err)
	}
}

func TestTooManyWrongCodesPause(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	secret, _ := f.enrol(t)
	f.clk.Advance(time.Minute)
	for i := 0; i < maxFailures; i++ {
		if _, err := f.svc.Unlock(ctx, "123456"); apperr.CodeOf(err) != apperr.CodeValidation {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	_, err := f.svc.Unlock(ctx, f.code(t, secret))
	wantMsg(t, err, "Too many incorrect codes")
	f.clk.Advance(failurePause)
	if _, err := f.svc.Unlock(ctx, f.code(t, secret)); err != nil {
		t.Fatal(err)
	}
}

func TestDisableNeedsCodeAndNoConnection(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	secret, _ := f.enrol(t)
	if _, err := f.svc.Begin(ctx); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("second enrolment: %v", err)
	}
	f.setConnected(t, store.ConnReconnectNeeded)
	f.clk.Advance(time.Minute)
	if _, err := f.svc.Disable(ctx, f.code(t, secret)); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("disable while connected: %v", err)
	}
	// Disconnecting removes the requirement; 2FA stays on until turned off.
	if err := f.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SetConnectionStatus(ctx, "t1", store.ConnDisconnected, "", f.clk.Now())
	}); err != nil {
		t.Fatal(err)
	}
	f.restart()
	st, _ := f.svc.Status(ctx)
	if !st.Enabled || st.Locked || st.Required {
		t.Fatalf("after disconnect %+v", st)
	}
	if _, err := f.svc.Disable(ctx, "111111"); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("disable with a wrong code: %v", err)
	}
	if st, err := f.svc.Disable(ctx, f.code(t, secret)); err != nil || st.Enabled {
		t.Fatalf("disable: %+v %v", st, err)
	}
	if _, err := f.sec.Get(ctx, SeedKey); err == nil {
		t.Fatal("seed left in keychain")
	}
}

func TestEnrolmentExpires(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	en, err := f.svc.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(enrolmentTTL)
	if _, err := f.svc.Confirm(ctx, f.code(t, en.Secret)); err == nil {
		t.Fatal("expired enrolment confirmed")
	}
}

type failingSet struct{ *secrets.Memory }

func (failingSet) Set(context.Context, string, string) error {
	return apperr.New(apperr.CodeKeychain, "keychain refused", "")
}

func TestKeychainFailureEnablesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.svc = New(Config{Store: f.st, Secrets: failingSet{secrets.NewMemory()}, Clock: f.clk})
	en, err := f.svc.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, f.code(t, en.Secret)); apperr.CodeOf(err) != apperr.CodeKeychain {
		t.Fatalf("confirm: %v", err)
	}
	if st, _ := f.svc.Status(ctx); st.Enabled {
		t.Fatal("enabled without a seed in the keychain")
	}
}

func TestRecoveryHashFormat(t *testing.T) {
	h, err := hashRecovery("abcdefghjk")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || !checkRecoveryHash(h, "abcdefghjk") || checkRecoveryHash(h, "abcdefghjm") {
		t.Fatalf("hash %q", h)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", h[:len(h)-4]} {
		if checkRecoveryHash(bad, "abcdefghjk") {
			t.Fatalf("accepted %q", bad)
		}
	}
	if normalizeRecovery("ABCDE-FGHJK") != "abcdefghjk" || normalizeRecovery("abcde-fghj0") != "" || normalizeDigits("123 456") != "123456" {
		t.Fatal("normalisation")
	}
}

func TestResetOnlyWithoutConnection(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.enrol(t)
	f.setConnected(t, store.ConnConnected)
	if _, err := f.svc.Reset(ctx); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("reset while connected: %v", err)
	}
	if err := f.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SetConnectionStatus(ctx, "t1", store.ConnDisconnected, "", f.clk.Now())
	}); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Reset(ctx)
	if err != nil || st.Enabled {
		t.Fatalf("reset: %+v %v", st, err)
	}
	if _, err := f.sec.Get(ctx, SeedKey); err == nil {
		t.Fatal("seed left behind")
	}
	if _, err := f.svc.Begin(ctx); err != nil {
		t.Fatalf("set up again: %v", err)
	}
}
