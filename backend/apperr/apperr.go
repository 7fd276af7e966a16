// Package apperr is the one error convention from Go to the screen.
//
// Services return *Error values (or wrap lower-level errors in them) with a
// stable Code, a Message a practitioner understands, and a Hint saying what
// to do next. Validation errors also carry per-field messages so the UI can
// show them inline. Raw Go error text never reaches the screen: ForUI turns
// any error into a JSON payload (the Wails bridge only carries strings) and
// replaces anything that is not an *Error with a generic message, logging
// the cause.
package apperr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
)

// Code is a stable, machine-readable error category shared with the frontend
// (frontend/src/bridge/errors.ts mirrors this list).
type Code string

// Codes used across the backend.
const (
	CodeValidation  Code = "validation"   // input refused; Fields says where
	CodeNotFound    Code = "not_found"    // the record is gone (deleted elsewhere?)
	CodeConflict    Code = "conflict"     // would break a uniqueness or 1:1 rule
	CodeKeychain    Code = "keychain"     // the OS keychain did not answer or refused
	CodeStorage     Code = "storage"      // the local database failed
	CodeCanceled    Code = "canceled"     // the user cancelled; not a failure
	CodeUnavailable Code = "unavailable"  // a remote service cannot be reached
	CodeAuth        Code = "auth"         // sign-in needed or refused
	CodeRateLimited Code = "rate_limited" // an API limit was reached
	CodeInternal    Code = "internal"     // a bug: the message is generic
)

// UIPrefix marks an error string produced by ForUI so the frontend bridge can
// tell it from anything else that might reject a promise.
const UIPrefix = "STRUCTURA_ERROR:"

// Error is a practitioner-facing error.
type Error struct {
	Code    Code              `json:"code"`
	Message string            `json:"message"`
	Hint    string            `json:"hint,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Err is the underlying cause. It is logged, never shown.
	Err error `json:"-"`
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same code, so errors.Is(err,
// &Error{Code: CodeNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// New returns an error with a message and a hint.
func New(code Code, message, hint string) *Error {
	return &Error{Code: code, Message: message, Hint: hint}
}

// Wrap attaches a practitioner-facing message to a cause.
func Wrap(err error, code Code, message, hint string) *Error {
	return &Error{Code: code, Message: message, Hint: hint, Err: err}
}

// Validation returns an input error with per-field messages. The summary
// message names the first problem so it reads well on its own.
func Validation(fields map[string]string) *Error {
	msg := "Please correct the highlighted fields."
	if len(fields) == 1 {
		for _, m := range fields {
			msg = m
		}
	}
	return &Error{Code: CodeValidation, Message: msg, Fields: fields}
}

// Invalid returns a validation error that is not tied to one field.
func Invalid(message, hint string) *Error {
	return &Error{Code: CodeValidation, Message: message, Hint: hint}
}

// NotFound says that a record of the named kind no longer exists.
func NotFound(what string) *Error {
	return &Error{
		Code:    CodeNotFound,
		Message: fmt.Sprintf("This %s no longer exists.", what),
		Hint:    "It may have been deleted in another window. Refresh the list and try again.",
	}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, CodeCanceled for context cancellation and
// CodeInternal for anything else.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return CodeCanceled
	}
	return CodeInternal
}

// Public returns the practitioner-facing form of err: the *Error in its chain
// (without the cause), a cancellation, or a generic internal error.
func Public(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := As(err); ok {
		return &Error{Code: e.Code, Message: e.Message, Hint: e.Hint, Fields: e.Fields}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Code: CodeCanceled, Message: "Cancelled."}
	}
	return &Error{
		Code:    CodeInternal,
		Message: "Something went wrong inside Structura.",
		Hint:    "Your data is safe. Try again; if it keeps happening, send the log file (Settings → Open log folder) to support.",
	}
}

// uiError is what crosses the Wails bridge.
type uiError struct{ payload string }

func (u uiError) Error() string { return u.payload }

// ForUI converts err into the error returned by a bound method. The string
// it carries is UIPrefix followed by the JSON of Public(err). Errors that are
// not already practitioner-facing are logged with their cause.
func ForUI(log *slog.Logger, op string, err error) error {
	if err == nil {
		return nil
	}
	pub := Public(err)
	if log != nil {
		switch {
		case pub.Code == CodeCanceled:
		case pub.Code == CodeValidation:
			log.Info("input refused", "op", op, "message", pub.Message)
		default:
			log.Error("operation failed", "op", op, "code", string(pub.Code), "err", err.Error())
		}
	}
	b, _ := json.Marshal(pub)
	return uiError{payload: UIPrefix + string(b)}
}
