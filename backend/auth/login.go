package auth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/apperr"
	"structura/backend/clock"
)

// Seed-guide wording of the sign-in failures (docs/connection.md).
const (
	MsgDenied = "Authorization was denied"
	MsgFailed = "Failed to complete connection"
)

// CallbackPath is the path of the redirect URI.
const CallbackPath = "/callback"

// RedirectURI is the redirect URI for a callback port. It says "localhost"
// (what Xero's documentation and app registration use, and what the sandbox
// registers); the listener binds the loopback addresses themselves, never
// all interfaces (docs/adr/0011).
func RedirectURI(port int) string {
	return "http://localhost:" + strconv.Itoa(port) + CallbackPath
}

// LoginOptions configures StartLogin.
type LoginOptions struct {
	// Client is the Xero app; its RedirectURL must be RedirectURI(Port).
	Client Client
	// Port is the loopback port of the redirect URI.
	Port int
	// States issues and checks the state; share one between attempts.
	States *StateBook
	// Attempt names this sign-in in the StateBook.
	Attempt string
	Clock   clock.Clock
	Logger  *slog.Logger
	// OnRejected is told about answers refused while waiting (a state from
	// another tab, a reused or expired one). The attempt keeps waiting for
	// its own answer.
	OnRejected func(*StateError)
}

// Login is one sign-in in the system browser: a loopback listener waiting
// for Xero's redirect, a single-use state and a PKCE verifier.
type Login struct {
	opts     LoginOptions
	cfg      *oauth2.Config
	state    string
	verifier string
	srv      *http.Server
	lns      []net.Listener
	results  chan callback
	closed   sync.Once
}

type callback struct {
	code string
	err  error
}

// Result is a successful sign-in.
type Result struct {
	Token    Token
	Identity Identity
}

// StartLogin binds the loopback listener and prepares the authorisation URL.
// A port already in use is a practitioner-facing error naming the port and
// the setting.
func StartLogin(opts LoginOptions) (*Login, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.States == nil {
		opts.States = NewStateBook(opts.Clock)
	}
	lns, err := listenLoopback(opts.Port)
	if err != nil {
		return nil, err
	}
	state, err := opts.States.Issue(opts.Attempt)
	if err != nil {
		closeAll(lns)
		return nil, err
	}
	l := &Login{opts: opts, cfg: opts.Client.OAuthConfig(), state: state, verifier: oauth2.GenerateVerifier(),
		results: make(chan callback, 1), lns: lns}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+CallbackPath, l.handleCallback)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go func() {
			if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				opts.Logger.Warn("sign-in listener stopped", "err", err)
			}
		}()
	}
	return l, nil
}

// AuthURL is the page to open in the browser.
func (l *Login) AuthURL() string {
	return l.cfg.AuthCodeURL(l.state, oauth2.S256ChallengeOption(l.verifier))
}

// Wait waits for the browser's answer and exchanges the code for tokens.
func (l *Login) Wait(ctx context.Context) (*Result, error) {
	var cb callback
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case cb = <-l.results:
	}
	if cb.err != nil {
		return nil, cb.err
	}
	ot, err := l.cfg.Exchange(l.opts.Client.withHTTP(ctx), cb.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		return nil, ExchangeError(err)
	}
	tok := fromOAuth(ot, l.opts.Clock.Now(), nil)
	if tok.RefreshToken == "" {
		return nil, apperr.New(apperr.CodeAuth, MsgFailed+": Xero did not give Structura a refresh token.",
			"Check that your Xero app allows the offline_access scope, then click Connect again.")
	}
	res := &Result{Token: tok}
	if idt, ok := ot.Extra("id_token").(string); ok && idt != "" {
		if id, err := ParseIDToken(idt); err == nil {
			res.Identity = id
		} else {
			l.opts.Logger.Warn("could not read the id token", "err", err)
		}
	}
	return res, nil
}

// Close stops the listener and retires the state.
func (l *Login) Close() {
	l.closed.Do(func() {
		l.opts.States.Retire(l.opts.Attempt)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(ctx)
		closeAll(l.lns) // Serve may not have taken them over yet
	})
}

// ExchangeError turns a failed token request into "Failed to complete
// connection" with its cause and what to try.
func ExchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch {
		case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
			return apperr.Wrap(err, apperr.CodeAuth, MsgFailed+": Xero did not accept Structura's client id"+orSecret(re.ErrorCode)+".",
				"Check the client id (and, for a web-type Xero app, the client secret) in Settings → XPM connection against your app at developer.xero.com, then click Connect again.")
		case re.ErrorCode != "":
			desc := re.ErrorDescription
			if desc == "" {
				desc = re.ErrorCode
			}
			return apperr.Wrap(err, apperr.CodeAuth, MsgFailed+": Xero refused the sign-in ("+desc+").",
				"Click Connect again and finish the sign-in within 10 minutes. If it keeps failing, check that the redirect URI registered on your Xero app matches the one shown in Settings → XPM connection.")
		case status >= 500:
			return apperr.Wrap(err, apperr.CodeUnavailable, fmt.Sprintf("%s: Xero's sign-in service had a problem (HTTP %d).", MsgFailed, status),
				"Nothing was changed. Wait a few minutes and click Connect again; check status.xero.com if it persists.")
		default:
			return apperr.Wrap(err, apperr.CodeAuth, fmt.Sprintf("%s: Xero's sign-in service answered with an error (HTTP %d).", MsgFailed, status),
				"Click Connect again. If it keeps failing, send the log file to support.")
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return apperr.Wrap(err, apperr.CodeUnavailable, MsgFailed+": Structura could not reach Xero's sign-in service.",
		"Check your internet connection (and any proxy or firewall), then click Connect again.")
}

func orSecret(code string) string {
	if code == "invalid_client" {
		return " or secret"
	}
	return ""
}

func (l *Login) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	attempt, serr := l.opts.States.Consume(q.Get("state"))
	var se *StateError
	if errors.As(serr, &se) {
		if attempt == l.opts.Attempt && se.Problem != StateReused {
			// This attempt's own state, but too late: the attempt fails.
			l.deliver(callback{err: se.AppError()})
		} else if l.opts.OnRejected != nil {
			l.opts.OnRejected(se)
		}
		l.opts.Logger.Warn("sign-in answer refused", "problem", se.Error())
		page(w, http.StatusBadRequest, MsgSecurity, se.Explanation(), false)
		return
	}
	if attempt != l.opts.Attempt {
		// Issued by the book for another live attempt: cannot happen with
		// one listener per port, but never hand its code to this one.
		se := &StateError{Problem: StateSuperseded}
		page(w, http.StatusBadRequest, MsgSecurity, se.Explanation(), false)
		return
	}
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_description")
		var err error
		if e == "access_denied" {
			err = apperr.New(apperr.CodeAuth, MsgDenied,
				"Xero's page was cancelled, or access was refused, so Structura is not connected. Click Connect to try again, and choose Allow access on Xero's page.")
			page(w, http.StatusOK, MsgDenied, "Structura was not given access to Xero. You can close this tab and return to Structura.", false)
		} else {
			cause := e
			if desc != "" {
				cause = desc + " (" + e + ")"
			}
			err = apperr.Wrap(fmt.Errorf("authorize: %s", e), apperr.CodeAuth, MsgFailed+": Xero answered "+cause+".",
				"Check the client id and the redirect URI of your Xero app in Settings → XPM connection, then click Connect again.")
			page(w, http.StatusBadRequest, MsgFailed, "Xero answered: "+cause+". Return to Structura for what to try.", false)
		}
		l.deliver(callback{err: err})
		return
	}
	code := q.Get("code")
	if code == "" {
		err := apperr.New(apperr.CodeAuth, MsgFailed+": Xero's answer had no authorisation code.", "Click Connect again.")
		page(w, http.StatusBadRequest, MsgFailed, "Xero's answer had no authorisation code. Return to Structura and click Connect again.", false)
		l.deliver(callback{err: err})
		return
	}
	page(w, http.StatusOK, "You can close this tab and return to Structura",
		"Structura received Xero's answer and is finishing the connection.", true)
	l.deliver(callback{code: code})
}

func (l *Login) deliver(cb callback) {
	select {
	case l.results <- cb:
	default: // an answer is already waiting
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} – Structura</title>
<style>body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f6f8;color:#1f2a37}
main{max-width:520px;margin:72px auto;padding:32px;background:#fff;border:1px solid #dfe3e8;border-radius:10px}
h1{font-size:22px;margin:0 0 10px}.ok h1{color:#1a7f37}.bad h1{color:#b42318}p{margin:0;color:#4b5563}</style></head>
<body><main class="{{if .OK}}ok{{else}}bad{{end}}"><h1>{{.Title}}</h1><p>{{.Detail}}</p></main></body></html>`))

func page(w http.ResponseWriter, status int, title, detail string, ok bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, map[string]any{"Title": title, "Detail": detail, "OK": ok})
}

// PortInUseError says the callback port is taken.
type PortInUseError struct {
	Port int
	Err  error
}

func (e *PortInUseError) Error() string { return fmt.Sprintf("port %d in use: %v", e.Port, e.Err) }
func (e *PortInUseError) Unwrap() error { return e.Err }

// AppError is the practitioner-facing error.
func (e *PortInUseError) AppError() *apperr.Error {
	return apperr.Wrap(e, apperr.CodeConflict,
		fmt.Sprintf("Structura cannot receive Xero's answer: port %d on this computer is already in use.", e.Port),
		fmt.Sprintf("Close the program that uses port %d (perhaps another sign-in that is still open) and try again, or choose another callback port in Settings → XPM connection. With your own Xero app, register the matching redirect URI there too.", e.Port))
}

func listenLoopback(port int) ([]net.Listener, error) {
	ln4, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) || isAddrInUse(err) {
			return nil, (&PortInUseError{Port: port, Err: err}).AppError()
		}
		return nil, apperr.Wrap(err, apperr.CodeInternal,
			fmt.Sprintf("Structura could not listen on port %d for Xero's answer.", port),
			"Choose another callback port in Settings → XPM connection, or check your firewall settings.")
	}
	lns := []net.Listener{ln4}
	if port != 0 {
		// Browsers may resolve localhost to ::1 first; listen there too when
		// the system has IPv6 loopback (best effort).
		if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port))); err == nil {
			lns = append(lns, ln6)
		}
	}
	return lns, nil
}

func isAddrInUse(err error) bool {
	// Windows reports WSAEADDRINUSE, which syscall.EADDRINUSE does not match.
	return strings.Contains(err.Error(), "address already in use") ||
		strings.Contains(err.Error(), "Only one usage of each socket address")
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}
