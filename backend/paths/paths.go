// Package paths resolves where Structura keeps its data on this computer.
package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// EnvDataDir overrides the data directory when --data-dir is not given.
const EnvDataDir = "STRUCTURA_DATA_DIR"

// AppDirName is the folder created under the OS's per-user data directory.
const AppDirName = "Structura"

// Layout names the files inside the data directory.
type Layout struct {
	Dir      string // the data directory itself
	Database string // SQLite file
	LogDir   string // rotating log files
	Backups  string // copies taken before migrations
}

// Resolve picks the data directory: the flag value if set, else
// $STRUCTURA_DATA_DIR, else the OS's standard per-user data directory
// (%LOCALAPPDATA%\Structura on Windows, ~/Library/Application Support/Structura
// on macOS, $XDG_DATA_HOME/Structura or ~/.local/share/Structura elsewhere).
// The directory is created if missing.
func Resolve(flagValue string) (Layout, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(EnvDataDir)
	}
	if dir == "" {
		base, err := userDataDir()
		if err != nil {
			return Layout{}, err
		}
		dir = filepath.Join(base, AppDirName)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Layout{}, fmt.Errorf("data directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return Layout{}, fmt.Errorf("create data directory %q: %w", abs, err)
	}
	return For(abs), nil
}

// For returns the layout of an existing data directory.
func For(dir string) Layout {
	return Layout{
		Dir:      dir,
		Database: filepath.Join(dir, "structura.db"),
		LogDir:   filepath.Join(dir, "logs"),
		Backups:  filepath.Join(dir, "backups"),
	}
}

func userDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return d, nil
		}
		return os.UserConfigDir()
	case "darwin":
		return os.UserConfigDir() // ~/Library/Application Support
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return d, nil
		}
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return "", errors.Join(errors.New("cannot find your home folder; start Structura with --data-dir"), err)
		}
		return filepath.Join(home, ".local", "share"), nil
	}
}
