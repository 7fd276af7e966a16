// Package twofa is Structura's two-factor protection: TOTP (RFC 6238) with
// any authenticator app, plus ten one-time recovery codes.
//
// Xero requires apps with XPM access to protect that access with MFA, so a
// connection to XPM needs two-factor protection first. The TOTP seed lives
// only in the OS keychain; recovery codes are stored only as argon2id
// hashes (docs/adr/0012). The seed and the codes reach the frontend once,
// in the answers of Begin (QR code and text secret) and Confirm (recovery
// codes), and are never logged.
//
// While a connection exists, the session is locked when the app opens and
// must be unlocked with a code; a write to XPM after IdleLockHours without
// activity asks for a code again (Require). Without a connection nothing is
// locked, but connecting needs a code entered in this session.
package twofa

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/secrets"
	"structura/backend/store"
)

// SeedKey is the keychain item that holds the TOTP seed.
const SeedKey = "twofa-totp-seed"

// Event is emitted with a Status whenever protection or the lock changes.
const Event = "twofactor:changed"

// Settings keys and defaults.
const (
	settingIdleHours = "security.idleLockHours"
	// DefaultIdleLockHours is how long the app may stay idle before a write
	// to XPM asks for a code again.
	DefaultIdleLockHours = 8
	MaxIdleLockHours     = 24 * 7
)

// TOTP parameters: what every authenticator app supports.
const (
	period        = 30
	digits        = otp.DigitsSix
	skewSteps     = 1 // accept the previous and the next code too (clock drift)
	enrolmentTTL  = 15 * time.Minute
	recoveryCount = 10
	maxFailures   = 5
	failurePause  = 30 * time.Second
)

// Messages the UI may recognise.
const (
	// MsgLocked is the message of the error Require returns while locked.
	MsgLocked = "Enter your two-factor code to continue."
	// MsgNotEnabled is the seed guides' wording, shown when connecting
	// without two-factor protection.
	MsgNotEnabled = "Enable two-factor authentication to connect to Xero"
)

// Emitter receives events for the UI.
type Emitter interface {
	Emit(name string, data any)
}

// Config configures a Service.
type Config struct {
	Store   *store.Store
	Secrets secrets.Store
	Clock   clock.Clock
	Logger  *slog.Logger
	Events  Emitter
	// Issuer and AccountName label the entry in the authenticator app.
	Issuer      string
	AccountName string
}

// Service manages two-factor protection and the session lock.
type Service struct {
	st     *store.Store
	sec    secrets.Store
	clk    clock.Clock
	log    *slog.Logger
	ev     Emitter
	issuer string
	acct   string

	mu           sync.Mutex
	pending      *pendingEnrolment
	verifiedAt   time.Time // last code accepted in this process (zero: none)
	lastActivity time.Time
	failures     int
	pausedUntil  time.Time
}

type pendingEnrolment struct {
	secret  string
	expires time.Time
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "Structura"
	}
	if cfg.AccountName == "" {
		cfg.AccountName = "Structura"
	}
	return &Service{st: cfg.Store, sec: cfg.Secrets, clk: cfg.Clock, log: cfg.Logger, ev: cfg.Events,
		issuer: cfg.Issuer, acct: cfg.AccountName}
}

// Status is what the UI shows about two-factor protection.
type Status struct {
	// Enabled: protection is on.
	Enabled bool `json:"enabled"`
	// EnabledAt is when it was turned on (zero when off).
	EnabledAt time.Time `json:"enabledAt"`
	// Required: a connection to XPM exists, so protection cannot be turned
	// off (disconnect first) and the lock applies.
	Required bool `json:"required"`
	// Locked: the UI must show the lock screen and ask for a code (protection
	// is on, a connection exists and no code was entered since the app opened).
	Locked bool `json:"locked"`
	// IdleExpired: the next write to XPM will ask for a code (idle for longer
	// than IdleLockHours).
	IdleExpired bool `json:"idleExpired"`
	// CodeNeededToConnect: connecting will ask for a code first.
	CodeNeededToConnect bool `json:"codeNeededToConnect"`
	// RecoveryCodesLeft counts unused recovery codes.
	RecoveryCodesLeft int `json:"recoveryCodesLeft"`
	// IdleLockHours is the idle time after which a write asks for a code.
	IdleLockHours int `json:"idleLockHours"`
	// EnrolmentPending: Begin was called and Confirm is awaited.
	EnrolmentPending bool `json:"enrolmentPending"`
}

// Enrolment is the answer of Begin: the only time the seed leaves the
// backend (as text and as a QR code).
type Enrolment struct {
	// Secret is the seed in base32, for typing into an authenticator app.
	Secret string `json:"secret"`
	// QRCodeDataURL is a PNG QR code of the otpauth:// URI.
	QRCodeDataURL string    `json:"qrCodeDataUrl"`
	Issuer        string    `json:"issuer"`
	AccountName   string    `json:"accountName"`
	Digits        int       `json:"digits"`
	PeriodSeconds int       `json:"periodSeconds"`
	ExpiresAt     time.Time `json:"expiresAt"`
}

// Confirmation is the answer of Confirm: recovery codes, shown once.
type Confirmation struct {
	RecoveryCodes []string `json:"recoveryCodes"`
	Status        Status   `json:"status"`
}

// state reads what Status needs in one snapshot.
func (s *Service) state(ctx context.Context) (row store.TwoFactorRow, enabled, connected bool, left, idleHours int, err error) {
	idleHours = DefaultIdleLockHours
	err = s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if row, enabled, err = tx.TwoFactor(ctx); err != nil {
			return err
		}
		if _, connected, err = tx.CurrentConnection(ctx); err != nil {
			return err
		}
		codes, err := tx.RecoveryCodes(ctx)
		if err != nil {
			return err
		}
		for _, c := range codes {
			if c.UsedAt.IsZero() {
				left++
			}
		}
		v, ok, err := tx.Setting(ctx, settingIdleHours)
		if err != nil {
			return err
		}
		if ok {
			if n, perr := strconv.Atoi(v); perr == nil && n > 0 {
				idleHours = n
			}
		}
		return nil
	})
	return
}

// Status returns the current state.
func (s *Service) Status(ctx context.Context) (Status, error) {
	row, enabled, connected, left, idle, err := s.state(ctx)
	if err != nil {
		return Status{}, err
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Enabled: enabled, Required: enabled && connected, RecoveryCodesLeft: left, IdleLockHours: idle,
		EnrolmentPending: s.pending != nil && now.Before(s.pending.expires)}
	if enabled {
		st.EnabledAt = row.EnabledAt
		fresh := !s.verifiedAt.IsZero() && now.Sub(s.lastActivity) <= time.Duration(idle)*time.Hour
		st.Locked = connected && s.verifiedAt.IsZero()
		st.IdleExpired = connected && !s.verifiedAt.IsZero() && !fresh
		st.CodeNeededToConnect = !fresh
	}
	return st, nil
}

func (s *Service) changed(ctx context.Context) {
	if s.ev == nil {
		return
	}
	if st, err := s.Status(ctx); err == nil {
		s.ev.Emit(Event, st)
	}
}

// Begin starts enrolment: a new seed, kept in memory until Confirm.
func (s *Service) Begin(ctx context.Context) (Enrolment, error) {
	_, enabled, _, _, _, err := s.state(ctx)
	if err != nil {
		return Enrolment{}, err
	}
	if enabled {
		return Enrolment{}, apperr.New(apperr.CodeConflict, "Two-factor authentication is already on.",
			"To move it to another authenticator app, turn it off with a code and set it up again.")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: s.acct, Period: period, Digits: digits,
		Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return Enrolment{}, fmt.Errorf("generate TOTP seed: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("QR code: %w", err)
	}
	now := s.clk.Now()
	s.mu.Lock()
	s.pending = &pendingEnrolment{secret: key.Secret(), expires: now.Add(enrolmentTTL)}
	s.mu.Unlock()
	s.log.Info("two-factor enrolment started")
	return Enrolment{
		Secret:        key.Secret(),
		QRCodeDataURL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
		Issuer:        s.issuer,
		AccountName:   s.acct,
		Digits:        digits.Length(),
		PeriodSeconds: period,
		ExpiresAt:     now.Add(enrolmentTTL),
	}, nil
}

// Confirm completes enrolment with a code from the authenticator app: the
// seed goes to the keychain, recovery code hashes to the database, and the
// recovery codes are returned (once).
func (s *Service) Confirm(ctx context.Context, code string) (Confirmation, error) {
	now := s.clk.Now()
	s.mu.Lock()
	p := s.pending
	s.mu.Unlock()
	if p == nil || !now.Before(p.expires) {
		return Confirmation{}, apperr.Invalid("The set-up of two-factor authentication has expired.",
			"Start again: click Set up two-factor authentication and scan the new QR code.")
	}
	if err := s.checkPause(now); err != nil {
		return Confirmation{}, err
	}
	step, ok := matchTOTP(p.secret, normalizeDigits(code), 0, now)
	if !ok {
		s.fail(now)
		return Confirmation{}, apperr.Validation(map[string]string{"code": "That code is not right. Enter the 6-digit code your authenticator app shows now."})
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return Confirmation{}, err
	}
	if err := s.sec.Set(ctx, SeedKey, p.secret); err != nil {
		return Confirmation{}, err
	}
	err = s.st.WithTx(ctx, func(tx *store.Tx) error { return tx.EnableTwoFactor(ctx, now, step, hashes) })
	if err != nil {
		if derr := s.sec.Delete(context.WithoutCancel(ctx), SeedKey); derr != nil {
			s.log.Warn("two-factor seed left in keychain after failed enrolment", "err", derr)
		}
		return Confirmation{}, err
	}
	s.mu.Lock()
	s.pending = nil
	s.verifiedAt, s.lastActivity = now, now
	s.failures = 0
	s.mu.Unlock()
	s.log.Info("two-factor authentication enabled")
	st, err := s.Status(ctx)
	if err != nil {
		return Confirmation{}, err
	}
	s.changed(ctx)
	return Confirmation{RecoveryCodes: codes, Status: st}, nil
}

// Unlock accepts a TOTP code or an unused recovery code and unlocks the
// session.
func (s *Service) Unlock(ctx context.Context, code string) (Status, error) {
	if err := s.verify(ctx, code); err != nil {
		return Status{}, err
	}
	s.log.Info("two-factor code accepted")
	st, err := s.Status(ctx)
	if err == nil {
		s.changed(ctx)
	}
	return st, err
}

// Disable turns protection off after checking a code. It is refused while
// a connection to XPM exists.
func (s *Service) Disable(ctx context.Context, code string) (Status, error) {
	_, enabled, connected, _, _, err := s.state(ctx)
	if err != nil {
		return Status{}, err
	}
	if !enabled {
		return s.Status(ctx)
	}
	if connected {
		return Status{}, apperr.New(apperr.CodeConflict, "Two-factor authentication protects your Xero connection, so it cannot be turned off while Structura is connected.",
			"Disconnect from Xero first (Settings → XPM connection); your local data is kept.")
	}
	if err := s.verify(ctx, code); err != nil {
		return Status{}, err
	}
	if err := s.st.WithTx(ctx, func(tx *store.Tx) error { return tx.DisableTwoFactor(ctx) }); err != nil {
		return Status{}, err
	}
	if err := s.sec.Delete(ctx, SeedKey); err != nil {
		// Protection is off; an orphaned seed is harmless but reported.
		s.log.Warn("two-factor seed could not be removed from the keychain", "err", err)
	}
	s.mu.Lock()
	s.verifiedAt = time.Time{}
	s.mu.Unlock()
	s.log.Info("two-factor authentication disabled")
	st, err := s.Status(ctx)
	if err == nil {
		s.changed(ctx)
	}
	return st, err
}

// SetIdleLockHours changes how long the app may stay idle before a write to
// XPM asks for a code.
func (s *Service) SetIdleLockHours(ctx context.Context, hours int) (Status, error) {
	if hours < 1 || hours > MaxIdleLockHours {
		return Status{}, apperr.Validation(map[string]string{"idleLockHours": fmt.Sprintf("Choose between 1 and %d hours.", MaxIdleLockHours)})
	}
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SetSetting(ctx, settingIdleHours, strconv.Itoa(hours), s.clk.Now())
	})
	if err != nil {
		return Status{}, err
	}
	st, err := s.Status(ctx)
	if err == nil {
		s.changed(ctx)
	}
	return st, err
}

// Touch records activity (a call to XPM made by the user), which keeps an
// unlocked session from going idle.
func (s *Service) Touch() {
	now := s.clk.Now()
	s.mu.Lock()
	if !s.verifiedAt.IsZero() {
		s.lastActivity = now
	}
	s.mu.Unlock()
}

// Lock locks the session now (as when the app opens).
func (s *Service) Lock(ctx context.Context) {
	s.mu.Lock()
	s.verifiedAt = time.Time{}
	s.mu.Unlock()
	s.changed(ctx)
}

// Access says what an XPM operation is, for Require.
type Access int

const (
	// Read is a read from XPM: needs the session unlocked since the app
	// opened.
	Read Access = iota
	// Write is a write to XPM: also asks again after IdleLockHours idle.
	Write
	// Connect is connecting to Xero: needs protection on and a code entered
	// within IdleLockHours.
	Connect
)

// Require returns nil if the operation may go ahead, or a practitioner-facing
// error: MsgNotEnabled (Connect without protection) or MsgLocked (a code is
// needed; the UI shows the lock screen and calls Unlock).
func (s *Service) Require(ctx context.Context, a Access) error {
	st, err := s.Status(ctx)
	if err != nil {
		return err
	}
	switch {
	case a == Connect && !st.Enabled:
		return apperr.New(apperr.CodeAuth, MsgNotEnabled,
			"Xero requires apps that reach Xero Practice Manager to be protected by two-factor authentication. Set it up in Settings → Security (it takes a minute with any authenticator app), then connect.")
	case a == Connect && st.CodeNeededToConnect,
		a == Read && st.Locked,
		a == Write && (st.Locked || st.IdleExpired):
		return apperr.New(apperr.CodeAuth, MsgLocked,
			"Open your authenticator app and enter the 6-digit code for Structura, or use one of your recovery codes.")
	}
	return nil
}

// verify checks a TOTP or recovery code and unlocks the session.
func (s *Service) verify(ctx context.Context, code string) error {
	now := s.clk.Now()
	if err := s.checkPause(now); err != nil {
		return err
	}
	row, enabled, _, _, _, err := s.state(ctx)
	if err != nil {
		return err
	}
	if !enabled {
		return apperr.New(apperr.CodeConflict, "Two-factor authentication is not on.", "Set it up in Settings → Security.")
	}
	ok := false
	if d := normalizeDigits(code); len(d) == digits.Length() {
		seed, err := s.sec.Get(ctx, SeedKey)
		if errors.Is(err, secrets.ErrNotFound) {
			return apperr.Wrap(err, apperr.CodeKeychain, "Structura cannot find its two-factor key in the system keychain.",
				"Use one of your recovery codes instead. After unlocking, turn two-factor authentication off and on again to set up a new key.")
		}
		if err != nil {
			return err
		}
		if step, match := matchTOTP(seed, d, row.LastStep, now); match {
			if err := s.st.WithTx(ctx, func(tx *store.Tx) error { return tx.SetTwoFactorLastStep(ctx, step) }); err != nil {
				return err
			}
			ok = true
		}
	} else if rc := normalizeRecovery(code); rc != "" {
		used, err := s.useRecoveryCode(ctx, rc, now)
		if err != nil {
			return err
		}
		ok = used
	}
	if !ok {
		s.fail(now)
		return apperr.Validation(map[string]string{"code": "That code is not right. Enter the 6-digit code your authenticator app shows now, or an unused recovery code."})
	}
	s.mu.Lock()
	s.verifiedAt, s.lastActivity = now, now
	s.failures = 0
	s.mu.Unlock()
	return nil
}

func (s *Service) useRecoveryCode(ctx context.Context, code string, now time.Time) (bool, error) {
	var codes []store.RecoveryCode
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		codes, err = tx.RecoveryCodes(ctx)
		return err
	}); err != nil {
		return false, err
	}
	for _, c := range codes {
		if !c.UsedAt.IsZero() || !checkRecoveryHash(c.Hash, code) {
			continue
		}
		var used bool
		err := s.st.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			used, err = tx.UseRecoveryCode(ctx, c.ID, now)
			return err
		})
		if used {
			s.log.Info("recovery code used")
		}
		return used, err
	}
	return false, nil
}

func (s *Service) checkPause(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.pausedUntil) {
		wait := s.pausedUntil.Sub(now).Round(time.Second)
		return apperr.New(apperr.CodeAuth, "Too many incorrect codes.",
			fmt.Sprintf("Wait %s and try again, with the code your authenticator app shows at that moment.", wait))
	}
	return nil
}

func (s *Service) fail(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	if s.failures >= maxFailures {
		s.failures = 0
		s.pausedUntil = now.Add(failurePause)
	}
}

// matchTOTP checks code against the codes of the time steps around now,
// newer than lastStep (a code is accepted once), and returns the step that
// matched.
func matchTOTP(secret, code string, lastStep int64, now time.Time) (int64, bool) {
	if len(code) != digits.Length() {
		return 0, false
	}
	cur := now.Unix() / period
	matched, found := int64(0), false
	for k := int64(-skewSteps); k <= skewSteps; k++ {
		step := cur + k
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0).UTC(),
			totp.ValidateOpts{Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep && !found {
			matched, found = step, true
		}
	}
	return matched, found
}

func normalizeDigits(code string) string {
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return ""
		}
	}
	return b.String()
}

// randomBytes is crypto/rand.Read, replaceable in tests of failures.
var randomBytes = func(b []byte) error { _, err := rand.Read(b); return err }

// Notify emits the current Status (after something outside this package
// changed it, such as connecting or disconnecting).
func (s *Service) Notify(ctx context.Context) { s.changed(context.WithoutCancel(ctx)) }

// Reset turns protection off without a code, which is allowed only while no
// connection exists (then it protects nothing): the way out when both the
// authenticator app and the recovery codes are lost. Disconnecting needs no
// code, because it only removes access.
func (s *Service) Reset(ctx context.Context) (Status, error) {
	_, enabled, connected, _, _, err := s.state(ctx)
	if err != nil {
		return Status{}, err
	}
	if connected {
		return Status{}, apperr.New(apperr.CodeConflict, "Two-factor authentication cannot be reset while Structura is connected to Xero.",
			"Disconnect first (no code is needed; your local data and links are kept), then reset it and set it up again.")
	}
	if enabled {
		if err := s.st.WithTx(ctx, func(tx *store.Tx) error { return tx.DisableTwoFactor(ctx) }); err != nil {
			return Status{}, err
		}
		if err := s.sec.Delete(ctx, SeedKey); err != nil {
			s.log.Warn("two-factor seed could not be removed from the keychain", "err", err)
		}
		s.log.Info("two-factor authentication reset without a code (no connection)")
	}
	s.mu.Lock()
	s.verifiedAt, s.pending = time.Time{}, nil
	s.mu.Unlock()
	st, err := s.Status(ctx)
	if err == nil {
		s.changed(ctx)
	}
	return st, err
}
