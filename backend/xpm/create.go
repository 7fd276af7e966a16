package xpm

import (
	"context"
	"errors"
	"fmt"
)

// checkRounds bounds how often a create's landing check is repeated when
// its reads fail.
const checkRounds = 3

// multipleMatches is a check that found several records matching a write.
type multipleMatches struct{ ids []string }

func (m *multipleMatches) Error() string {
	return fmt.Sprintf("%d records match the write", len(m.ids))
}

// create runs a create call without ever sending it twice blindly. After an
// ambiguous failure it calls find to learn whether the write landed: a
// record found is the result; none found means the create is tried again
// (after a backoff); a failed check ends with *UncertainWriteError.
func create[T any](ctx context.Context, cl *Client, c *call, decode func(*bodyReader) (*T, error), find func(context.Context) (*T, error)) (*T, error) {
	for attempt := 1; ; attempt++ {
		var out *T
		err := cl.do(ctx, c, func(br *bodyReader) error {
			v, err := decode(br)
			out = v
			return err
		})
		if err == nil {
			return out, nil
		}
		var amb *ambiguousError
		if !errors.As(err, &amb) {
			return nil, err
		}
		cause := amb.err
		if ctx.Err() != nil {
			return nil, &UncertainWriteError{Op: c.name, Err: cause, CheckErr: ctx.Err()}
		}
		cl.log.Warn("xpm create failed ambiguously; checking whether it landed", "op", c.name, "attempt", attempt, "error_kind", errorKind(cause))
		// Give a write still being processed time to settle before looking.
		if err := cl.sleep(ctx, cl.backoff(attempt)); err != nil {
			return nil, &UncertainWriteError{Op: c.name, Err: cause, CheckErr: err}
		}
		found, ferr := find(ctx)
		// The check is reads only: if they keep failing for passing
		// reasons, look again a couple of times before giving up.
		for round := 1; ferr != nil && round < checkRounds && ctx.Err() == nil; round++ {
			if transient, _ := isTransient(ferr); !transient {
				break
			}
			if err := cl.sleep(ctx, cl.backoff(cl.retry.MaxAttempts)); err != nil {
				break
			}
			found, ferr = find(ctx)
		}
		if ferr != nil {
			ue := &UncertainWriteError{Op: c.name, Err: cause, CheckErr: ferr}
			var mm *multipleMatches
			if errors.As(ferr, &mm) {
				ue.Candidates = mm.ids
			}
			return nil, ue
		}
		if found != nil {
			cl.log.Info("xpm create had landed", "op", c.name, "attempt", attempt)
			return found, nil
		}
		if attempt >= cl.retry.MaxAttempts {
			return nil, cause
		}
	}
}
