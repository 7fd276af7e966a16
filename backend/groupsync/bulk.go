package groupsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"structura/backend/apperr"
	"structura/backend/jobs"
	"structura/backend/store"
	"structura/backend/xpm"
)

// BulkItem is one XPM group to link in a bulk link.
type BulkItem struct {
	XPMGroupUUID string `json:"xpmGroupUuid"`
	// LocalGroupID is the local group to link to; 0 creates a new local
	// group named after the XPM group.
	LocalGroupID int64 `json:"localGroupId"`
}

// MaxBulkItems bounds one bulk link (Xero allows 5,000 calls a day).
const MaxBulkItems = 5000

// Outcomes of one group in a bulk link.
const (
	OutcomeLinked   = "linked"         // linked to an existing local group
	OutcomeCreated  = "created"        // linked to a new local group
	OutcomeAlready  = "already_linked" // it was linked that way already
	OutcomeDeleted  = "deleted_in_xpm" // XPM no longer has it (now marked)
	OutcomeRefused  = "refused"        // the 1:1 rule refused it
	OutcomeNotFound = "local_missing"  // the chosen local group was deleted meanwhile
)

// BulkOutcome is what happened to one group.
type BulkOutcome struct {
	Status       string `json:"status"`
	Name         string `json:"name"`
	LocalGroupID int64  `json:"localGroupId,omitempty"`
	Message      string `json:"message,omitempty"`
}

type bulkParams struct {
	TenantID string     `json:"tenantId"`
	Items    []BulkItem `json:"items"`
}

// bulkCheckpoint is what a bulk link saves after each group: every group
// in it is done (linked, or refused for a reason that will not change by
// trying again), and is skipped by a resumed run.
type bulkCheckpoint struct {
	Results map[string]BulkOutcome `json:"results"`
	Calls   int                    `json:"calls"`
}

// BulkProblem is a group a bulk link did not link.
type BulkProblem struct {
	XPMGroupUUID string `json:"xpmGroupUuid"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	Message      string `json:"message"`
}

// BulkSummary is the summary of a bulk link job.
type BulkSummary struct {
	Requested int `json:"requested"`
	// Linked counts the groups linked by this job (CreatedGroups of them
	// to new local groups).
	Linked        int `json:"linked"`
	CreatedGroups int `json:"createdGroups"`
	AlreadyLinked int `json:"alreadyLinked"`
	DeletedInXPM  int `json:"deletedInXpm"`
	Refused       int `json:"refused"`
	// NotDone counts groups left untouched (cancelled or stopped early);
	// running the same bulk link again links them.
	NotDone  int           `json:"notDone"`
	Canceled bool          `json:"canceled"`
	Problems []BulkProblem `json:"problems"`
	// Calls is the number of XPM calls made.
	Calls   int    `json:"calls"`
	Message string `json:"message"`
}

// StartBulkLink links many XPM groups as a background job ("Link N XPM
// groups"): for each, one paced XPM call checks the group still exists
// (and reads its members), then one small transaction links it. Cancel
// leaves every group either fully linked or untouched; the job resumes
// after a restart. Progress comes as "job:progress" events.
func (s *Service) StartBulkLink(ctx context.Context, items []BulkItem) (jobs.Info, error) {
	_, tenant, err := s.client(ctx)
	if err != nil {
		return jobs.Info{}, err
	}
	if len(items) == 0 {
		return jobs.Info{}, apperr.Invalid("Choose at least one XPM group to link.", "")
	}
	if len(items) > MaxBulkItems {
		return jobs.Info{}, apperr.Invalid(fmt.Sprintf("Link at most %d groups at a time.", MaxBulkItems),
			"Xero allows 5,000 calls a day per practice: choose fewer groups, then link the rest tomorrow.")
	}
	clean := make([]BulkItem, 0, len(items))
	seen := map[string]bool{}
	target := map[int64]string{}
	err = s.st.View(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			it.XPMGroupUUID = strings.TrimSpace(it.XPMGroupUUID)
			if it.XPMGroupUUID == "" || seen[it.XPMGroupUUID] {
				continue
			}
			seen[it.XPMGroupUUID] = true
			g, ok, err := tx.XPMGroup(ctx, tenant.ID, it.XPMGroupUUID)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("One of the chosen XPM groups is not in the list any more.", "Refresh the list and choose again.")
			}
			if it.LocalGroupID != 0 {
				if other, dup := target[it.LocalGroupID]; dup {
					lg, err := tx.Group(ctx, it.LocalGroupID)
					if err != nil {
						return err
					}
					return apperr.New(apperr.CodeConflict,
						fmt.Sprintf("%s is chosen for two XPM groups (%s and %s).", q(lg.Name), q(other), q(g.Name)),
						"A local group links to one XPM group only. Choose another local group for one of them, or link it as new.")
				}
				target[it.LocalGroupID] = g.Name
			}
			clean = append(clean, it)
		}
		return nil
	})
	if err != nil {
		return jobs.Info{}, err
	}
	if len(clean) == 0 {
		return jobs.Info{}, apperr.Invalid("Choose at least one XPM group to link.", "")
	}
	title := fmt.Sprintf("Link %d XPM %s", len(clean), plural(len(clean), "group", "groups"))
	return s.jobs.Submit(ctx, KindLinkGroups, title, bulkParams{TenantID: tenant.ID, Items: clean})
}

func (s *Service) runBulkLink(ctx context.Context, run *jobs.Run) (any, error) {
	var p bulkParams
	if err := run.DecodeParams(&p); err != nil {
		return nil, fmt.Errorf("bulk link params: %w", err)
	}
	cp := bulkCheckpoint{Results: map[string]BulkOutcome{}}
	if _, err := run.DecodeCheckpoint(&cp); err != nil {
		return nil, fmt.Errorf("bulk link checkpoint: %w", err)
	}
	if cp.Results == nil {
		cp.Results = map[string]BulkOutcome{}
	}
	jobID := run.ID
	sum := func(canceled bool) BulkSummary { return bulkSummary(p.Items, cp, canceled) }

	c, tenant, err := s.client(ctx)
	if err != nil {
		return sum(false), err
	}
	if tenant.ID != p.TenantID {
		return sum(false), apperr.New(apperr.CodeConflict,
			"Structura is now connected to another XPM practice than the one these groups belong to.",
			"Connect to the practice again to finish linking, or cancel this task.")
	}
	pacer := c.Pacer()
	total := len(p.Items)
	linkedSinceEmit := 0
	defer func() {
		if len(cp.Results) > 0 {
			s.emit(true)
		}
	}()
	report := func(msg string) {
		left := pacer.CallsLeftToday()
		remaining := total - len(cp.Results)
		run.Report(jobs.Progress{Stage: "link", Done: len(cp.Results), Total: total, Message: msg,
			ETA: pacer.ETA(remaining).Duration, CallsLeftToday: &left})
	}
	report(fmt.Sprintf("Linking %d XPM %s…", total, plural(total, "group", "groups")))
	for _, it := range p.Items {
		if _, done := cp.Results[it.XPMGroupUUID]; done {
			continue
		}
		if ctx.Err() != nil {
			return sum(true), ctx.Err()
		}
		out, err := s.bulkOne(ctx, c, tenant, it, &jobID, &cp)
		if err != nil {
			if isCanceled(ctx, err) {
				return sum(true), ctx.Err()
			}
			if out.Status == "" { // stopped: XPM unreachable, sign-in refused, day limit…
				return sum(false), err
			}
		}
		cp.Results[it.XPMGroupUUID] = out
		if err := run.SaveCheckpoint(ctx, cp); err != nil {
			return sum(false), err
		}
		if out.Status == OutcomeLinked || out.Status == OutcomeCreated {
			if linkedSinceEmit++; linkedSinceEmit >= 50 {
				linkedSinceEmit = 0
				s.emit(true)
			}
		}
		report(fmt.Sprintf("%s: %s (%d of %d)", outcomeVerb(out.Status), out.Name, len(cp.Results), total))
	}
	final := sum(false)
	report(final.Message)
	return final, nil
}

// bulkOne links one group. An error with an empty outcome stops the job.
func (s *Service) bulkOne(ctx context.Context, c *xpm.Client, tenant Tenant, it BulkItem, jobID *int64, cp *bulkCheckpoint) (BulkOutcome, error) {
	out := BulkOutcome{LocalGroupID: it.LocalGroupID}
	// Locally decided first: no call for a group that is linked already or
	// that the 1:1 rule refuses.
	var already bool
	err := s.st.View(ctx, func(tx *store.Tx) error {
		g, _, err := tx.XPMGroup(ctx, tenant.ID, it.XPMGroupUUID)
		if err != nil {
			return err
		}
		out.Name = g.Name
		if it.LocalGroupID == 0 {
			if l, ok, err := tx.GroupLinkByUUID(ctx, it.XPMGroupUUID); err != nil {
				return err
			} else if ok && l.GroupID != nil {
				already, out.LocalGroupID = true, *l.GroupID
				return nil
			}
		}
		already, _, err = s.checkLink(ctx, tx, it.XPMGroupUUID, it.LocalGroupID)
		return err
	})
	if err := outcomeOf(&out, err); err != nil {
		return out, err
	}
	if out.Status != "" {
		return out, nil
	}
	if already {
		out.Status = OutcomeAlready
		return out, nil
	}

	gd, err := c.Groups.Get(ctx, it.XPMGroupUUID)
	if err != nil {
		if isCanceled(ctx, err) {
			return BulkOutcome{}, ctx.Err()
		}
		cp.Calls++
		var nf *xpm.NotFoundError
		if errors.As(err, &nf) {
			if _, err := s.markDeleted(context.WithoutCancel(ctx), tenant, it.XPMGroupUUID); err != nil {
				return BulkOutcome{}, err
			}
			out.Status, out.Message = OutcomeDeleted, "Deleted in XPM since the last refresh: not linked."
			return out, nil
		}
		s.observe(tenant.ID, err)
		return BulkOutcome{}, xpm.UserError(err)
	}
	cp.Calls++
	s.observe(tenant.ID, nil)
	// The link is local and quick: it runs to the end even if Cancel comes
	// now, so a group is either fully linked or untouched.
	var res LinkResult
	err = s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var err error
		res, err = s.linkTx(context.WithoutCancel(ctx), tx, tenant, gd, it.LocalGroupID, jobID)
		return err
	})
	if err := outcomeOf(&out, err); err != nil {
		return out, err
	}
	if out.Status != "" {
		return out, nil
	}
	out.Name, out.LocalGroupID = res.XPMGroup.Name, res.LocalGroup.ID
	switch {
	case res.AlreadyLinked:
		out.Status = OutcomeAlready
	case res.Created:
		out.Status = OutcomeCreated
	default:
		out.Status = OutcomeLinked
	}
	return out, nil
}

// outcomeOf turns a refusal into an outcome (the job carries on) and
// returns other errors (the job stops).
func outcomeOf(out *BulkOutcome, err error) error {
	if err == nil {
		return nil
	}
	switch apperr.CodeOf(err) {
	case apperr.CodeConflict, apperr.CodeValidation:
		out.Status, out.Message = OutcomeRefused, apperr.Public(err).Message
		return nil
	case apperr.CodeNotFound:
		out.Status, out.Message = OutcomeNotFound, apperr.Public(err).Message
		return nil
	}
	return err
}

func outcomeVerb(status string) string {
	switch status {
	case OutcomeCreated, OutcomeLinked:
		return "Linked"
	case OutcomeAlready:
		return "Already linked"
	case OutcomeDeleted:
		return "Deleted in XPM"
	}
	return "Not linked"
}

// bulkSummary is a pure function of the items and the checkpoint.
func bulkSummary(items []BulkItem, cp bulkCheckpoint, canceled bool) BulkSummary {
	s := BulkSummary{Requested: len(items), Canceled: canceled, Calls: cp.Calls, Problems: []BulkProblem{}}
	for _, it := range items {
		o, done := cp.Results[it.XPMGroupUUID]
		if !done {
			s.NotDone++
			continue
		}
		switch o.Status {
		case OutcomeCreated:
			s.Linked++
			s.CreatedGroups++
		case OutcomeLinked:
			s.Linked++
		case OutcomeAlready:
			s.AlreadyLinked++
		case OutcomeDeleted:
			s.DeletedInXPM++
			s.Problems = append(s.Problems, BulkProblem{XPMGroupUUID: it.XPMGroupUUID, Name: o.Name, Status: o.Status, Message: o.Message})
		default:
			s.Refused++
			s.Problems = append(s.Problems, BulkProblem{XPMGroupUUID: it.XPMGroupUUID, Name: o.Name, Status: o.Status, Message: o.Message})
		}
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("Linked %d of %d %s", s.Linked, s.Requested, plural(s.Requested, "group", "groups")))
	if s.CreatedGroups > 0 {
		parts = append(parts, fmt.Sprintf("%d new local %s created", s.CreatedGroups, plural(s.CreatedGroups, "group", "groups")))
	}
	if s.AlreadyLinked > 0 {
		parts = append(parts, fmt.Sprintf("%d already linked", s.AlreadyLinked))
	}
	if s.DeletedInXPM > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted in XPM", s.DeletedInXPM))
	}
	if s.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d not linked (see why)", s.Refused))
	}
	if s.NotDone > 0 {
		verb := "not done yet"
		if canceled {
			verb = "left untouched (cancelled)"
		}
		parts = append(parts, fmt.Sprintf("%d %s", s.NotDone, verb))
	}
	s.Message = strings.Join(parts, "; ") + "."
	if s.Linked > 0 {
		s.Message += " " + "Nothing was copied yet: use Pull now on each group to bring in its clients and relationships."
	}
	return s
}
