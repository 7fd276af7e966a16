package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/clock"
	"structura/backend/secrets"
)

// RefreshEarly is how long before expiry an access token is refreshed, so a
// call never leaves with a token that expires on the way.
const RefreshEarly = 2 * time.Minute

// refreshTimeout bounds one refresh when the caller gives no context
// (oauth2.TokenSource.Token has none).
const refreshTimeout = time.Minute

// ReconnectNeededError says Xero refused the refresh token (OAuth
// invalid_grant: revoked, expired after 60 days unused, or replaced and past
// its grace period). Only connecting again helps. It unwraps to the
// *oauth2.RetrieveError, so backend/xpm sees an invalid grant too.
type ReconnectNeededError struct {
	Err error
}

func (e *ReconnectNeededError) Error() string {
	return "Xero refused the refresh token (invalid_grant): connect again: " + e.Err.Error()
}

func (e *ReconnectNeededError) Unwrap() error { return e.Err }

// IsInvalidGrant reports whether err is an OAuth invalid_grant answer.
func IsInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

// TokenSource supplies access tokens of one connection (oauth2.TokenSource,
// for backend/xpm). It
//   - refreshes RefreshEarly before expiry, on the injected clock;
//   - lets one refresh run at a time (callers wait on a mutex, then reuse the
//     fresh token);
//   - saves every rotated refresh token to the keychain before the new
//     access token is handed out;
//   - if that save fails, refreshes once more with the previous refresh
//     token (Xero honours it for 30 minutes after rotation) and saves again;
//     if the keychain still fails, returns the keychain error and keeps the
//     newest tokens in memory marked unsaved, so the next call saves them
//     before use;
//   - on invalid_grant calls OnReconnectNeeded once and from then on fails
//     at once with *ReconnectNeededError, without calling Xero.
type TokenSource struct {
	client Client
	sec    secrets.Store
	key    string
	clk    clock.Clock
	log    *slog.Logger
	// onDead is called once, outside the lock, when the grant is refused.
	onDead func(error)

	mu      sync.Mutex
	tok     *Token
	unsaved bool
	dead    error
	stats   TokenStats
}

// TokenStats counts what a token source did (for tests and diagnostics).
type TokenStats struct {
	Refreshes     int // refresh requests sent
	SaveFailures  int // keychain writes that failed
	GraceRetries  int // refreshes repeated with the previous token after a failed save
	InvalidGrants int
}

// TokenSourceConfig configures NewTokenSource.
type TokenSourceConfig struct {
	Client  Client
	Secrets secrets.Store
	// Key is the connection's keychain item (TokenKey(tenantID)).
	Key    string
	Clock  clock.Clock
	Logger *slog.Logger
	// Initial, if set, is the token just saved by the caller (no keychain
	// read needed).
	Initial *Token
	// OnReconnectNeeded is called once when Xero refuses the refresh token.
	OnReconnectNeeded func(error)
}

// NewTokenSource returns a token source for one connection.
func NewTokenSource(cfg TokenSourceConfig) *TokenSource {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ts := &TokenSource{client: cfg.Client, sec: cfg.Secrets, key: cfg.Key, clk: cfg.Clock, log: cfg.Logger, onDead: cfg.OnReconnectNeeded}
	if cfg.Initial != nil {
		t := *cfg.Initial
		ts.tok = &t
	}
	return ts
}

// Token returns a valid access token (oauth2.TokenSource).
func (s *TokenSource) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	return s.TokenContext(ctx)
}

// TokenContext returns a valid access token, refreshing it if needed.
func (s *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	t, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return t.OAuth2(), nil
}

// Scopes returns the scopes of the current token ("" if none is loaded).
func (s *TokenSource) Scopes(ctx context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		if t, err := LoadToken(ctx, s.sec, s.key); err == nil {
			s.tok = &t
		}
	}
	if s.tok == nil {
		return ""
	}
	return s.tok.Scopes
}

// InvalidateToken implements xpm.TokenInvalidator: XPM refused accessToken
// with a 401 before its expiry, so the next Token call refreshes. A token
// that another caller has already replaced is left alone, so concurrent
// refusals cause one refresh, not several.
func (s *TokenSource) InvalidateToken(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken == accessToken {
		s.tok.Expiry = time.Time{}
	}
}

// Stats returns the counters.
func (s *TokenSource) Stats() TokenStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *TokenSource) current(ctx context.Context) (Token, error) {
	var dead error
	t, err := func() (Token, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.dead != nil {
			return Token{}, s.dead
		}
		if s.tok == nil {
			t, err := LoadToken(ctx, s.sec, s.key)
			if errors.Is(err, secrets.ErrNotFound) {
				return Token{}, &ReconnectNeededError{Err: fmt.Errorf("no saved sign-in in the keychain: %w", err)}
			}
			if err != nil {
				return Token{}, err
			}
			s.tok = &t
		}
		now := s.clk.Now()
		if s.tok.AccessToken != "" && now.Before(s.tok.Expiry.Add(-RefreshEarly)) {
			if s.unsaved {
				if err := s.save(ctx, *s.tok); err != nil {
					return Token{}, err
				}
			}
			return *s.tok, nil
		}
		t, err := s.refreshLocked(ctx)
		if err != nil && s.dead != nil {
			dead = s.dead
		}
		return t, err
	}()
	if dead != nil && s.onDead != nil {
		s.onDead(dead)
	}
	return t, err
}

// refreshLocked refreshes and saves; s.mu is held.
func (s *TokenSource) refreshLocked(ctx context.Context) (Token, error) {
	old := *s.tok
	fresh, err := s.refresh(ctx, old)
	if err != nil {
		return Token{}, err
	}
	if err := s.save(ctx, fresh); err == nil {
		return fresh, nil
	} else {
		s.stats.SaveFailures++
		s.log.Warn("could not save the rotated Xero refresh token; refreshing again with the previous one", "err", err)
	}
	// The previous refresh token stays valid for Xero's grace period: get a
	// new pair with it and save that.
	s.stats.GraceRetries++
	fresh2, err := s.refresh(ctx, old)
	if err != nil {
		// Keep the first new pair: it is valid, only unsaved.
		s.tok, s.unsaved = &fresh, true
		return Token{}, err
	}
	if err := s.save(ctx, fresh2); err != nil {
		s.stats.SaveFailures++
		s.tok, s.unsaved = &fresh2, true
		return Token{}, err
	}
	return fresh2, nil
}

// refresh asks Xero for a new token pair; s.mu is held.
func (s *TokenSource) refresh(ctx context.Context, old Token) (Token, error) {
	s.stats.Refreshes++
	src := s.client.OAuthConfig().TokenSource(s.client.withHTTP(ctx), &oauth2.Token{RefreshToken: old.RefreshToken})
	ot, err := src.Token()
	if err != nil {
		if IsInvalidGrant(err) {
			s.stats.InvalidGrants++
			s.dead = &ReconnectNeededError{Err: err}
			s.log.Warn("Xero refused the refresh token: reconnect needed")
			return Token{}, s.dead
		}
		return Token{}, fmt.Errorf("refresh Xero access token: %w", err)
	}
	return fromOAuth(ot, s.clk.Now(), &old), nil
}

// save writes t to the keychain and makes it current; s.mu is held.
func (s *TokenSource) save(ctx context.Context, t Token) error {
	if err := SaveToken(ctx, s.sec, s.key, t); err != nil {
		return err
	}
	s.tok, s.unsaved = &t, false
	return nil
}
