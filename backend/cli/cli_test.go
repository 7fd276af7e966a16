package cli

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		args []string
		want Command
		err  bool
	}{
		{nil, Command{Name: "gui"}, false},
		{[]string{"--data-dir", "/tmp/x"}, Command{Name: "gui", DataDir: "/tmp/x"}, false},
		{[]string{"--data-dir=/tmp/y"}, Command{Name: "gui", DataDir: "/tmp/y"}, false},
		{[]string{"version"}, Command{Name: "version"}, false},
		{[]string{"--help"}, Command{Name: "help"}, false},
		{[]string{"sandbox", "--addr", "127.0.0.1:0"}, Command{Name: "sandbox", Args: []string{"--addr", "127.0.0.1:0"}}, false},
		{[]string{"--data-dir"}, Command{}, true},
		{[]string{"frobnicate"}, Command{}, true},
	}
	for _, c := range cases {
		got, err := Parse(c.args)
		if c.err {
			if !errors.Is(err, ErrUsage) {
				t.Errorf("%v: want usage error, got %v", c.args, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: got %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}
