package store

import "context"

// RecentJobs lists jobs newest first: every unfinished one (queued, running,
// paused), then the most recent finished ones, at most limit in all
// (0 = 50).
func (t *Tx) RecentJobs(ctx context.Context, limit int) ([]Job, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT `+jobCols+` FROM job
ORDER BY state IN ('queued','running','paused') DESC, id DESC LIMIT ?`, limit)
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
