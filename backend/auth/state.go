package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
)

// StateTTL is how long a sign-in's state is accepted.
const StateTTL = 10 * time.Minute

// MsgSecurity is the seed guides' wording for a state check failure.
const MsgSecurity = "Security validation failed"

// StateProblem says why a state was refused.
type StateProblem int

// Why a state was refused.
const (
	StateMissing    StateProblem = iota + 1 // the answer had no state
	StateUnknown                            // not issued by this app (or forgotten after a restart)
	StateSuperseded                         // from an earlier sign-in (another tab): a newer one was started
	StateExpired                            // older than StateTTL
	StateReused                             // already used once
)

// StateError is a refused state. Its practitioner-facing form (Public) says
// "Security validation failed" and why.
type StateError struct {
	Problem StateProblem
}

func (e *StateError) Error() string {
	names := map[StateProblem]string{StateMissing: "missing", StateUnknown: "unknown", StateSuperseded: "from an earlier sign-in",
		StateExpired: "expired", StateReused: "already used"}
	return fmt.Sprintf("OAuth state %s", names[e.Problem])
}

// Explanation says in plain words what happened and what to do.
func (e *StateError) Explanation() string {
	switch e.Problem {
	case StateSuperseded:
		return "This sign-in page belongs to an earlier attempt to connect (perhaps in another browser tab or window), and a newer attempt has started since. Only the newest one can finish. Close this tab and use the newest sign-in page, or click Connect again in Structura."
	case StateExpired:
		return fmt.Sprintf("This sign-in page was opened more than %d minutes ago, so it has expired. Close this tab and click Connect again in Structura.", int(StateTTL/time.Minute))
	case StateReused:
		return "This sign-in answer has already been used (the page was probably reloaded or opened twice). Return to Structura; if it is not connected, click Connect again."
	case StateMissing:
		return "Xero's answer did not carry the security code Structura sent, so it cannot be trusted. Close this tab and click Connect again in Structura."
	}
	return "This sign-in answer was not started by this copy of Structura (or Structura was restarted since). If you did not click Connect just now, close this tab. Otherwise click Connect again in Structura."
}

// AppError is the practitioner-facing error.
func (e *StateError) AppError() *apperr.Error {
	return apperr.Wrap(e, apperr.CodeAuth, MsgSecurity+": "+firstSentence(e.Explanation()), e.Explanation())
}

func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' {
			return s[:i+1]
		}
	}
	return s
}

// StateBook issues OAuth states and checks them: single use, valid for
// StateTTL, and only for the newest sign-in. States are compared in
// constant time. One book serves every attempt of the app, so an answer
// from an older attempt's tab is recognised as such.
type StateBook struct {
	clk clock.Clock

	mu      sync.Mutex
	entries []*stateEntry
}

type stateEntry struct {
	state   []byte
	attempt string
	issued  time.Time
	used    bool
	current bool
}

// NewStateBook returns an empty book.
func NewStateBook(clk clock.Clock) *StateBook {
	if clk == nil {
		clk = clock.Real{}
	}
	return &StateBook{clk: clk}
}

// Issue returns a new random state for attempt and makes every earlier
// state superseded.
func (b *StateBook) Issue(attempt string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	st := base64.RawURLEncoding.EncodeToString(raw)
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.entries[:0]
	for _, e := range b.entries {
		e.current = false
		if now.Sub(e.issued) < 24*time.Hour { // remember old states for a day, to explain them
			kept = append(kept, e)
		}
	}
	b.entries = append(kept, &stateEntry{state: []byte(st), attempt: attempt, issued: now, current: true})
	return st, nil
}

// Consume checks state and marks it used. It returns the attempt it was
// issued for, or a *StateError.
func (b *StateBook) Consume(state string) (string, error) {
	if state == "" {
		return "", &StateError{Problem: StateMissing}
	}
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var found *stateEntry
	for _, e := range b.entries {
		if subtle.ConstantTimeCompare(e.state, []byte(state)) == 1 {
			found = e
		}
	}
	switch {
	case found == nil:
		return "", &StateError{Problem: StateUnknown}
	case found.used:
		return found.attempt, &StateError{Problem: StateReused}
	}
	found.used = true
	switch {
	case !now.Before(found.issued.Add(StateTTL)):
		return found.attempt, &StateError{Problem: StateExpired}
	case !found.current:
		return found.attempt, &StateError{Problem: StateSuperseded}
	}
	return found.attempt, nil
}

// Retire makes an attempt's state unusable (the attempt ended) without
// forgetting it.
func (b *StateBook) Retire(attempt string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if e.attempt == attempt {
			e.current = false
		}
	}
}
