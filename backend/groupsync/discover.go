package groupsync

import (
	"context"
	"fmt"
	"time"

	"structura/backend/jobs"
	"structura/backend/store"
	"structura/backend/xpm"
)

// DiscoveryResult says what a discovery read and found.
type DiscoveryResult struct {
	Tenant       Tenant    `json:"tenant"`
	DiscoveredAt time.Time `json:"discoveredAt"`
	Groups       int       `json:"groups"`  // groups XPM has now
	Clients      int       `json:"clients"` // clients in the detailed list
	// Calls is the number of XPM operations (2: the group list and one
	// detailed client list); Bytes is the size of the client list.
	Calls   int     `json:"calls"`
	Bytes   int64   `json:"bytes"`
	Changes Changes `json:"changes"`
}

// discoverCalls is what a discovery costs: clientgroup.api/list for the
// groups, then one detailed client.api/list whose clients each list their
// groups (members and counts for every group in one call). See
// docs/adr/0021.
const discoverCalls = 2

// Discover reads the practice's groups and their members from XPM and
// updates the cache (one transaction). progress, if set, is told about each
// stage.
func (s *Service) Discover(ctx context.Context, progress func(jobs.Progress)) (DiscoveryResult, error) {
	if progress == nil {
		progress = func(jobs.Progress) {}
	}
	c, tenant, err := s.client(ctx)
	if err != nil {
		return DiscoveryResult{}, err
	}
	start := s.clk.Now()
	res := DiscoveryResult{Tenant: tenant}
	left := func() *int { n := c.Pacer().CallsLeftToday(); return &n }

	progress(jobs.Progress{Stage: "groups", Total: 0, Message: "Reading the list of client groups from XPM…", CallsLeftToday: left()})
	groups, err := c.Groups.List(ctx)
	s.observe(tenant.ID, err)
	if err != nil {
		return res, xpm.UserError(err)
	}
	res.Calls++
	members := make(map[string][]string, len(groups))
	for _, g := range groups {
		members[xpm.Value(g.UUID)] = nil
	}

	progress(jobs.Progress{Stage: "members", Message: fmt.Sprintf("Counting the members of %d groups…", len(groups)), CallsLeftToday: left()})
	var bytes int64
	err = c.Clients.List(ctx, &xpm.ListOptions{Detailed: true, Progress: func(p xpm.ListProgress) {
		bytes = p.Bytes
		// Done and Total count bytes of the answer (Total 0 when XPM does
		// not say its size).
		msg := fmt.Sprintf("Counting group members: %d clients read…", p.Clients)
		pr := jobs.Progress{Stage: "members", Done: int(p.Bytes), Message: msg, CallsLeftToday: left()}
		if p.TotalBytes > 0 {
			pr.Total = int(p.TotalBytes)
		}
		progress(pr)
	}}, func(cl *xpm.ClientDetail) error {
		res.Clients++
		for _, g := range cl.Groups {
			id := xpm.Value(g.UUID)
			if _, ok := members[id]; ok {
				members[id] = append(members[id], cl.GetUUID())
			}
		}
		return nil
	})
	s.observe(tenant.ID, err)
	if err != nil {
		return res, xpm.UserError(err)
	}
	res.Calls++
	res.Bytes = bytes

	observed := make([]Observed, 0, len(groups))
	for _, g := range groups {
		id := xpm.Value(g.UUID)
		observed = append(observed, Observed{UUID: id, Name: xpm.Value(g.Name), Taxable: yesNo(g.Taxable),
			WebURL: xpm.Value(g.WebURL), Members: members[id], Counted: true})
	}
	now := s.clk.Now()
	res.DiscoveredAt, res.Groups = now, len(groups)
	err = s.st.WithTx(ctx, func(tx *store.Tx) error {
		prev, err := tx.XPMGroups(ctx, tenant.ID)
		if err != nil {
			return err
		}
		next, ch := Diff(tenant.ID, prev, observed, now)
		res.Changes = ch
		for _, g := range next {
			if err := tx.PutXPMGroup(ctx, g); err != nil {
				return err
			}
		}
		return tx.PutDiscovery(ctx, store.Discovery{TenantID: tenant.ID, TenantName: tenant.Name, DiscoveredAt: now,
			GroupCount: len(groups), ClientCount: res.Clients, Calls: res.Calls, Bytes: res.Bytes, Duration: now.Sub(start)})
	})
	if err != nil {
		return res, err
	}
	progress(jobs.Progress{Stage: "done", Done: len(groups), Total: len(groups),
		Message: fmt.Sprintf("Found %d client groups in XPM.", len(groups)), CallsLeftToday: left()})
	s.log.Info("xpm groups discovered", "tenant", tenant.ID, "groups", len(groups), "clients", res.Clients,
		"bytes", res.Bytes, "added", len(res.Changes.Added), "deleted", len(res.Changes.Deleted))
	s.emit(false)
	return res, nil
}

func yesNo(b xpm.Bool) string {
	v, ok := b.Get()
	switch {
	case !ok:
		return ""
	case v:
		return "Yes"
	}
	return "No"
}

func (s *Service) runDiscover(ctx context.Context, run *jobs.Run) (any, error) {
	res, err := s.Discover(ctx, run.Report)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RefreshXPMGroups starts a discovery in the background (or returns the
// one already running). Watch its "job:progress" events; the list is
// reloaded on "xpmgroups:changed". It fails at once, with what to do, when
// Structura is not connected.
func (s *Service) RefreshXPMGroups(ctx context.Context) (jobs.Info, error) {
	if info, ok := s.jobs.Active(KindDiscover); ok {
		return info, nil
	}
	if _, _, err := s.client(ctx); err != nil {
		return jobs.Info{}, err
	}
	return s.jobs.Submit(ctx, KindDiscover, "Find client groups in XPM", struct{}{})
}

// OnConnected starts a discovery of the practice just connected. The
// connection service calls it after a successful connect or reconnect.
func (s *Service) OnConnected(ctx context.Context, tenantID string) (jobs.Info, error) {
	s.observe(tenantID, nil)
	s.log.Info("discovering the groups of a new connection", "tenant", tenantID)
	return s.RefreshXPMGroups(ctx)
}
