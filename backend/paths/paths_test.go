package paths

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestResolvePrecedence(t *testing.T) {
	flagDir := filepath.Join(t.TempDir(), "flag")
	envDir := filepath.Join(t.TempDir(), "env")
	t.Setenv(EnvDataDir, envDir)

	l, err := Resolve(flagDir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != flagDir || l.Database != filepath.Join(flagDir, "structura.db") {
		t.Fatalf("flag should win: %+v", l)
	}
	if _, err := os.Stat(flagDir); err != nil {
		t.Fatalf("dir not created: %v", err)
	}

	l, err = Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != envDir {
		t.Fatalf("env should be used without a flag: %+v", l)
	}
}

func TestResolveOSDefault(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG rule is Linux's")
	}
	t.Setenv(EnvDataDir, "")
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	l, err := Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != filepath.Join(xdg, AppDirName) {
		t.Fatalf("got %s", l.Dir)
	}
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", home)
	l, err = Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != filepath.Join(home, ".local", "share", AppDirName) {
		t.Fatalf("got %s", l.Dir)
	}
}
