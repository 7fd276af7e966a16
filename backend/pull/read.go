package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"structura/backend/apperr"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/sync"
	"structura/backend/xpm"
)

// Read stages (jobs.Progress.Stage).
const (
	StageGroups     = "read-groups"     // clientgroup.api/get + client.api/get per member
	StageList       = "read-list"       // the detailed client list
	StageReferenced = "read-referenced" // clients outside the groups that members are related to
	StagePlan       = "plan"            // computing the review
	StageApply      = "apply"           // writing, group by group
)

// listBatch is how many listed clients are stored per transaction.
const listBatch = 500

// reader is one run of the read job.
type reader struct {
	s      *Service
	run    *jobs.Run
	p      store.PullRow
	c      *xpm.Client
	plan   sync.ReadPlan
	rd     readDoc
	calls0 int // pacer calls when this run started
	total  int // calls expected
}

// runRead is the read job: it reads what the pull's plan chose, group by
// group (saving each group with its clients in one transaction, so a
// restart carries on after the last one saved) or in one list, then the
// clients outside the groups that members are related to, then computes
// the review.
func (s *Service) runRead(ctx context.Context, run *jobs.Run) (any, error) {
	var params jobParams
	if err := run.DecodeParams(&params); err != nil {
		return nil, err
	}
	p, err := s.pull(ctx, params.PullID)
	if err != nil {
		return nil, err
	}
	if p.State != store.PullReading {
		return map[string]any{"pullId": p.ID, "state": p.State}, nil
	}
	if p.Error != "" {
		if p, err = s.clearError(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	r := &reader{s: s, run: run, p: p, plan: decode[sync.ReadPlan](p.ReadPlan), rd: decode[readDoc](p.Read)}
	summary, err := r.read(ctx)
	if err != nil {
		s.endRead(p.ID, ctx, err)
		return summary, err
	}
	return summary, nil
}

// endRead records how a read that did not reach the review ended.
func (s *Service) endRead(id int64, ctx context.Context, err error) {
	wctx := context.WithoutCancel(ctx)
	state, errText := store.PullFailed, ""
	cause := context.Cause(ctx)
	pub := apperr.Public(xpm.UserError(err))
	switch {
	case ctx.Err() != nil && strings.Contains(fmt.Sprint(cause), "closing"):
		return // the app is closing: the job resumes on the next start
	case ctx.Err() != nil || apperr.CodeOf(err) == apperr.CodeCanceled:
		state = store.PullCanceled
	case pub.Code == apperr.CodeAuth || pub.Code == apperr.CodeUnavailable || pub.Code == apperr.CodeRateLimited:
		// Offline, locked, reconnect needed, out of calls: the read waits
		// with what it has; Resume carries on.
		state = store.PullReading
		b, _ := json.Marshal(pub)
		errText = string(b)
	default:
		b, _ := json.Marshal(pub)
		errText = string(b)
	}
	_ = s.st.WithTx(wctx, func(tx *store.Tx) error {
		p, err := tx.Pull(wctx, id)
		if err != nil || p.State != store.PullReading {
			return err
		}
		p.State, p.Error = state, errText
		if err := tx.UpdatePull(wctx, p, s.clk.Now()); err != nil {
			return err
		}
		if state == store.PullReading {
			return nil
		}
		return tx.DeletePullClients(wctx, id)
	})
	s.changed(wctx, id)
}

func (r *reader) read(ctx context.Context) (any, error) {
	s := r.s
	c, err := s.x.Client(ctx)
	if err != nil {
		return nil, xpm.UserError(err)
	}
	if !strings.EqualFold(c.TenantID(), r.p.TenantID) {
		return nil, apperr.New(apperr.CodeConflict, "Structura is now connected to another XPM practice than the one this pull started with.",
			"Start the pull again.")
	}
	r.c = c
	r.calls0 = c.Pacer().Stats().Calls
	if r.p.ReadStartedAt.IsZero() {
		// The read's start becomes the groups' last_pulled_at: a later list
		// read asks for what changed since (minus a margin).
		r.p.ReadStartedAt = s.clk.Now()
		if err := r.savePull(ctx); err != nil {
			return nil, err
		}
	}
	groups, err := r.groups(ctx)
	if err != nil {
		return nil, err
	}
	switch r.plan.Strategy {
	case sync.ReadList:
		err = r.readList(ctx, groups)
	default:
		err = r.readGroups(ctx, groups)
	}
	if err != nil {
		return nil, err
	}
	if err := r.readReferenced(ctx); err != nil {
		return nil, err
	}
	return r.finish(ctx)
}

func (r *reader) groups(ctx context.Context) ([]store.PullGroupRow, error) {
	var gs []store.PullGroupRow
	err := r.s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		gs, err = tx.PullGroups(ctx, r.p.ID, false)
		return err
	})
	return gs, err
}

func (r *reader) savePull(ctx context.Context) error {
	r.p.Read = encode(r.rd)
	return r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		cur, err := tx.Pull(ctx, r.p.ID)
		if err != nil {
			return err
		}
		cur.Read, cur.ReadStartedAt = r.p.Read, r.p.ReadStartedAt
		return tx.UpdatePull(ctx, cur, r.s.clk.Now())
	})
}

// callsNow counts the calls this pull has made (across runs).
func (r *reader) callsNow() int { return r.rd.Calls + r.c.Pacer().Stats().Calls - r.calls0 }

func (r *reader) report(stage string, done, total int, msg string, remainingCalls int) {
	left := r.c.Pacer().CallsLeftToday()
	p := jobs.Progress{Stage: stage, Done: done, Total: total, Message: msg, CallsLeftToday: &left}
	if remainingCalls > 0 {
		p.ETA = r.c.Pacer().ETA(remainingCalls).Duration
	}
	r.run.Report(p)
}

func (r *reader) checkpoint(ctx context.Context, v any) error {
	r.rd.Calls = r.callsNow()
	r.calls0 = r.c.Pacer().Stats().Calls
	if err := r.savePull(ctx); err != nil {
		return err
	}
	return r.run.SaveCheckpoint(ctx, v)
}

// readGroups reads each group and its members, one group per transaction.
func (r *reader) readGroups(ctx context.Context, groups []store.PullGroupRow) error {
	var have map[string]bool
	if err := r.s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		have, err = tx.PullClientUUIDs(ctx, r.p.ID)
		return err
	}); err != nil {
		return err
	}
	done := 0
	for _, g := range groups {
		if !g.ReadAt.IsZero() {
			done++
		}
	}
	remaining := func(from int) int {
		n := 0
		for _, g := range groups[from:] {
			if g.ReadAt.IsZero() {
				n += 1 + unknownMembers
			}
		}
		return n
	}
	for i, g := range groups {
		if !g.ReadAt.IsZero() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		r.report(StageGroups, done, len(groups), fmt.Sprintf("Reading group %d of %d from XPM: %s", done+1, len(groups), g.Name), remaining(i))
		gd, err := r.c.Groups.Get(ctx, g.XPMUUID)
		gone := false
		var members []string
		name := g.Name
		if err != nil {
			if !isNotFound(err) {
				return err
			}
			gone = true
		} else {
			name = xpm.Value(gd.Name)
			for _, m := range gd.Clients {
				if u := strings.TrimSpace(xpm.Value(m.UUID)); u != "" && !slices.Contains(members, u) {
					members = append(members, u)
				}
			}
		}
		type got struct {
			uuid, js, missing string
		}
		var clients []got
		for _, m := range members {
			if have[m] {
				continue
			}
			cd, err := r.c.Clients.Get(ctx, m)
			if err != nil {
				if !isNotFound(err) {
					return err
				}
				clients = append(clients, got{uuid: m, missing: "a member of group " + name})
				continue
			}
			js, err := json.Marshal(clientOf(cd))
			if err != nil {
				return err
			}
			clients = append(clients, got{uuid: m, js: string(js)})
		}
		err = r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			for _, c := range clients {
				if err := tx.PutPullClient(ctx, r.p.ID, c.uuid, c.js, c.missing, store.PullFromXPM); err != nil {
					return err
				}
			}
			return tx.SetPullGroupRead(ctx, r.p.ID, g.XPMUUID, name, members, gone, r.s.clk.Now())
		})
		if err != nil {
			return err
		}
		for _, c := range clients {
			have[c.uuid] = true
		}
		done++
		if err := r.checkpoint(ctx, map[string]int{"groupsRead": done}); err != nil {
			return err
		}
	}
	return nil
}

// unknownMembers is assumed per group still to read, for the ETA.
const unknownMembers = 6

func isNotFound(err error) bool {
	var nf *xpm.NotFoundError
	return errors.As(err, &nf)
}

// readList reads the whole practice in one detailed list (only what
// changed since the last pull when the plan says so), stores the clients
// in batches, then works out the members of each group and keeps only the
// clients the pull needs.
func (r *reader) readList(ctx context.Context, groups []store.PullGroupRow) error {
	if !r.rd.ListDone {
		expected := 0
		if err := r.s.st.View(ctx, func(tx *store.Tx) error {
			d, ok, err := tx.Discovery(ctx, r.p.TenantID)
			if ok {
				expected = d.ClientCount
			}
			return err
		}); err != nil {
			return err
		}
		since := r.plan.ModifiedSince
		msg := "Reading every client of the practice from XPM"
		if !since.IsZero() {
			msg = "Reading the clients changed in XPM since the last pull"
			expected = 0
		}
		r.report(StageList, 0, expected, msg, 1)
		var batch []*sync.Client
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				for _, c := range batch {
					js, err := json.Marshal(c)
					if err != nil {
						return err
					}
					if err := tx.PutPullClient(ctx, r.p.ID, c.UUID, string(js), "", store.PullFromXPM); err != nil {
						return err
					}
				}
				return nil
			})
			batch = batch[:0]
			return err
		}
		n := 0
		err := r.c.Clients.List(ctx, &xpm.ListOptions{Detailed: true, ModifiedSince: since, Progress: func(lp xpm.ListProgress) {
			r.report(StageList, lp.Clients, max(expected, lp.Clients), fmt.Sprintf("%s: %d clients so far", msg, lp.Clients), 0)
		}}, func(cd *xpm.ClientDetail) error {
			batch = append(batch, clientOf(cd))
			n++
			if len(batch) >= listBatch {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
		if err := r.membersFromList(ctx, groups); err != nil {
			return err
		}
		r.rd.ListDone = true
		r.rd.ModifiedSince = since
		if err := r.checkpoint(ctx, map[string]any{"listDone": true, "clients": n}); err != nil {
			return err
		}
	}
	return nil
}

// membersFromList works out each group's members from the listed clients'
// groups. After an incremental list, a client the list did not return has
// not changed: it stays a member if it was one at the last pull, and its
// last pulled record (the base snapshot) stands for it when that is recent
// enough; otherwise it is read on its own (readReferenced).
func (r *reader) membersFromList(ctx context.Context, groups []store.PullGroupRow) error {
	return r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		in := map[string]bool{}
		for _, g := range groups {
			in[g.XPMUUID] = true
		}
		byGroup := map[string]map[string]bool{} // pulled group -> listed clients that name it
		names := map[string]string{}            // pulled group -> its name as the clients give it
		all := map[string]bool{}
		related := map[string][]string{}
		err := tx.PullClients(ctx, r.p.ID, func(uuid, js, missing string) error {
			all[uuid] = true
			if missing != "" {
				return nil
			}
			var c struct {
				Groups        []sync.Ref    `json:"groups"`
				Relationships []sync.XPMRel `json:"relationships"`
			}
			if err := json.Unmarshal([]byte(js), &c); err != nil {
				return err
			}
			for _, g := range c.Groups {
				if !in[g.UUID] {
					continue
				}
				if byGroup[g.UUID] == nil {
					byGroup[g.UUID] = map[string]bool{}
				}
				byGroup[g.UUID][uuid] = true
				if g.Name != "" && names[g.UUID] == "" {
					names[g.UUID] = g.Name
				}
			}
			for _, rel := range c.Relationships {
				if u := strings.TrimSpace(rel.Related.UUID); u != "" {
					related[uuid] = append(related[uuid], u)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		incremental := !r.plan.ModifiedSince.IsZero()
		needed := map[string]bool{}
		for _, g := range groups {
			members := byGroup[g.XPMUUID]
			if members == nil {
				members = map[string]bool{}
			}
			name := g.Name
			if n := names[g.XPMUUID]; n != "" {
				name = n
			}
			if incremental {
				gl, ok, err := tx.GroupLinkForPull(ctx, g.XPMUUID)
				if err != nil {
					return err
				}
				if ok && gl.Base != "" {
					base := decode[sync.GroupBase](gl.Base)
					for _, m := range base.Members {
						if !all[m] { // not changed since: still a member
							members[m] = true
						}
					}
					if names[g.XPMUUID] == "" && base.Name != "" {
						name = base.Name
					}
				}
			}
			ms := make([]string, 0, len(members))
			for m := range members {
				ms = append(ms, m)
				needed[m] = true
			}
			sort.Strings(ms)
			if err := tx.SetPullGroupRead(ctx, r.p.ID, g.XPMUUID, name, ms, false, r.s.clk.Now()); err != nil {
				return err
			}
		}
		// Keep the members and the clients they are related to (after an
		// incremental list, every changed client: the suspects check
		// compares them with the base snapshots); drop the rest.
		keep := map[string]bool{}
		for u := range needed {
			keep[u] = true
			for _, o := range related[u] {
				keep[o] = true
			}
		}
		for u := range all {
			if !keep[u] && !incremental {
				if err := tx.DeletePullClient(ctx, r.p.ID, u); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// readReferenced completes the snapshot: every member and every client a
// member is related to must be in it. After an incremental list a
// client's recent base snapshot stands for it (it did not change in XPM);
// anything else is read with client.api/get (a 404 records the client as
// gone from XPM). A base that disagrees with a client XPM returned as
// changed (a relationship between them is gone) is checked with a read:
// that is how a client deleted in XPM is noticed without a full read.
func (r *reader) readReferenced(ctx context.Context) error {
	if r.rd.ReferencedDone {
		return nil
	}
	incremental := !r.rd.ModifiedSince.IsZero()
	verified := false
	read := 0
	for {
		todo, bases, err := r.referencedTodo(ctx, incremental)
		if err != nil {
			return err
		}
		if len(bases) > 0 {
			if err := r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				for _, u := range sortedKeys(bases) {
					if err := tx.PutPullClient(ctx, r.p.ID, u, bases[u], "", store.PullFromBase); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
			continue // their relationships may reach further clients
		}
		if incremental && !verified {
			verified = true
			suspects, err := r.suspects(ctx)
			if err != nil {
				return err
			}
			todo = append(todo, suspects...)
		}
		if len(todo) == 0 {
			break
		}
		for i, u := range todo {
			if err := ctx.Err(); err != nil {
				return err
			}
			r.report(StageReferenced, read, read+len(todo)-i, fmt.Sprintf("Reading %d more %s from XPM", len(todo)-i, plural(len(todo)-i, "client", "clients")), len(todo)-i)
			js, missing := "", ""
			cd, err := r.c.Clients.Get(ctx, u)
			switch {
			case err == nil:
				b, err := json.Marshal(clientOf(cd))
				if err != nil {
					return err
				}
				js = string(b)
			case isNotFound(err):
				missing = "no longer in XPM"
			default:
				return err
			}
			if err := r.s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				return tx.PutPullClient(ctx, r.p.ID, u, js, missing, store.PullFromXPM)
			}); err != nil {
				return err
			}
			read++
			if read%20 == 0 {
				if err := r.checkpoint(ctx, map[string]int{"clientsRead": read}); err != nil {
					return err
				}
			}
		}
	}
	r.rd.ReferencedDone = true
	return r.checkpoint(ctx, map[string]bool{"referencedDone": true})
}

// referencedTodo lists the clients the snapshot still needs: those to read
// from XPM, and (incremental reads) those a recent base snapshot stands
// for (uuid → its client JSON).
func (r *reader) referencedTodo(ctx context.Context, incremental bool) (todo []string, bases map[string]string, err error) {
	bases = map[string]string{}
	err = r.s.st.View(ctx, func(tx *store.Tx) error {
		have, err := tx.PullClientUUIDs(ctx, r.p.ID)
		if err != nil {
			return err
		}
		gs, err := tx.PullGroups(ctx, r.p.ID, false)
		if err != nil {
			return err
		}
		need := map[string]bool{}
		members := map[string]bool{}
		for _, g := range gs {
			for _, m := range g.Members {
				need[m], members[m] = true, true
			}
		}
		err = tx.PullClients(ctx, r.p.ID, func(uuid, js, missing string) error {
			if !members[uuid] || missing != "" {
				return nil
			}
			for _, u := range relatedOf(js) {
				need[u] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		fresh := map[string]string{}
		if incremental {
			links, err := tx.EntityLinkRows(ctx)
			if err != nil {
				return err
			}
			for _, l := range links {
				if l.Base != "" && !l.BaseAt.Before(r.rd.ModifiedSince) && strings.EqualFold(l.TenantID, r.p.TenantID) {
					fresh[l.XPMUUID] = l.Base
				}
			}
		}
		for u := range need {
			if have[u] {
				continue
			}
			if b, ok := fresh[u]; ok {
				var eb sync.EntityBase
				if json.Unmarshal([]byte(b), &eb) == nil && eb.Client != nil {
					js, err := json.Marshal(eb.Client)
					if err != nil {
						return err
					}
					bases[u] = string(js)
					continue
				}
			}
			todo = append(todo, u)
		}
		sort.Strings(todo)
		return nil
	})
	return todo, bases, err
}

func relatedOf(js string) []string {
	var c struct {
		Relationships []sync.XPMRel `json:"relationships"`
	}
	if json.Unmarshal([]byte(js), &c) != nil {
		return nil
	}
	var out []string
	for _, rel := range c.Relationships {
		if u := strings.TrimSpace(rel.Related.UUID); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// suspects lists the clients whose base snapshot stands in for them but
// disagrees with a client XPM returned as changed: the base names a
// relationship with it that the changed client no longer has.
func (r *reader) suspects(ctx context.Context) ([]string, error) {
	var out []string
	err := r.s.st.View(ctx, func(tx *store.Tx) error {
		fromBase, err := tx.PullClientsFrom(ctx, r.p.ID, store.PullFromBase)
		if err != nil {
			return err
		}
		listed := map[string]map[string]bool{} // changed client -> its relationship uuids
		bases := map[string][]sync.XPMRel{}
		err = tx.PullClients(ctx, r.p.ID, func(uuid, js, missing string) error {
			if missing != "" {
				return nil
			}
			var c struct {
				Relationships []sync.XPMRel `json:"relationships"`
			}
			if json.Unmarshal([]byte(js), &c) != nil {
				return nil
			}
			if fromBase[uuid] {
				bases[uuid] = c.Relationships
				return nil
			}
			ids := map[string]bool{}
			for _, rel := range c.Relationships {
				ids[rel.UUID] = true
			}
			listed[uuid] = ids
			return nil
		})
		if err != nil {
			return err
		}
		for _, u := range sortedKeys(bases) {
			for _, rel := range bases[u] {
				if ids, ok := listed[rel.Related.UUID]; ok && rel.UUID != "" && !ids[rel.UUID] {
					out = append(out, u)
					break
				}
			}
		}
		return nil
	})
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// finish computes the review and opens it.
func (r *reader) finish(ctx context.Context) (any, error) {
	s := r.s
	r.report(StagePlan, 0, 1, "Preparing the review", 0)
	var snap *sync.Snapshot
	var plan *sync.Plan
	var local *sync.Local
	var cache *planCache
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if snap, err = loadSnapshot(ctx, tx, r.p); err != nil {
			return err
		}
		if local, err = loadLocal(ctx, tx, snap); err != nil {
			return err
		}
		cur, err := tx.Pull(ctx, r.p.ID)
		if err != nil {
			return err
		}
		pos, err := journalPos(ctx, tx)
		if err != nil {
			return err
		}
		plan = sync.Review(sync.Input{Snapshot: snap, Local: local, Decisions: decisionsOf(cur), Today: model.Today(s.clk.Now()), Mapping: s.mapping})
		cache = &planCache{pullID: r.p.ID, snap: snap, journalPos: pos, decisions: cur.Decisions, rules: len(local.Rules), plan: plan, local: local}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.rd.Calls = r.callsNow()
	err = s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, r.p.ID)
		if err != nil {
			return err
		}
		if p.State != store.PullReading {
			return nil
		}
		p.State, p.Summary, p.Read = store.PullReview, encode(plan.Summary), encode(r.rd)
		return tx.UpdatePull(ctx, p, s.clk.Now())
	})
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.cache = cache // the review opens at once
	s.cacheMu.Unlock()
	r.report(StagePlan, 1, 1, plan.Summary.Message, 0)
	s.changed(ctx, r.p.ID)
	s.log.Info("pull ready for review", "pull", r.p.ID, "clients", len(snap.Clients), "calls", r.rd.Calls,
		"changes", plan.Summary.Changes, "needInput", plan.Summary.NeedInput)
	return readSummary{PullID: r.p.ID, State: store.PullReview, Calls: r.rd.Calls, Clients: len(snap.Clients),
		Summary: plan.Summary, Message: plan.Summary.Message, ReadAt: r.p.ReadStartedAt}, nil
}

// readSummary is the read job's summary (its final event's payload).
type readSummary struct {
	PullID  int64        `json:"pullId"`
	State   string       `json:"state"`
	Calls   int          `json:"calls"`
	Clients int          `json:"clients"`
	Summary sync.Summary `json:"summary"`
	Message string       `json:"message"`
	ReadAt  time.Time    `json:"readAt"`
}
