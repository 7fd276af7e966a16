package groupsync

import (
	"testing"
)

// measureDiscovery discovers a practice and returns the XPM calls made
// (sandbox log), the bytes of every answer (client side) and the result.
func measureDiscovery(t testing.TB, h *harness) (calls int, bytes int64, res DiscoveryResult) {
	h.sb.ClearLog()
	b0 := h.count.bytes.Load()
	res, err := h.svc.Discover(h.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(h.sb.RequestLog()), h.count.bytes.Load() - b0, res
}

// What a discovery costs, for docs/sync-groups.md: two calls whatever the
// practice's size, versus one clientgroup.api/get per group for the
// alternative.
func TestDiscoveryCost(t *testing.T) {
	for _, data := range []string{"demo", "generated:1500:300"} {
		h := newHarness(t, data)
		calls, bytes, res := measureDiscovery(t, h)
		if calls != 2 || res.Calls != 2 || bytes <= res.Bytes || res.Bytes == 0 {
			t.Fatalf("%s: %d calls, %d bytes (client list %d)", data, calls, bytes, res.Bytes)
		}
		// The alternative: the group list and one get per group.
		h.sb.ClearLog()
		b0 := h.count.bytes.Load()
		rows := h.list(Filter{}).Groups
		for _, r := range rows {
			gd, err := h.x.c.Groups.Get(h.ctx, r.UUID)
			if err != nil {
				t.Fatal(err)
			}
			if len(gd.Clients) != *r.MemberCount {
				t.Fatalf("%s: %s has %d members by get, %d by the client list", data, r.Name, len(gd.Clients), *r.MemberCount)
			}
		}
		perGroup := h.count.bytes.Load() - b0
		t.Logf("%s: %d groups, %d clients: detailed list = %d calls, %d bytes (client list %d); per-group gets = %d calls, %d bytes",
			data, res.Groups, res.Clients, calls, bytes, res.Bytes, len(rows)+1, perGroup)
		if h.rateLimited() != 0 {
			t.Fatal("429")
		}
	}
}

// BenchmarkDiscover15000 discovers a 15,000-client practice (3,000
// groups): bytes per discovery are reported as bytes/op.
func BenchmarkDiscover15000(b *testing.B) {
	h := newHarness(b, "generated:15000:3000")
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		_, n, res := measureDiscovery(b, h)
		if res.Groups != 3000 {
			b.Fatalf("%d groups", res.Groups)
		}
		bytes = n
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(bytes), "bytes/discovery")
}
