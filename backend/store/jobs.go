package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"structura/backend/apperr"
)

// Job states.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobPaused    = "paused"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCanceled  = "canceled"
)

// Job is long-running work (an import, a pull, a push) recorded so that it
// survives a restart. Params and Progress are JSON owned by the job's kind.
type Job struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	Params    string    `json:"params"`
	Progress  string    `json:"progress"`
	Error     string    `json:"error"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// InsertJob records a new queued job and returns its id.
func (t *Tx) InsertJob(ctx context.Context, kind, paramsJSON string, now time.Time) (int64, error) {
	if paramsJSON == "" {
		paramsJSON = "{}"
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO job (kind, state, params_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		kind, JobQueued, paramsJSON, fmtTime(now), fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// UpdateJob sets a job's state, progress JSON and error text.
func (t *Tx) UpdateJob(ctx context.Context, id int64, state, progressJSON, errText string, now time.Time) error {
	if progressJSON == "" {
		progressJSON = "{}"
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE job SET state = ?, progress_json = ?, error = ?, updated_at = ? WHERE id = ?`,
		state, progressJSON, errText, fmtTime(now), id)
	return mustAffect(res, err, "job")
}

const jobCols = `id, kind, state, params_json, progress_json, error, created_at, updated_at`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var ca, ua string
	if err := sc.Scan(&j.ID, &j.Kind, &j.State, &j.Params, &j.Progress, &j.Error, &ca, &ua); err != nil {
		return j, err
	}
	var err error
	if j.CreatedAt, err = parseTime(ca); err != nil {
		return j, err
	}
	j.UpdatedAt, err = parseTime(ua)
	return j, err
}

// Job returns one job or apperr NotFound.
func (t *Tx) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(t.tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM job WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, apperr.NotFound("job")
	}
	return j, err
}

// UnfinishedJobs lists queued, running and paused jobs, oldest first: after
// a restart, "running" ones were interrupted and should be resumed or
// offered to the user.
func (t *Tx) UnfinishedJobs(ctx context.Context) ([]Job, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+jobCols+` FROM job WHERE state IN ('queued','running','paused') ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
