package xpm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"structura/backend/apperr"
)

// UserError maps an error from this package to a practitioner-facing
// *apperr.Error (with the original as its cause). Errors that are already
// *apperr.Error, and context cancellation, pass through unchanged; nil stays
// nil. Anything else becomes an internal error.
func UserError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	var (
		uw *UncertainWriteError
		un *UnauthorizedError
		fb *ForbiddenError
		nf *NotFoundError
		cf *ConflictError
		br *BadRequestError
		rl *RateLimitError
		dl *DayLimitError
		se *ServerError
		me *MalformedResponseError
		te *TransportError
	)
	switch {
	case errors.As(err, &uw):
		return apperr.Wrap(err, apperr.CodeUnavailable,
			"The connection to Xero Practice Manager dropped while a record was being created, and Structura could not confirm whether it was saved.",
			"Nothing was sent twice. Refresh from XPM to see whether the record is there before trying again.")
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &un):
		switch un.Reason {
		case GrantInvalid:
			return apperr.Wrap(err, apperr.CodeAuth,
				"Structura's connection to Xero has expired or was revoked.",
				"Connect to Xero again (Settings → XPM connection). Your local data is kept.")
		case TokenUnavailable:
			if isNetErr(err) {
				return apperr.Wrap(err, apperr.CodeUnavailable,
					"Structura could not reach Xero to renew its sign-in.",
					"Check your internet connection and try again.")
			}
			return apperr.Wrap(err, apperr.CodeAuth,
				"Structura is not signed in to Xero.",
				"Connect to Xero (Settings → XPM connection) and try again.")
		default:
			return apperr.Wrap(err, apperr.CodeAuth,
				"Xero did not accept Structura's sign-in.",
				"Try again; if it keeps happening, connect to Xero again (Settings → XPM connection).")
		}
	case errors.As(err, &fb):
		hint := "Ask your XPM administrator to check that your XPM user may connect third-party add-ons, then connect to Xero again."
		if fb.MissingScope != "" {
			hint = "Connect to Xero again and approve all the permissions Structura asks for."
		}
		return apperr.Wrap(err, apperr.CodeAuth,
			"Xero Practice Manager refused access to this practice.", hint)
	case errors.As(err, &nf):
		what := nf.Resource
		if what == "" {
			what = "record"
		}
		return apperr.Wrap(err, apperr.CodeNotFound,
			fmt.Sprintf("This %s no longer exists in Xero Practice Manager.", what),
			"It may have been deleted in XPM. Refresh from XPM and try again.")
	case errors.As(err, &cf):
		msg := "This record was changed in Xero Practice Manager by someone else."
		if len(cf.Fields) > 0 {
			msg = fmt.Sprintf("This client was changed in Xero Practice Manager since Structura last read it (%s).", strings.Join(cf.Fields, ", "))
		}
		return apperr.Wrap(err, apperr.CodeConflict, msg,
			"Refresh from XPM, review the differences, and apply your change again.")
	case errors.As(err, &dl):
		return apperr.Wrap(err, apperr.CodeRateLimited,
			"Xero's daily limit of calls for this practice has been reached.",
			fmt.Sprintf("Nothing was lost. Work can resume after %s.", dl.ResumeAt.Local().Format("Mon 2 Jan 15:04")))
	case errors.As(err, &rl):
		return apperr.Wrap(err, apperr.CodeRateLimited,
			"Xero is asking Structura to slow down.",
			fmt.Sprintf("Nothing was lost. Try again in %s.", roundUp(rl.RetryAfter)))
	case errors.As(err, &br):
		msg := "Xero Practice Manager refused the change."
		if br.Description != "" {
			msg = "Xero Practice Manager refused the change: " + br.Description
		}
		return apperr.Wrap(err, apperr.CodeValidation, msg,
			"Check the record's details (for relationships, the client needs a business structure first) and try again.")
	case errors.As(err, &se):
		return apperr.Wrap(err, apperr.CodeUnavailable,
			"Xero Practice Manager is having problems right now.",
			"Nothing was lost. Try again in a few minutes; check status.xero.com if it persists.")
	case errors.As(err, &me):
		if me.TooLarge {
			return apperr.Wrap(err, apperr.CodeUnavailable,
				"Xero Practice Manager sent more data than Structura accepts in one answer.",
				"Nothing was changed. Send the log file to support.")
		}
		return apperr.Wrap(err, apperr.CodeUnavailable,
			"Xero Practice Manager sent an answer Structura could not read.",
			"Nothing was changed. Try again; if it keeps happening, send the log file to support.")
	case errors.As(err, &te):
		return apperr.Wrap(err, apperr.CodeUnavailable,
			"Structura could not reach Xero Practice Manager.",
			"Check your internet connection and try again.")
	case errors.Is(err, context.DeadlineExceeded):
		return apperr.Wrap(err, apperr.CodeUnavailable,
			"Xero Practice Manager took too long to answer.",
			"Try again; if it keeps happening, check your internet connection.")
	}
	return apperr.Wrap(err, apperr.CodeInternal, "Something went wrong talking to Xero Practice Manager.",
		"Your data is safe. Try again; if it keeps happening, send the log file to support.")
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

func roundUp(d time.Duration) string {
	switch {
	case d <= time.Second:
		return "a few seconds"
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int((d+time.Second-1)/time.Second))
	default:
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "a minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
}
