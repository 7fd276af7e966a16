// Package cli parses Structura's command line. With no command the desktop
// window opens; other commands run headless.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Command is what the user asked for.
type Command struct {
	Name    string   // "gui", "version", "help", "sandbox"
	DataDir string   // --data-dir (gui)
	Args    []string // the rest, for commands with their own flags
}

// Usage is printed by `structura --help`.
const Usage = `Structura keeps your clients' entity structures (groups, entities and
relationships) on this computer and syncs them with Xero Practice Manager.

Usage:
  structura [--data-dir DIR]   open the Structura window
  structura version            print the version
  structura sandbox [flags]    run the built-in XPM sandbox on its own
                               (see: structura sandbox --help)
  structura help               show this help

Options:
  --data-dir DIR   keep data in DIR instead of your user data folder
                   (the STRUCTURA_DATA_DIR environment variable does the same)
`

// ErrUsage marks a command line that could not be understood.
var ErrUsage = errors.New("usage")

// Parse reads os.Args[1:].
func Parse(args []string) (Command, error) {
	c := Command{Name: "gui"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "version" || a == "--version" || a == "-v":
			return Command{Name: "version"}, nil
		case a == "help" || a == "--help" || a == "-h" || a == "-help":
			return Command{Name: "help"}, nil
		case a == "sandbox":
			return Command{Name: "sandbox", Args: args[i+1:]}, nil
		case a == "--data-dir" || a == "-data-dir":
			if i+1 >= len(args) || args[i+1] == "" {
				return c, fmt.Errorf("%w: --data-dir needs a folder", ErrUsage)
			}
			c.DataDir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data-dir="):
			c.DataDir = strings.TrimPrefix(a, "--data-dir=")
			if c.DataDir == "" {
				return c, fmt.Errorf("%w: --data-dir needs a folder", ErrUsage)
			}
		default:
			return c, fmt.Errorf("%w: unknown command or option %q", ErrUsage, a)
		}
	}
	return c, nil
}

// PrintUsageError writes err and a pointer to --help.
func PrintUsageError(w io.Writer, err error) {
	fmt.Fprintf(w, "structura: %v\nRun 'structura --help' to see what it can do.\n", strings.TrimPrefix(err.Error(), "usage: "))
}
