package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "s.db"))
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, ok, err := tx.Setting(ctx, "xpm.environment"); err != nil || ok {
			t.Fatalf("unset setting: ok=%v err=%v", ok, err)
		}
		if err := tx.SetSetting(ctx, "xpm.environment", "xero", t0); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, "xpm.environment", "sandbox", t0); err != nil {
			return err
		}
		v, ok, err := tx.Setting(ctx, "xpm.environment")
		if err != nil || !ok || v != "sandbox" {
			t.Fatalf("got %q %v %v", v, ok, err)
		}
		if err := tx.DeleteSetting(ctx, "xpm.environment"); err != nil {
			return err
		}
		_, ok, err = tx.Setting(ctx, "xpm.environment")
		if ok || err != nil {
			t.Fatalf("deleted setting still there: %v %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConnectionRowsAndActiveLinks(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "c.db"))
	a := XPMConnection{TenantID: "tenant-a", TenantName: "Practice A", TenantType: "PRACTICE", Scopes: "openid offline_access",
		ConnectedBy: "Alex Morgan", ConnectedEmail: "alex@example.com", ConnectedAt: t0, Status: ConnConnected,
		Environment: "sandbox", ClientID: "CID", UpdatedAt: t0}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.WithTx(ctx, func(tx *Tx) error {
		g1, err := tx.InsertGroup(ctx, "Smith family", "", t0)
		if err != nil {
			return err
		}
		g2, err := tx.InsertGroup(ctx, "Jones family", "", t0)
		if err != nil {
			return err
		}
		for _, l := range []struct {
			gid    int64
			uuid   string
			tenant string
		}{{g1.ID, "xg-1", "tenant-a"}, {g2.ID, "xg-2", "tenant-b"}} {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at) VALUES (?,?,?,?)`,
				l.gid, l.uuid, l.tenant, fmtTime(t0)); err != nil {
				return err
			}
		}
		return tx.PutConnection(ctx, a)
	}))

	must(s.View(ctx, func(tx *Tx) error {
		c, ok, err := tx.CurrentConnection(ctx)
		if err != nil || !ok || c.TenantName != "Practice A" || c.Status != ConnConnected || !c.ConnectedAt.Equal(t0) || !c.DisconnectedAt.IsZero() {
			t.Fatalf("current: %+v %v %v", c, ok, err)
		}
		ac, err := tx.ActiveLinkCounts(ctx)
		if err != nil || ac.Groups != 1 || ac.TenantID != "tenant-a" {
			t.Fatalf("active links %+v %v", ac, err)
		}
		all, err := tx.LinkCountsByTenant(ctx)
		if err != nil || len(all) != 2 || all[1].TenantID != "tenant-b" || all[1].Groups != 1 {
			t.Fatalf("by tenant %+v %v", all, err)
		}
		return nil
	}))

	// A second current connection is refused by the schema.
	b := a
	b.TenantID, b.TenantName = "tenant-b", "Practice B"
	err := s.WithTx(ctx, func(tx *Tx) error { return tx.PutConnection(ctx, b) })
	if err == nil || !strings.Contains(err.Error(), "could not save") {
		t.Fatalf("two current connections: %v", err)
	}

	// Disconnect parks every link; the row stays.
	t1 := t0.Add(time.Hour)
	must(s.WithTx(ctx, func(tx *Tx) error { return tx.SetConnectionStatus(ctx, "tenant-a", ConnDisconnected, "", t1) }))
	must(s.View(ctx, func(tx *Tx) error {
		if _, ok, err := tx.CurrentConnection(ctx); ok || err != nil {
			t.Fatalf("still current: %v %v", ok, err)
		}
		c, ok, err := tx.Connection(ctx, "tenant-a")
		if err != nil || !ok || c.Status != ConnDisconnected || !c.DisconnectedAt.Equal(t1) {
			t.Fatalf("row after disconnect: %+v %v %v", c, ok, err)
		}
		ac, err := tx.ActiveLinkCounts(ctx)
		if err != nil || ac.Total() != 0 || ac.TenantID != "" {
			t.Fatalf("active after disconnect %+v %v", ac, err)
		}
		return nil
	}))
	if n := rawCount(t, s.Path(), "group_link"); n != 2 {
		t.Fatalf("links lost on disconnect: %d", n)
	}

	// Connecting to B activates B's link only; A's stays parked.
	must(s.WithTx(ctx, func(tx *Tx) error { return tx.PutConnection(ctx, b) }))
	must(s.View(ctx, func(tx *Tx) error {
		ac, err := tx.ActiveLinkCounts(ctx)
		if err != nil || ac.Groups != 1 || ac.TenantID != "tenant-b" {
			t.Fatalf("active links for B %+v %v", ac, err)
		}
		all, err := tx.Connections(ctx)
		if err != nil || len(all) != 2 {
			t.Fatalf("rows %+v %v", all, err)
		}
		return nil
	}))
	if err := s.WithTx(ctx, func(tx *Tx) error { return tx.SetConnectionStatus(ctx, "nope", ConnConnected, "", t1) }); err == nil {
		t.Fatal("status of a missing row must fail")
	}
}

func TestTwoFactorRows(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "t.db"))
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, ok, err := tx.TwoFactor(ctx); ok || err != nil {
			t.Fatalf("fresh db has 2FA: %v %v", ok, err)
		}
		if err := tx.EnableTwoFactor(ctx, t0, 42, []string{"$argon2id$v=19$a", "$argon2id$v=19$b"}); err != nil {
			return err
		}
		r, ok, err := tx.TwoFactor(ctx)
		if err != nil || !ok || r.LastStep != 42 || !r.EnabledAt.Equal(t0) {
			t.Fatalf("row %+v %v %v", r, ok, err)
		}
		if err := tx.SetTwoFactorLastStep(ctx, 43); err != nil {
			return err
		}
		codes, err := tx.RecoveryCodes(ctx)
		if err != nil || len(codes) != 2 {
			t.Fatalf("codes %+v %v", codes, err)
		}
		if ok, err := tx.UseRecoveryCode(ctx, codes[0].ID, t0); !ok || err != nil {
			t.Fatalf("first use: %v %v", ok, err)
		}
		if ok, err := tx.UseRecoveryCode(ctx, codes[0].ID, t0); ok || err != nil {
			t.Fatalf("second use accepted: %v %v", ok, err)
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO twofa_recovery (hash) VALUES ('plain-code')`); err == nil {
			t.Fatal("a recovery code that is not an argon2id hash was stored")
		}
		if err := tx.DisableTwoFactor(ctx); err != nil {
			return err
		}
		codes, _ = tx.RecoveryCodes(ctx)
		if _, ok, _ := tx.TwoFactor(ctx); ok || len(codes) != 0 {
			t.Fatal("disable left state behind")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
