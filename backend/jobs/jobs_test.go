package jobs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/store"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

type env struct {
	st  *store.Store
	clk *clock.Fake
	rec *events.Recorder
	r   *Runner
}

func newEnv(t *testing.T, path string, clk *clock.Fake) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "s.db")
	}
	if clk == nil {
		clk = clock.NewManualFake(t0)
	}
	st := openStore(t, path)
	rec := &events.Recorder{}
	e := &env{st: st, clk: clk, rec: rec, r: New(st, clk, rec, nil)}
	t.Cleanup(func() {
		e.r.Close(time.Second)
		st.Close()
	})
	return e
}

func (e *env) progress(id int64) []Info {
	var out []Info
	for _, ev := range e.rec.Named(EventProgress) {
		if in := ev.Data.(Info); in.ID == id {
			out = append(out, in)
		}
	}
	return out
}

type countSummary struct {
	Done     int  `json:"done"`
	Canceled bool `json:"canceled"`
}

type countCheckpoint struct {
	Next int `json:"next"`
}

// counter is a kind that counts to N, one step per value sent on step, and
// saves a checkpoint after each.
type counter struct {
	mu      sync.Mutex
	step    chan struct{}
	started chan *Run
	stepped chan int // receives the count after each step is reported and saved
	n       int
}

func newCounter(n int) *counter {
	return &counter{step: make(chan struct{}), started: make(chan *Run, 4), stepped: make(chan int, 100), n: n}
}

func (c *counter) kind(name string, auto bool) Kind {
	return Kind{Name: name, AutoResume: auto, Run: func(ctx context.Context, run *Run) (any, error) {
		var cp countCheckpoint
		if _, err := run.DecodeCheckpoint(&cp); err != nil {
			return nil, err
		}
		c.started <- run
		for i := cp.Next; i < c.n; i++ {
			select {
			case <-ctx.Done():
				return countSummary{Done: i, Canceled: true}, ctx.Err()
			case <-c.step:
			}
			run.Report(Progress{Stage: "count", Done: i + 1, Total: c.n, Message: "counting"})
			if err := run.SaveCheckpoint(ctx, countCheckpoint{Next: i + 1}); err != nil {
				return nil, err
			}
			c.stepped <- i + 1
		}
		return countSummary{Done: c.n}, nil
	}}
}

func TestRunToCompletionWithThrottledEvents(t *testing.T) {
	e := newEnv(t, "", nil)
	c := newCounter(5)
	e.r.Register(c.kind("count", false))
	ctx := context.Background()
	info, err := e.r.Submit(ctx, "count", "Count to five", map[string]int{"n": 5})
	if err != nil {
		t.Fatal(err)
	}
	if info.State != StateRunning || info.Title != "Count to five" || info.ID == 0 {
		t.Fatalf("submitted: %+v", info)
	}
	run := <-c.started
	var params map[string]int
	if err := run.DecodeParams(&params); err != nil || params["n"] != 5 || run.Resumed {
		t.Fatalf("params %v %v resumed %v", params, err, run.Resumed)
	}
	// Steps 1 and 2 at the same instant: the first of a stage is sent, the
	// second is held back (less than 100 ms later).
	step := func() {
		c.step <- struct{}{}
		<-c.stepped
	}
	step()
	step()
	e.clk.Advance(150 * time.Millisecond)
	step() // sent: 150 ms later
	step() // held back
	e.clk.Advance(10 * time.Millisecond)
	step() // last unit: always sent
	done, err := e.r.Wait(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != StateSucceeded || done.Done != 5 || done.Total != 5 || done.FinishedAt == nil {
		t.Fatalf("done: %+v", done)
	}
	var sum countSummary
	b, _ := json.Marshal(done.Summary)
	if json.Unmarshal(b, &sum); sum.Done != 5 {
		t.Fatalf("summary %s", b)
	}
	var dones []int
	evs := e.progress(info.ID)
	for _, ev := range evs {
		dones = append(dones, ev.Done)
	}
	// submit (0), step 1 (new stage), step 3, step 5, final (5)
	want := []int{0, 1, 3, 5, 5}
	if len(dones) != len(want) {
		t.Fatalf("events at %v, want %v", dones, want)
	}
	for i := range want {
		if dones[i] != want[i] {
			t.Fatalf("events at %v, want %v", dones, want)
		}
	}
	last := evs[len(evs)-1]
	if !last.Final || last.State != StateSucceeded || last.Summary == nil {
		t.Fatalf("final event %+v", last)
	}
	for _, ev := range evs[:len(evs)-1] {
		if ev.Final {
			t.Fatalf("non-final event marked final: %+v", ev)
		}
	}
}

func TestETAFromPace(t *testing.T) {
	e := newEnv(t, "", nil)
	c := newCounter(4)
	e.r.Register(c.kind("count", false))
	info, _ := e.r.Submit(context.Background(), "count", "", nil)
	<-c.started
	e.clk.Advance(2 * time.Second)
	c.step <- struct{}{}
	<-c.stepped
	got, _ := e.r.Get(context.Background(), info.ID)
	if got.ETASeconds != 6 { // 2 s per unit, 3 left
		t.Fatalf("ETA %d s, want 6", got.ETASeconds)
	}
	e.r.Cancel(context.Background(), info.ID)
	e.r.Wait(context.Background(), info.ID)
}

func TestCancelIsNotAFailure(t *testing.T) {
	e := newEnv(t, "", nil)
	c := newCounter(10)
	e.r.Register(c.kind("count", false))
	ctx := context.Background()
	info, _ := e.r.Submit(ctx, "count", "", nil)
	<-c.started
	c.step <- struct{}{}
	c.step <- struct{}{}
	ci, err := e.r.Cancel(ctx, info.ID)
	if err != nil || !ci.Canceling {
		t.Fatalf("cancel: %+v %v", ci, err)
	}
	done, _ := e.r.Wait(ctx, info.ID)
	if done.State != StateCanceled || done.Error != nil || done.Resumable {
		t.Fatalf("after cancel: %+v", done)
	}
	b, _ := json.Marshal(done.Summary)
	var sum countSummary
	json.Unmarshal(b, &sum)
	if sum.Done != 2 || !sum.Canceled {
		t.Fatalf("summary %s", b)
	}
	// Cancelling again is harmless.
	if again, err := e.r.Cancel(ctx, info.ID); err != nil || again.State != StateCanceled {
		t.Fatalf("second cancel: %+v %v", again, err)
	}
	evs := e.progress(info.ID)
	if last := evs[len(evs)-1]; !last.Final || last.State != StateCanceled {
		t.Fatalf("last event %+v", last)
	}
}

func TestFailureCarriesPractitionerError(t *testing.T) {
	e := newEnv(t, "", nil)
	e.r.Register(Kind{Name: "boom", Run: func(ctx context.Context, run *Run) (any, error) {
		return map[string]int{"done": 1}, apperr.New(apperr.CodeUnavailable, "Structura could not reach Xero Practice Manager.", "Check your internet connection.")
	}})
	e.r.Register(Kind{Name: "panic", Run: func(ctx context.Context, run *Run) (any, error) {
		panic("bug")
	}})
	ctx := context.Background()
	info, _ := e.r.Submit(ctx, "boom", "", nil)
	done, _ := e.r.Wait(ctx, info.ID)
	if done.State != StateFailed || done.Error == nil || done.Error.Code != apperr.CodeUnavailable ||
		done.Error.Hint != "Check your internet connection." || !done.Resumable || done.Summary == nil {
		t.Fatalf("failed job: %+v", done)
	}
	info, _ = e.r.Submit(ctx, "panic", "", nil)
	done, _ = e.r.Wait(ctx, info.ID)
	if done.State != StateFailed || done.Error == nil || done.Error.Code != apperr.CodeInternal {
		t.Fatalf("panicking job: %+v", done)
	}
	if _, err := e.r.Submit(ctx, "nope", "", nil); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

func TestExclusiveKindRunsOnce(t *testing.T) {
	e := newEnv(t, "", nil)
	c := newCounter(1)
	k := c.kind("refresh", false)
	k.Exclusive = true
	e.r.Register(k)
	ctx := context.Background()
	a, _ := e.r.Submit(ctx, "refresh", "", nil)
	<-c.started
	b, _ := e.r.Submit(ctx, "refresh", "", nil)
	if a.ID != b.ID {
		t.Fatalf("second submit started job %d while %d runs", b.ID, a.ID)
	}
	if act, ok := e.r.Active("refresh"); !ok || act.ID != a.ID {
		t.Fatalf("active %+v %v", act, ok)
	}
	c.step <- struct{}{}
	e.r.Wait(ctx, a.ID)
	if _, ok := e.r.Active("refresh"); ok {
		t.Fatal("still active")
	}
	list, err := e.r.List(ctx, 0)
	if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].State != StateSucceeded {
		t.Fatalf("list %+v %v", list, err)
	}
}

// A graceful shutdown leaves the job paused and interrupted; the next start
// resumes it from its checkpoint.
func TestShutdownThenAutoResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	clk := clock.NewManualFake(t0)
	ctx := context.Background()

	st := openStore(t, path)
	r := New(st, clk, nil, nil)
	c := newCounter(5)
	r.Register(c.kind("count", true))
	info, _ := r.Submit(ctx, "count", "Count", nil)
	<-c.started
	c.step <- struct{}{}
	c.step <- struct{}{}
	if err := r.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	var j store.Job
	st.View(ctx, func(tx *store.Tx) error { j, _ = tx.Job(ctx, info.ID); return nil })
	st.Close()
	if j.State != StatePaused {
		t.Fatalf("after shutdown: state %s", j.State)
	}

	e := newEnv(t, path, clk)
	c2 := newCounter(5)
	e.r.Register(c2.kind("count", true))
	resumed, err := e.r.Start(ctx)
	if err != nil || len(resumed) != 1 || resumed[0].ID != info.ID {
		t.Fatalf("resumed %+v %v", resumed, err)
	}
	run := <-c2.started
	var cp countCheckpoint
	if ok, _ := run.DecodeCheckpoint(&cp); !ok || cp.Next != 2 || !run.Resumed {
		t.Fatalf("resumed run: checkpoint %+v resumed %v", cp, run.Resumed)
	}
	for i := 2; i < 5; i++ {
		c2.step <- struct{}{}
	}
	done, _ := e.r.Wait(ctx, info.ID)
	if done.State != StateSucceeded || done.Done != 5 || done.Title != "Count" {
		t.Fatalf("done %+v", done)
	}
}

// A crash leaves the row "running": the next start marks it interrupted;
// a kind without AutoResume waits for Resume; Cancel discards it.
func TestCrashRecovery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	clk := clock.NewManualFake(t0)
	ctx := context.Background()
	st := openStore(t, path)
	var ids []int64
	st.WithTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 2; i++ {
			id, err := tx.InsertJob(ctx, "count", "{}", t0)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if err := tx.UpdateJob(ctx, id, StateRunning, `{"title":"Count","done":3,"total":5,"checkpoint":{"next":3},"runs":1}`, "", t0); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()

	e := newEnv(t, path, clk)
	c := newCounter(5)
	e.r.Register(c.kind("count", false))
	resumed, err := e.r.Start(ctx)
	if err != nil || len(resumed) != 0 {
		t.Fatalf("resumed %+v %v", resumed, err)
	}
	for _, id := range ids {
		got, _ := e.r.Get(ctx, id)
		if got.State != StatePaused || !got.Interrupted || !got.Resumable || got.Done != 3 {
			t.Fatalf("after crash: %+v", got)
		}
	}
	info, err := e.r.Resume(ctx, ids[0])
	if err != nil || info.State != StateRunning {
		t.Fatalf("resume %+v %v", info, err)
	}
	run := <-c.started
	var cp countCheckpoint
	if ok, _ := run.DecodeCheckpoint(&cp); !ok || cp.Next != 3 {
		t.Fatalf("checkpoint %+v", cp)
	}
	c.step <- struct{}{}
	c.step <- struct{}{}
	if done, _ := e.r.Wait(ctx, ids[0]); done.State != StateSucceeded || done.Done != 5 {
		t.Fatalf("resumed job %+v", done)
	}
	got, err := e.r.Cancel(ctx, ids[1])
	if err != nil || got.State != StateCanceled || got.Resumable {
		t.Fatalf("cancel paused: %+v %v", got, err)
	}
	if _, err := e.r.Resume(ctx, ids[1]); err == nil {
		t.Fatal("a canceled job resumed")
	}
	list, _ := e.r.List(ctx, 10)
	if len(list) != 2 {
		t.Fatalf("list %+v", list)
	}
}

func TestCanceledContextErrorWithoutCancelCallIsCanceled(t *testing.T) {
	e := newEnv(t, "", nil)
	e.r.Register(Kind{Name: "ctx", Run: func(ctx context.Context, run *Run) (any, error) {
		return nil, context.Canceled
	}})
	info, _ := e.r.Submit(context.Background(), "ctx", "", nil)
	done, _ := e.r.Wait(context.Background(), info.ID)
	if done.State != StateCanceled || done.Error != nil {
		t.Fatalf("%+v", done)
	}
}
