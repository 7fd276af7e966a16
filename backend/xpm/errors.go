package xpm

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors returned by the client. Every failure of an operation is one of the
// types below (possibly wrapped), so callers can use errors.As; UserError
// turns any of them into a practitioner-facing *apperr.Error.
//
// Descriptions sent by XPM (ErrorInfo.Description) can quote client data:
// they are kept for the screen and never written to logs.

// ErrorInfo describes the XPM answer behind an error.
type ErrorInfo struct {
	// Op is the operation, e.g. "client.api/add".
	Op string
	// StatusCode is the HTTP status (0 when no answer was read).
	StatusCode int
	// Status is the status field of the XPM body, if any.
	Status string
	// Description is XPM's errorDescription, if any.
	Description string
	// CorrelationID is Xero's Xero-Correlation-Id header, for support.
	CorrelationID string
}

// suffix is the answer's status for Error strings. The description is left
// out: it can quote client data and Error strings end up in logs.
func (i ErrorInfo) suffix() string {
	var b strings.Builder
	if i.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d", i.StatusCode)
		if i.Status != "" {
			fmt.Fprintf(&b, ", status %s", truncate(i.Status, 20))
		}
		if i.CorrelationID != "" {
			fmt.Fprintf(&b, ", correlation %s", truncate(i.CorrelationID, 64))
		}
		b.WriteString(")")
	}
	return b.String()
}

// UnauthorizedReason says why a call was not authenticated.
type UnauthorizedReason int

const (
	// TokenRejected: XPM refused the access token (invalid or expired).
	TokenRejected UnauthorizedReason = iota + 1
	// GrantInvalid: the refresh token was refused by Xero identity
	// (OAuth invalid_grant): the user must connect again.
	GrantInvalid
	// TokenUnavailable: the token source failed for another reason.
	TokenUnavailable
)

func (r UnauthorizedReason) String() string {
	switch r {
	case TokenRejected:
		return "access token rejected"
	case GrantInvalid:
		return "sign-in expired or revoked (invalid_grant)"
	case TokenUnavailable:
		return "no access token"
	}
	return "unauthorised"
}

// UnauthorizedError is a 401 from XPM or a token source failure.
type UnauthorizedError struct {
	ErrorInfo
	Reason UnauthorizedReason
	// OAuthError is the OAuth error code (invalid_grant, invalid_token…) when known.
	OAuthError string
	Err        error
}

func (e *UnauthorizedError) Error() string {
	return fmt.Sprintf("xpm %s: unauthorised, %s%s", e.Op, e.Reason, e.suffix()) + causeSuffix(e.Err)
}

func (e *UnauthorizedError) Unwrap() error { return e.Err }

// ForbiddenError is a 403: a missing scope, or a tenant the token does not
// grant.
type ForbiddenError struct {
	ErrorInfo
	// MissingScope is the scope named by the answer (WWW-Authenticate), if any.
	MissingScope string
	// RequiredScopes lists the scopes the spec accepts for the operation
	// (any one of them suffices).
	RequiredScopes []string
}

func (e *ForbiddenError) Error() string {
	s := fmt.Sprintf("xpm %s: forbidden%s", e.Op, e.suffix())
	if e.MissingScope != "" {
		s += "; missing scope " + e.MissingScope
	}
	return s
}

// NotFoundError is a 404: the record does not exist (any more).
type NotFoundError struct {
	ErrorInfo
	// Resource is the kind of record: "client", "group", "relationship",
	// "connection".
	Resource string
	// ID is the uuid that was asked for.
	ID string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("xpm %s: %s %s not found%s", e.Op, e.Resource, e.ID, e.suffix())
}

// ConflictError is a 409 from XPM, or an update refused before it was sent
// because the record changed in XPM since the caller read it.
type ConflictError struct {
	ErrorInfo
	// ID is the record's uuid.
	ID string
	// Fields lists the request fields that changed in XPM since the caller's
	// read (client-side check only).
	Fields []string
}

func (e *ConflictError) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("xpm %s: %s changed in XPM since it was read (fields %s)", e.Op, e.ID, strings.Join(e.Fields, ", "))
	}
	return fmt.Sprintf("xpm %s: conflict%s", e.Op, e.suffix())
}

// BadRequestError is a 400 or another 4xx that XPM uses to refuse a request,
// or a 2xx whose status field is not OK.
type BadRequestError struct {
	ErrorInfo
}

func (e *BadRequestError) Error() string {
	return fmt.Sprintf("xpm %s: request refused%s", e.Op, e.suffix())
}

// RateLimitError is a 429 for the minute, concurrency or app-wide limit that
// persisted after the client waited and retried.
type RateLimitError struct {
	ErrorInfo
	// Problem is X-Rate-Limit-Problem: minute, concurrent, appminute.
	Problem string
	// RetryAfter is the server's Retry-After.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("xpm %s: rate limited (%s), retry after %s", e.Op, orDash(e.Problem), e.RetryAfter)
}

// DayLimitError says the tenant's daily call budget is spent. No call is
// made until ResumeAt.
type DayLimitError struct {
	ErrorInfo
	// ResumeAt is when calls may resume.
	ResumeAt time.Time
	// Estimated is true when ResumeAt is the client's estimate (from its own
	// count of calls) rather than the server's Retry-After.
	Estimated bool
}

func (e *DayLimitError) Error() string {
	return fmt.Sprintf("xpm %s: daily call limit reached; work can resume at %s", e.Op, e.ResumeAt.UTC().Format(time.RFC3339))
}

// ServerError is a 5xx that persisted after retries (or, for a create, that
// could not be resolved; see UncertainWriteError).
type ServerError struct {
	ErrorInfo
	retryAfter time.Duration
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("xpm %s: server error%s", e.Op, e.suffix())
}

// MalformedResponseError is an answer the client cannot use: not JSON, the
// wrong shape, a record without its uuid, or larger than the configured cap.
type MalformedResponseError struct {
	ErrorInfo
	// Reason says what was wrong, without quoting data.
	Reason string
	// TooLarge is set when the answer exceeded Config.MaxResponseBytes.
	TooLarge bool
	Err      error

	retryable bool // broken JSON: a read may be tried again
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("xpm %s: malformed response: %s", e.Op, e.Reason) + causeSuffix(e.Err)
}

func (e *MalformedResponseError) Unwrap() error { return e.Err }

// TransportError is a network failure: no answer, or an answer cut short.
type TransportError struct {
	Op string
	// Sent is false when the request certainly never reached the server
	// (the connection could not be made).
	Sent bool
	Err  error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("xpm %s: network error: %v", e.Op, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// UncertainWriteError says a create failed ambiguously (the request may have
// been applied) and the client could not find out whether it was: it did not
// retry, so nothing was duplicated. Read the practice again before retrying.
type UncertainWriteError struct {
	Op string
	// Err is the ambiguous failure.
	Err error
	// CheckErr is why the check failed, if it did.
	CheckErr error
	// Candidates lists uuids of records that match the write, when more than
	// one does.
	Candidates []string
}

func (e *UncertainWriteError) Error() string {
	s := fmt.Sprintf("xpm %s: the write may or may not have been applied: %v", e.Op, e.Err)
	if e.CheckErr != nil {
		s += fmt.Sprintf("; checking failed: %v", e.CheckErr)
	}
	if len(e.Candidates) > 0 {
		s += fmt.Sprintf("; %d matching records", len(e.Candidates))
	}
	return s
}

func (e *UncertainWriteError) Unwrap() error { return e.Err }

func causeSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errorKind names the type of err for request logs.
func errorKind(err error) string {
	if err == nil {
		return ""
	}
	var (
		u  *UnauthorizedError
		f  *ForbiddenError
		n  *NotFoundError
		c  *ConflictError
		b  *BadRequestError
		r  *RateLimitError
		d  *DayLimitError
		s  *ServerError
		m  *MalformedResponseError
		t  *TransportError
		uw *UncertainWriteError
	)
	switch {
	case errors.As(err, &uw):
		return "uncertain_write"
	case errors.As(err, &u):
		return "unauthorized"
	case errors.As(err, &f):
		return "forbidden"
	case errors.As(err, &n):
		return "not_found"
	case errors.As(err, &c):
		return "conflict"
	case errors.As(err, &b):
		return "bad_request"
	case errors.As(err, &r):
		return "rate_limited"
	case errors.As(err, &d):
		return "day_limit"
	case errors.As(err, &s):
		return "server_error"
	case errors.As(err, &m):
		return "malformed"
	case errors.As(err, &t):
		return "network"
	}
	return "other"
}
