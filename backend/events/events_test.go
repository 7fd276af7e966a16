package events

import "testing"

func TestBusDropsUntilAttachedThenForwards(t *testing.T) {
	var b Bus
	b.Emit("early", 1) // no sink: dropped, no panic
	var got []string
	b.Attach(func(name string, data any) { got = append(got, name) })
	b.Emit(StructureChanged, nil)
	b.Attach(nil)
	b.Emit("late", nil)
	if len(got) != 1 || got[0] != StructureChanged {
		t.Fatalf("got %v", got)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	r.Emit("a", 1)
	r.Emit("b", 2)
	r.Emit("a", 3)
	if n := len(r.Named("a")); n != 2 {
		t.Fatalf("named a: %d", n)
	}
}
