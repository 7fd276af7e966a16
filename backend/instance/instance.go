// Package instance makes sure only one Structura process uses a data
// directory at a time, so the SQLite file has exactly one writer.
package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrLocked means another Structura process holds the data directory.
var ErrLocked = errors.New("another Structura window is already using this data folder")

// Lock is held until Release.
type Lock struct {
	f *os.File
}

// Acquire takes the lock file in dir without waiting.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, "structura.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return &Lock{f: f}, nil
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}
