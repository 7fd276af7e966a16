// Package events carries backend notifications (data changed, job progress,
// connection state) to the UI. Services emit on a Bus; the app attaches the
// Wails runtime to it once the window exists. Events emitted before that are
// dropped: a view that opens later loads fresh data anyway.
package events

import "sync"

// Names of the events the frontend listens to (frontend/src/bridge/api.ts).
const (
	StructureChanged = "structure:changed"
)

// Emitter is what services need.
type Emitter interface {
	Emit(name string, data any)
}

// Bus forwards events to the attached sink.
type Bus struct {
	mu   sync.RWMutex
	sink func(name string, data any)
}

// Attach sets where events go (nil detaches).
func (b *Bus) Attach(sink func(name string, data any)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sink = sink
}

// Emit sends an event to the sink, if any.
func (b *Bus) Emit(name string, data any) {
	b.mu.RLock()
	sink := b.sink
	b.mu.RUnlock()
	if sink != nil {
		sink(name, data)
	}
}

// Recorder is an Emitter for tests that keeps every event.
type Recorder struct {
	mu     sync.Mutex
	Events []Event
}

// Event is one recorded event.
type Event struct {
	Name string
	Data any
}

// Emit records the event.
func (r *Recorder) Emit(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Events = append(r.Events, Event{name, data})
}

// Named returns the recorded events with the given name.
func (r *Recorder) Named(name string) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.Events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}
