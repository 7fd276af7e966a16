package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"structura/backend/model"
)

func TestXPMGroupCacheRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "s.db"))
	n := 2
	in := []XPMGroup{
		{TenantID: "T1", UUID: "b", Name: "Smith", Taxable: "No", WebURL: "http://x", MemberCount: &n, Members: []string{"c1", "c2"},
			FirstSeenAt: t0, LastSeenAt: t0.Add(time.Hour), ChangedAt: t0, DeletedAt: t0.Add(2 * time.Hour)},
		{TenantID: "T1", UUID: "a", Name: "chen", FirstSeenAt: t0, LastSeenAt: t0, ChangedAt: t0},
		{TenantID: "T2", UUID: "z", Name: "Other practice", FirstSeenAt: t0, LastSeenAt: t0, ChangedAt: t0},
	}
	err := s.WithTx(ctx, func(tx *Tx) error {
		for _, g := range in {
			if err := tx.PutXPMGroup(ctx, g); err != nil {
				return err
			}
		}
		in[1].Name = "Chen" // upsert replaces
		if err := tx.PutXPMGroup(ctx, in[1]); err != nil {
			return err
		}
		if err := tx.PutDiscovery(ctx, Discovery{TenantID: "T1", TenantName: "Harbourside", DiscoveredAt: t0, GroupCount: 2, Calls: 2, Bytes: 1234, Duration: 1500 * time.Millisecond}); err != nil {
			return err
		}
		return tx.PutDiscovery(ctx, Discovery{TenantID: "T2", TenantName: "Coastal", DiscoveredAt: t0.Add(time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		gs, err := tx.XPMGroups(ctx, "T1")
		if err != nil || len(gs) != 2 || gs[0].Name != "Chen" || gs[1].Name != "Smith" {
			t.Fatalf("groups %+v %v", gs, err)
		}
		if gs[0].MemberCount != nil || len(gs[0].Members) != 0 || gs[0].Deleted() {
			t.Errorf("uncounted group %+v", gs[0])
		}
		want := in[0]
		if !reflect.DeepEqual(gs[1], want) {
			t.Errorf("round trip\n got %+v\nwant %+v", gs[1], want)
		}
		if _, ok, _ := tx.XPMGroup(ctx, "T2", "b"); ok {
			t.Error("a group of T1 found in T2")
		}
		if g, ok, _ := tx.XPMGroupAnyTenant(ctx, "z"); !ok || g.TenantID != "T2" {
			t.Errorf("any tenant %+v %v", g, ok)
		}
		d, ok, err := tx.Discovery(ctx, "T1")
		if err != nil || !ok || d.TenantName != "Harbourside" || d.Bytes != 1234 || d.Duration != 1500*time.Millisecond || !d.DiscoveredAt.Equal(t0) {
			t.Errorf("discovery %+v %v %v", d, ok, err)
		}
		if l, ok, _ := tx.LatestDiscovery(ctx); !ok || l.TenantID != "T2" {
			t.Errorf("latest %+v", l)
		}
		return nil
	})
}

func TestGroupLinksOneToOneAndTombstones(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "s.db"))
	var a, b model.Group
	var e1, e2 int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		var err error
		if a, err = tx.InsertGroup(ctx, "A", "", t0); err != nil {
			return err
		}
		if b, err = tx.InsertGroup(ctx, "B", "", t0); err != nil {
			return err
		}
		if e1, err = tx.InsertEntity(ctx, EntityRow{Kind: model.KindIndividual, GivenName: "Zoe", FamilyName: "Z"}, t0); err != nil {
			return err
		}
		if e2, err = tx.InsertEntity(ctx, EntityRow{Kind: model.KindIndividual, GivenName: "Al", FamilyName: "A"}, t0); err != nil {
			return err
		}
		tx.AddMember(ctx, a.ID, e1, t0)
		tx.AddMember(ctx, a.ID, e2, t0)
		if _, err := tx.InsertEntityLink(ctx, e1, "client-1", "T1", t0); err != nil {
			return err
		}
		_, err = tx.InsertGroupLink(ctx, a.ID, "xa", "T1", t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	dup := func(groupID int64, uuid string) error {
		return s.WithTx(ctx, func(tx *Tx) error { _, err := tx.InsertGroupLink(ctx, groupID, uuid, "T1", t0); return err })
	}
	if err := dup(b.ID, "xa"); !IsUniqueViolation(err) {
		t.Errorf("same XPM group twice: %v", err)
	}
	if err := dup(a.ID, "xb"); !IsUniqueViolation(err) {
		t.Errorf("same local group twice: %v", err)
	}
	s.View(ctx, func(tx *Tx) error {
		l, ok, err := tx.GroupLinkByGroup(ctx, a.ID)
		if err != nil || !ok || l.XPMGroupUUID != "xa" || l.GroupName != "A" || l.HasBase || !l.LastPulledAt.IsZero() {
			t.Errorf("link %+v %v %v", l, ok, err)
		}
		un, _ := tx.UnlinkedGroups(ctx)
		if len(un) != 1 || un[0].ID != b.ID {
			t.Errorf("unlinked %+v", un)
		}
		ms, _ := tx.GroupMemberLinks(ctx, a.ID)
		if len(ms) != 2 || ms[0].EntityID != e2 || ms[0].XPMClientUUID != "" || ms[1].XPMClientUUID != "client-1" || ms[1].TenantID != "T1" {
			t.Errorf("member links %+v", ms)
		}
		return nil
	})
	// Deleting the local group leaves a tombstone link.
	if err := s.WithTx(ctx, func(tx *Tx) error { return tx.DeleteGroup(ctx, a.ID) }); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		l, ok, _ := tx.GroupLinkByUUID(ctx, "xa")
		if !ok || l.GroupID != nil || l.GroupName != "" {
			t.Errorf("tombstone %+v %v", l, ok)
		}
		all, _ := tx.GroupLinks(ctx)
		if len(all) != 1 {
			t.Errorf("links %+v", all)
		}
		return nil
	})
}
