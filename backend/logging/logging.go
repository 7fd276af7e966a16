// Package logging sets up Structura's structured logs: JSON lines to a
// size-capped rotating file in the data directory (and text to stderr in
// development), behind a handler that redacts anything that looks like a
// secret, whoever logged it.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
)

// Options configure New.
type Options struct {
	Dir      string // log folder; "" = no file
	MaxBytes int64  // per file; default 5 MiB
	Keep     int    // rotated copies kept; default 3
	Stderr   bool   // also write human-readable lines to stderr
	Level    slog.Level
}

// Logger is the configured logger and what must be closed at exit.
type Logger struct {
	*slog.Logger
	file *RotatingFile
}

// New builds the application logger.
func New(o Options) (*Logger, error) {
	if o.MaxBytes == 0 {
		o.MaxBytes = 5 << 20
	}
	if o.Keep == 0 {
		o.Keep = 3
	}
	var handlers []slog.Handler
	var file *RotatingFile
	if o.Dir != "" {
		f, err := OpenRotating(o.Dir, "structura.log", o.MaxBytes, o.Keep)
		if err != nil {
			return nil, err
		}
		file = f
		handlers = append(handlers, slog.NewJSONHandler(f, &slog.HandlerOptions{Level: o.Level}))
	}
	if o.Stderr {
		handlers = append(handlers, slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: o.Level}))
	}
	var h slog.Handler
	switch len(handlers) {
	case 0:
		h = slog.NewTextHandler(io.Discard, nil)
	case 1:
		h = handlers[0]
	default:
		h = slog.NewMultiHandler(handlers...)
	}
	return &Logger{Logger: slog.New(Redact(h)), file: file}, nil
}

// FilePath is the current log file, or "" when logging only to stderr.
func (l *Logger) FilePath() string {
	if l.file == nil {
		return ""
	}
	return l.file.Path()
}

// Close flushes and closes the log file.
func (l *Logger) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// Redacted is what replaces a secret in the logs.
const Redacted = "[REDACTED]"

var (
	secretKey = regexp.MustCompile(`(?i)(token|secret|password|passcode|authorization|cookie|verifier|seed|tfn|otp|totp|recovery|code_challenge|^code$)`)
	// Bearer values, JWTs and long opaque strings inside free text.
	secretValue = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*|((?:access_token|refresh_token|id_token|client_secret|code_verifier|code)=)[^&\s"]+`)
)

// Redact wraps h so that attributes whose key names a secret are replaced by
// [REDACTED], and bearer tokens, JWTs and token-bearing query strings inside
// any string value or message are masked.
func Redact(h slog.Handler) slog.Handler { return redactor{h} }

type redactor struct{ next slog.Handler }

func (r redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r redactor) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return redactor{r.next.WithAttrs(red)}
}

func (r redactor) WithGroup(name string) slog.Handler { return redactor{r.next.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	if secretKey.MatchString(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, x := range g {
			red[i] = redactAttr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, scrub(err.Error()))
		}
		return slog.String(a.Key, scrub(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func scrub(s string) string {
	if !strings.ContainsAny(s, "=. ") {
		return s
	}
	return secretValue.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretValue.FindStringSubmatch(m)
		switch {
		case sub[1] != "":
			return sub[1] + Redacted
		case sub[2] != "":
			return sub[2] + Redacted
		default:
			return Redacted
		}
	})
}
