package sandbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// RunCLI runs `structura sandbox`: it starts a sandbox on a loopback
// address, prints the URLs and client id to use, and serves until ctx is
// done. With --save it writes the practices' data on the way out.
//
//	structura sandbox [--addr 127.0.0.1:8748] [--data demo|empty|generated:N[:M]]
//	                  [--clients N --groups M] [--faults FILE] [--limits on|off|scale:X]
//	                  [--seed N] [--load FILE] [--save FILE] [--verbose]
func RunCLI(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8748", "loopback address to listen on (port 0 picks a free one)")
	data := fs.String("data", "demo", "initial data: demo, empty, generated:N or generated:N:M")
	clients := fs.Int("clients", 0, "generate this many clients (same as --data generated:N)")
	groups := fs.Int("groups", -1, "with --clients: number of groups (default clients/5)")
	faults := fs.String("faults", "", "JSON file of fault rules (see docs/sandbox.md)")
	limits := fs.String("limits", "on", "rate limits: on (Xero's), off, or scale:X")
	seed := fs.Int64("seed", 1, "seed for generated data and faults")
	load := fs.String("load", "", "load practices from a JSON file saved with --save")
	save := fs.String("save", "", "save practices to this JSON file on exit")
	verbose := fs.Bool("verbose", false, "log every request to stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sandbox: unexpected argument %q", fs.Arg(0))
	}
	if *clients > 0 {
		*data = fmt.Sprintf("generated:%d", *clients)
		if *groups >= 0 {
			*data += fmt.Sprintf(":%d", *groups)
		}
	} else if *groups >= 0 {
		return errors.New("sandbox: --groups needs --clients")
	}
	lim, err := ParseLimits(*limits)
	if err != nil {
		return err
	}
	opts := Options{Data: *data, Limits: lim, Seed: *seed}
	if *faults != "" {
		if opts.Faults, err = LoadFaultFile(*faults); err != nil {
			return err
		}
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := New(opts)
	if err != nil {
		return err
	}
	if *load != "" {
		if err := s.LoadFile(*load); err != nil {
			return err
		}
	}
	if err := s.Start(*addr); err != nil {
		return err
	}
	defer s.Close()
	in := s.info(s.URL())
	w := &errWriter{w: stdout}
	w.printf("Structura XPM sandbox (a local stand-in for Xero) is running.\n\n")
	w.printf("  Identity (authorise):  %s\n", in.AuthorizeURL)
	w.printf("  Identity (token):      %s\n", in.TokenURL)
	w.printf("  Identity (revocation): %s\n", in.RevocationURL)
	w.printf("  Connections:           %s\n", in.ConnectionsURL)
	w.printf("  XPM API base:          %s\n", in.APIBaseURL)
	w.printf("  Client id:             %s (public app: PKCE S256, no secret)\n", in.ClientID)
	w.printf("  Redirect URIs:         %s\n", strings.Join(in.RedirectURIs, ", "))
	w.printf("  Scopes:                %s\n", in.Scopes)
	w.printf("  Control API (tests):   %s%s\n", s.URL(), AdminPrefix)
	w.printf("\n  Tenants:\n")
	for _, t := range in.Tenants {
		w.printf("    %-12s %s  %s\n", t.Type, t.ID, t.Name)
	}
	w.printf("\n  Users on the consent page:\n")
	for _, u := range s.Users() {
		w.printf("    %-36s %s (%s)\n", u.Email, u.Name(), u.Scenario)
	}
	w.printf("\nPress Ctrl+C to stop.\n")
	if w.err != nil {
		return w.err
	}
	<-ctx.Done()
	if *save != "" {
		if err := s.SaveFile(*save); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Saved the sandbox data to %s\n", *save)
	}
	return nil
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
