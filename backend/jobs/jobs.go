// Package jobs runs long work (discovering XPM groups, linking many groups,
// pulling) in the background so that the window never waits on it.
//
// Every job is a row of the job table (kind, params, state, progress JSON):
// it survives a restart. A job runs in its own goroutine with a cancellable
// context, reports progress that the runner forwards to the UI as
// "job:progress" events (at most every MinInterval, default 100 ms, plus
// one final event with the summary), and can save a checkpoint: the part of
// its progress it needs to carry on where it stopped.
//
// Cancel is not a failure: the job ends in state "canceled" with a summary
// of what it did. When the app closes (or crashes) while a job runs, the job
// is left "paused" and marked interrupted; on the next start the runner
// re-invokes the kind's Run with the saved checkpoint if the kind asks for
// it (Kind.AutoResume), or keeps it for the user to Resume.
//
// A kind registers one function:
//
//	runner.Register(jobs.Kind{Name: "xpm.link-groups", AutoResume: true,
//		Run: func(ctx context.Context, run *jobs.Run) (summary any, err error) { … }})
//
// Run must return soon after ctx is done, with the summary of what it did.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/store"
)

// EventProgress is the event every progress report and every state change
// of a job is sent on. Its payload is an Info.
const EventProgress = "job:progress"

// Job states (the job table's).
const (
	StateQueued    = store.JobQueued
	StateRunning   = store.JobRunning
	StatePaused    = store.JobPaused
	StateSucceeded = store.JobSucceeded
	StateFailed    = store.JobFailed
	StateCanceled  = store.JobCanceled
)

// DefaultMinInterval is the shortest time between two progress events of
// one job.
const DefaultMinInterval = 100 * time.Millisecond

// maxAutoResumes bounds how often a job that keeps being interrupted (a
// crash it causes itself?) is resumed without the user asking.
const maxAutoResumes = 3

var (
	errCanceled = errors.New("jobs: canceled by the user")
	errShutdown = errors.New("jobs: the app is closing")
)

// Kind is one sort of job.
type Kind struct {
	// Name identifies the kind in the job table ("xpm.link-groups").
	Name string
	// Run does the work. It must return soon after ctx is done, with a
	// summary of what it did (marshalled to JSON; kept with the job and sent
	// in the final event). On a resumed job, run.Checkpoint holds the last
	// checkpoint it saved.
	Run func(ctx context.Context, run *Run) (summary any, err error)
	// AutoResume re-runs an interrupted job of this kind when the runner
	// starts; otherwise it waits for Resume.
	AutoResume bool
	// Exclusive allows one active job of this kind at a time: Submit then
	// returns the active job instead of starting another.
	Exclusive bool
}

// Progress is what a job reports while it runs.
type Progress struct {
	// Stage is a short machine-readable step name ("groups", "verify").
	Stage string
	// Done and Total count units of work (Total 0 = unknown).
	Done, Total int
	// Message is one line for the practitioner.
	Message string
	// ETA is the job's own estimate of the time left; 0 lets the runner
	// estimate it from the pace so far.
	ETA time.Duration
	// CallsLeftToday is how many XPM calls the practice may still make
	// today (nil when the job makes none).
	CallsLeftToday *int
}

// Info describes a job for the UI: it is the payload of every
// "job:progress" event and what List and Get return.
type Info struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	State   string `json:"state"`
	Stage   string `json:"stage"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Message string `json:"message"`
	// ETASeconds is the estimated time left, -1 when unknown.
	ETASeconds int `json:"etaSeconds"`
	// CallsLeftToday is how many XPM calls the practice may still make
	// today, when the job makes XPM calls.
	CallsLeftToday *int `json:"callsLeftToday,omitempty"`
	// Canceling is set once Cancel was asked while the job still runs.
	Canceling bool `json:"canceling"`
	// Interrupted is set on a paused job that was stopped by the app
	// closing; Resume carries on from its checkpoint.
	Interrupted bool `json:"interrupted"`
	// Resumable says Resume may be called.
	Resumable bool `json:"resumable"`
	// Final is set on the last event of a run (state succeeded, failed,
	// canceled, or paused by an app shutdown).
	Final bool `json:"final"`
	// Summary is the kind's summary (JSON object) once the job has ended.
	Summary any `json:"summary,omitempty"`
	// Error is why the job failed (state failed).
	Error      *apperr.Error `json:"error,omitempty"`
	CreatedAt  time.Time     `json:"createdAt"`
	StartedAt  *time.Time    `json:"startedAt,omitempty"`
	FinishedAt *time.Time    `json:"finishedAt,omitempty"`
	UpdatedAt  time.Time     `json:"updatedAt"`
}

// envelope is what the job table's progress_json holds.
type envelope struct {
	Title          string          `json:"title,omitempty"`
	Stage          string          `json:"stage,omitempty"`
	Done           int             `json:"done"`
	Total          int             `json:"total"`
	Message        string          `json:"message,omitempty"`
	Checkpoint     json.RawMessage `json:"checkpoint,omitempty"`
	Summary        json.RawMessage `json:"summary,omitempty"`
	StartedAt      *time.Time      `json:"startedAt,omitempty"`
	FinishedAt     *time.Time      `json:"finishedAt,omitempty"`
	InterruptedAt  *time.Time      `json:"interruptedAt,omitempty"`
	Runs           int             `json:"runs"`
	AutoResumes    int             `json:"autoResumes,omitempty"`
	CallsLeftToday *int            `json:"callsLeftToday,omitempty"`
}

func decodeEnvelope(s string) envelope {
	var e envelope
	_ = json.Unmarshal([]byte(s), &e) // a damaged envelope reads as empty: the job can still be listed
	return e
}

func (e envelope) encode() string {
	b, err := json.Marshal(e)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Runner runs jobs. Create it with New, Register the kinds, call Start once
// (it recovers jobs interrupted by the last shutdown) and Close on the way
// out.
type Runner struct {
	st  *store.Store
	clk clock.Clock
	em  events.Emitter
	log *slog.Logger

	// MinInterval is the shortest time between two progress events of one
	// job (default DefaultMinInterval). Set it before Start.
	MinInterval time.Duration

	mu     sync.Mutex
	kinds  map[string]Kind
	active map[int64]*active
	closed bool
	wg     sync.WaitGroup
}

// New returns a runner. em receives "job:progress" events (nil = none).
func New(st *store.Store, clk clock.Clock, em events.Emitter, log *slog.Logger) *Runner {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{st: st, clk: clk, em: em, log: log, MinInterval: DefaultMinInterval,
		kinds: map[string]Kind{}, active: map[int64]*active{}}
}

// Register adds a kind. Register every kind before Start.
func (r *Runner) Register(k Kind) {
	if k.Name == "" || k.Run == nil {
		panic("jobs: a kind needs a name and a Run function")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kinds[k.Name] = k
}

// active is a job running in this process.
type active struct {
	id        int64
	kind      Kind
	cancel    context.CancelCauseFunc
	done      chan struct{}
	createdAt time.Time

	mu         sync.Mutex
	env        envelope
	progress   Progress
	lastEmit   time.Time
	started    time.Time // of this run, for the ETA
	doneAtRun  int       // Done when this run started
	canceling  bool
	checkpoint json.RawMessage
}

// Run is a job as its kind's Run function sees it.
type Run struct {
	// ID is the job's id.
	ID int64
	// Params is the JSON given to Submit.
	Params json.RawMessage
	// Checkpoint is the last checkpoint saved by an earlier run of this job
	// (nil on the first run).
	Checkpoint json.RawMessage
	// Resumed is set when this run carries on an earlier one.
	Resumed bool

	r *Runner
	a *active
}

// DecodeParams unmarshals the job's params into v.
func (run *Run) DecodeParams(v any) error {
	if len(run.Params) == 0 {
		return nil
	}
	return json.Unmarshal(run.Params, v)
}

// DecodeCheckpoint unmarshals the saved checkpoint into v and reports
// whether there was one.
func (run *Run) DecodeCheckpoint(v any) (bool, error) {
	if len(run.Checkpoint) == 0 || string(run.Checkpoint) == "null" {
		return false, nil
	}
	return true, json.Unmarshal(run.Checkpoint, v)
}

// Report records the job's progress and sends a "job:progress" event, at
// most every MinInterval (a new stage and the last unit of work are always
// sent).
func (run *Run) Report(p Progress) {
	a := run.a
	now := run.r.clk.Now()
	a.mu.Lock()
	stageChanged := p.Stage != a.progress.Stage
	a.progress = p
	send := stageChanged || (p.Total > 0 && p.Done >= p.Total) || a.lastEmit.IsZero() || now.Sub(a.lastEmit) >= run.r.MinInterval
	if send {
		a.lastEmit = now
	}
	a.mu.Unlock()
	if send {
		run.r.emit(run.r.activeInfo(a, false))
	}
}

// SaveCheckpoint stores v (JSON) with the job's current progress, so that a
// run after a restart or a Resume can carry on from it. It is written even
// if ctx is done.
func (run *Run) SaveCheckpoint(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("jobs: checkpoint: %w", err)
	}
	a := run.a
	a.mu.Lock()
	a.checkpoint = b
	env := a.envLocked()
	a.mu.Unlock()
	wctx := context.WithoutCancel(ctx)
	return run.r.st.WithTx(wctx, func(tx *store.Tx) error {
		return tx.UpdateJob(wctx, a.id, StateRunning, env.encode(), "", run.r.clk.Now())
	})
}

// envLocked is the envelope with the live progress and checkpoint.
func (a *active) envLocked() envelope {
	e := a.env
	e.Stage, e.Done, e.Total, e.Message = a.progress.Stage, a.progress.Done, a.progress.Total, a.progress.Message
	e.Checkpoint = a.checkpoint
	e.CallsLeftToday = a.progress.CallsLeftToday
	return e
}

func (r *Runner) emit(info Info) {
	if r.em != nil {
		r.em.Emit(EventProgress, info)
	}
}

// activeInfo describes a running job from memory.
func (r *Runner) activeInfo(a *active, final bool) Info {
	now := r.clk.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.progress
	info := Info{
		ID: a.id, Kind: a.kind.Name, Title: a.env.Title, State: StateRunning,
		Stage: p.Stage, Done: p.Done, Total: p.Total, Message: p.Message,
		ETASeconds: -1, CallsLeftToday: p.CallsLeftToday, Canceling: a.canceling, Final: final,
		CreatedAt: a.createdAt, StartedAt: a.env.StartedAt, UpdatedAt: now,
	}
	switch {
	case p.ETA > 0:
		info.ETASeconds = int((p.ETA + time.Second - 1) / time.Second)
	case p.Total > 0 && p.Done >= p.Total:
		info.ETASeconds = 0
	case p.Total > 0 && p.Done > a.doneAtRun:
		per := now.Sub(a.started) / time.Duration(p.Done-a.doneAtRun)
		info.ETASeconds = int((per*time.Duration(p.Total-p.Done) + time.Second - 1) / time.Second)
	}
	return info
}

// infoOf describes a stored job.
func (r *Runner) infoOf(j store.Job) Info {
	env := decodeEnvelope(j.Progress)
	info := Info{
		ID: j.ID, Kind: j.Kind, Title: env.Title, State: j.State,
		Stage: env.Stage, Done: env.Done, Total: env.Total, Message: env.Message, ETASeconds: -1,
		CallsLeftToday: env.CallsLeftToday, Interrupted: j.State == StatePaused && env.InterruptedAt != nil,
		CreatedAt: j.CreatedAt, StartedAt: env.StartedAt, FinishedAt: env.FinishedAt, UpdatedAt: j.UpdatedAt,
	}
	if len(env.Summary) > 0 {
		info.Summary = env.Summary
	}
	if j.Error != "" {
		var e apperr.Error
		if json.Unmarshal([]byte(j.Error), &e) != nil || e.Message == "" {
			e = apperr.Error{Code: apperr.CodeInternal, Message: j.Error}
		}
		info.Error = &e
	}
	r.mu.Lock()
	_, known := r.kinds[j.Kind]
	r.mu.Unlock()
	info.Resumable = known && (j.State == StatePaused || j.State == StateFailed)
	return info
}

// Start recovers the jobs the last run of the app left unfinished: a job
// that was queued or running was interrupted, and is marked so (state
// paused). Interrupted jobs of kinds with AutoResume are run again with
// their checkpoint. It returns the jobs it resumed.
func (r *Runner) Start(ctx context.Context) ([]Info, error) {
	var unfinished []store.Job
	if err := r.st.View(ctx, func(tx *store.Tx) error {
		var err error
		unfinished, err = tx.UnfinishedJobs(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	now := r.clk.Now()
	var resumed []Info
	for _, j := range unfinished {
		env := decodeEnvelope(j.Progress)
		if j.State == StateQueued || j.State == StateRunning {
			env.InterruptedAt = &now
			j.State = StatePaused
			j.Progress = env.encode()
			if err := r.st.WithTx(ctx, func(tx *store.Tx) error {
				return tx.UpdateJob(ctx, j.ID, StatePaused, j.Progress, "", now)
			}); err != nil {
				return resumed, err
			}
			r.log.Info("job interrupted by the last shutdown", "job", j.ID, "kind", j.Kind)
		}
		r.mu.Lock()
		k, known := r.kinds[j.Kind]
		r.mu.Unlock()
		if !known || !k.AutoResume || env.InterruptedAt == nil || env.AutoResumes >= maxAutoResumes {
			continue
		}
		env.AutoResumes++
		info, err := r.launch(ctx, j, env, true)
		if err != nil {
			return resumed, err
		}
		resumed = append(resumed, info)
	}
	return resumed, nil
}

// Submit records a new job of a registered kind and starts it. title is
// what the UI shows ("Link 12 XPM groups"); params is marshalled to JSON.
// For an Exclusive kind with a job already active, that job is returned.
func (r *Runner) Submit(ctx context.Context, kind, title string, params any) (Info, error) {
	r.mu.Lock()
	k, ok := r.kinds[kind]
	var running *active
	if ok && k.Exclusive {
		for _, a := range r.active {
			if a.kind.Name == kind {
				running = a
				break
			}
		}
	}
	closed := r.closed
	r.mu.Unlock()
	if !ok {
		return Info{}, fmt.Errorf("jobs: unknown kind %q", kind)
	}
	if closed {
		return Info{}, apperr.New(apperr.CodeUnavailable, "Structura is closing.", "Start the work again after Structura reopens.")
	}
	if running != nil {
		return r.activeInfo(running, false), nil
	}
	pj, err := json.Marshal(params)
	if err != nil {
		return Info{}, fmt.Errorf("jobs: params of %s: %w", kind, err)
	}
	now := r.clk.Now()
	env := envelope{Title: title}
	var j store.Job
	err = r.st.WithTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertJob(ctx, kind, string(pj), now)
		if err != nil {
			return err
		}
		if err := tx.UpdateJob(ctx, id, StateQueued, env.encode(), "", now); err != nil {
			return err
		}
		j, err = tx.Job(ctx, id)
		return err
	})
	if err != nil {
		return Info{}, err
	}
	return r.launch(ctx, j, env, false)
}

// Resume runs a paused (interrupted) or failed job again from its last
// checkpoint.
func (r *Runner) Resume(ctx context.Context, id int64) (Info, error) {
	r.mu.Lock()
	a := r.active[id]
	r.mu.Unlock()
	if a != nil {
		return r.activeInfo(a, false), nil
	}
	j, err := r.load(ctx, id)
	if err != nil {
		return Info{}, err
	}
	info := r.infoOf(j)
	if !info.Resumable {
		return info, apperr.Invalid("This task cannot be resumed.", "Only a task that was interrupted or failed can be resumed; start it again instead.")
	}
	return r.launch(ctx, j, decodeEnvelope(j.Progress), true)
}

func (r *Runner) load(ctx context.Context, id int64) (store.Job, error) {
	var j store.Job
	err := r.st.View(ctx, func(tx *store.Tx) error {
		var err error
		j, err = tx.Job(ctx, id)
		return err
	})
	return j, err
}

// launch marks j running and runs it in a goroutine.
func (r *Runner) launch(ctx context.Context, j store.Job, env envelope, resumed bool) (Info, error) {
	r.mu.Lock()
	k, ok := r.kinds[j.Kind]
	if !ok {
		r.mu.Unlock()
		return Info{}, fmt.Errorf("jobs: unknown kind %q", j.Kind)
	}
	if r.closed {
		r.mu.Unlock()
		return Info{}, apperr.New(apperr.CodeUnavailable, "Structura is closing.", "Start the work again after Structura reopens.")
	}
	if _, dup := r.active[j.ID]; dup {
		r.mu.Unlock()
		return Info{}, fmt.Errorf("jobs: job %d already runs", j.ID)
	}
	now := r.clk.Now()
	if env.StartedAt == nil {
		env.StartedAt = &now
	}
	env.FinishedAt, env.InterruptedAt, env.Summary = nil, nil, nil
	env.Runs++
	runCtx, cancel := context.WithCancelCause(context.Background())
	a := &active{
		id: j.ID, kind: k, cancel: cancel, done: make(chan struct{}), createdAt: j.CreatedAt,
		env: env, started: now, doneAtRun: env.Done, checkpoint: env.Checkpoint,
		progress: Progress{Stage: env.Stage, Done: env.Done, Total: env.Total, Message: env.Message, CallsLeftToday: env.CallsLeftToday},
	}
	r.active[j.ID] = a
	r.wg.Add(1)
	r.mu.Unlock()

	wctx := context.WithoutCancel(ctx)
	err := r.st.WithTx(wctx, func(tx *store.Tx) error {
		return tx.UpdateJob(wctx, j.ID, StateRunning, env.encode(), "", now)
	})
	if err != nil {
		r.mu.Lock()
		delete(r.active, j.ID)
		r.mu.Unlock()
		cancel(nil)
		r.wg.Done()
		return Info{}, err
	}
	run := &Run{ID: j.ID, Params: json.RawMessage(j.Params), Checkpoint: env.Checkpoint, Resumed: resumed, r: r, a: a}
	info := r.activeInfo(a, false)
	r.emit(info)
	r.log.Info("job started", "job", j.ID, "kind", j.Kind, "resumed", resumed)
	go r.run(runCtx, run)
	return info, nil
}

func (r *Runner) run(ctx context.Context, run *Run) {
	defer r.wg.Done()
	a := run.a
	var summary any
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("jobs: %s panicked: %v\n%s", a.kind.Name, p, debug.Stack())
			}
		}()
		summary, err = a.kind.Run(ctx, run)
	}()
	r.finish(ctx, a, summary, err)
}

// finish records how a run ended and sends the final event.
func (r *Runner) finish(ctx context.Context, a *active, summary any, runErr error) {
	now := r.clk.Now()
	cause := context.Cause(ctx)
	state, errText := StateSucceeded, ""
	switch {
	case errors.Is(cause, errShutdown):
		state = StatePaused
	case errors.Is(cause, errCanceled):
		state = StateCanceled
	case runErr != nil:
		state = StateFailed
		pub := apperr.Public(runErr)
		if pub.Code == apperr.CodeCanceled {
			state, errText = StateCanceled, ""
			break
		}
		b, _ := json.Marshal(pub)
		errText = string(b)
		if pub.Code == apperr.CodeInternal {
			r.log.Error("job failed", "job", a.id, "kind", a.kind.Name, "err", runErr.Error())
		} else {
			r.log.Warn("job failed", "job", a.id, "kind", a.kind.Name, "code", string(pub.Code), "err", runErr.Error())
		}
	}
	a.mu.Lock()
	env := a.envLocked()
	a.mu.Unlock()
	if summary != nil {
		if b, err := json.Marshal(summary); err == nil {
			env.Summary = b
		}
	}
	if state == StatePaused {
		env.InterruptedAt = &now
	} else {
		env.FinishedAt = &now
	}
	if state == StateSucceeded {
		env.AutoResumes = 0
	}
	werr := r.st.WithTx(context.Background(), func(tx *store.Tx) error {
		return tx.UpdateJob(context.Background(), a.id, state, env.encode(), errText, now)
	})
	if werr != nil {
		r.log.Error("job state not saved", "job", a.id, "state", state, "err", werr.Error())
	}
	r.log.Info("job ended", "job", a.id, "kind", a.kind.Name, "state", state)

	r.mu.Lock()
	delete(r.active, a.id)
	r.mu.Unlock()
	a.cancel(nil)

	info := r.infoOf(store.Job{ID: a.id, Kind: a.kind.Name, State: state, Progress: env.encode(), Error: errText,
		CreatedAt: a.createdAt, UpdatedAt: now})
	info.Final = true
	close(a.done)
	r.emit(info)
}

// Cancel stops a job. A running job stops at its next check and ends in
// state canceled with a summary of what it did (watch its events or Wait);
// a paused or failed job is marked canceled at once. Cancelling a job that
// has ended is not an error.
func (r *Runner) Cancel(ctx context.Context, id int64) (Info, error) {
	r.mu.Lock()
	a := r.active[id]
	r.mu.Unlock()
	if a != nil {
		a.mu.Lock()
		a.canceling = true
		a.mu.Unlock()
		a.cancel(errCanceled)
		info := r.activeInfo(a, false)
		r.emit(info)
		return info, nil
	}
	j, err := r.load(ctx, id)
	if err != nil {
		return Info{}, err
	}
	if j.State != StatePaused && j.State != StateQueued && j.State != StateFailed {
		return r.infoOf(j), nil
	}
	now := r.clk.Now()
	env := decodeEnvelope(j.Progress)
	env.FinishedAt, env.InterruptedAt = &now, nil
	j.State, j.Progress, j.UpdatedAt = StateCanceled, env.encode(), now
	if err := r.st.WithTx(ctx, func(tx *store.Tx) error {
		return tx.UpdateJob(ctx, id, StateCanceled, j.Progress, j.Error, now)
	}); err != nil {
		return Info{}, err
	}
	info := r.infoOf(j)
	info.Final = true
	r.emit(info)
	return info, nil
}

// Get describes one job.
func (r *Runner) Get(ctx context.Context, id int64) (Info, error) {
	r.mu.Lock()
	a := r.active[id]
	r.mu.Unlock()
	if a != nil {
		return r.activeInfo(a, false), nil
	}
	j, err := r.load(ctx, id)
	if err != nil {
		return Info{}, err
	}
	return r.infoOf(j), nil
}

// List describes the unfinished jobs and the most recent finished ones,
// newest first, at most limit (0 = 50).
func (r *Runner) List(ctx context.Context, limit int) ([]Info, error) {
	var js []store.Job
	if err := r.st.View(ctx, func(tx *store.Tx) error {
		var err error
		js, err = tx.RecentJobs(ctx, limit)
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(js))
	for _, j := range js {
		r.mu.Lock()
		a := r.active[j.ID]
		r.mu.Unlock()
		if a != nil {
			out = append(out, r.activeInfo(a, false))
			continue
		}
		out = append(out, r.infoOf(j))
	}
	return out, nil
}

// Active reports the active job of a kind, if any.
func (r *Runner) Active(kind string) (Info, bool) {
	r.mu.Lock()
	var found *active
	for _, a := range r.active {
		if a.kind.Name == kind && (found == nil || a.id > found.id) {
			found = a
		}
	}
	r.mu.Unlock()
	if found == nil {
		return Info{}, false
	}
	return r.activeInfo(found, false), true
}

// Wait blocks until the job is no longer running (or ctx is done) and
// describes it.
func (r *Runner) Wait(ctx context.Context, id int64) (Info, error) {
	r.mu.Lock()
	a := r.active[id]
	r.mu.Unlock()
	if a != nil {
		select {
		case <-a.done:
		case <-ctx.Done():
			return Info{}, ctx.Err()
		}
	}
	return r.Get(ctx, id)
}

// Close stops every running job as interrupted (state paused, resumed on
// the next Start if its kind says so) and waits for them to return, at
// most timeout (real time; 0 = 10 s). Call it before closing the store.
func (r *Runner) Close(timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	r.mu.Lock()
	r.closed = true
	for _, a := range r.active {
		a.cancel(errShutdown)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
		return errors.New("jobs: some jobs did not stop in time")
	}
}
