package pull

import (
	"context"
	"runtime"
	"runtime/metrics"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"structura/backend/clock"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/sync"
	"structura/backend/xpm/xpmtest"
)

// apiCalls counts the XPM API calls the sandbox answered (identity calls
// aside).
func apiCalls(s *sandbox.Server) int {
	n := 0
	for op, c := range s.Stats().ByOperation {
		if !strings.HasPrefix(op, "identity") {
			n += c
		}
	}
	return n
}

// heapPeak samples the live heap every 10 ms until stopped.
type heapPeak struct {
	mu   gosync.Mutex
	peak uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > h.peak {
			h.peak = v
		}
	}
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				h.mu.Lock()
				read()
				h.mu.Unlock()
				return
			case <-t.C:
				h.mu.Lock()
				read()
				h.mu.Unlock()
			}
		}
	}()
	return h
}

func (h *heapPeak) Stop() float64 {
	close(h.stop)
	<-h.done
	return float64(h.peak) / (1 << 20)
}

func liveHeapMB() float64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

// benchPull runs one pull (read, review, apply with the suggestions) on a
// fresh data folder and reports calls, simulated time and heap.
func benchPull(b *testing.B, sb *xpmtest.Env, setup func(e *env) Request, wantStrategy string) {
	b.Helper()
	var calls, simMinutes, peak, base float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnvOn(b, sb, b.TempDir())
		req := setup(e)
		base = liveHeapMB()
		c0, t0 := apiCalls(sb.Sandbox), e.clk.Now()
		hp := startHeapPeak()
		b.StartTimer()

		in, err := e.svc.Start(e.ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if j := e.wait(in.ReadJobID); j.State != "succeeded" {
			b.Fatalf("read: %s %+v", j.State, j.Error)
		}
		if _, err := e.svc.AcceptSuggestions(e.ctx, in.ID); err != nil {
			b.Fatal(err)
		}
		in, err = e.svc.Apply(e.ctx, in.ID)
		if err != nil {
			b.Fatal(err)
		}
		if j := e.wait(in.ApplyJobID); j.State != "succeeded" {
			b.Fatalf("apply: %s %+v", j.State, j.Error)
		}

		b.StopTimer()
		peak = hp.Stop()
		got, _ := e.svc.Get(e.ctx, in.ID)
		if got.ReadPlan.Strategy != wantStrategy || got.State != store.PullApplied {
			b.Fatalf("pull %s with %s", got.State, got.ReadPlan.Strategy)
		}
		calls = float64(apiCalls(sb.Sandbox) - c0)
		simMinutes = e.clk.Now().Sub(t0).Minutes()
		_ = e.runner.Close(10 * time.Second)
		_ = e.st.Close()
		b.StartTimer()
	}
	b.ReportMetric(calls, "calls")
	b.ReportMetric(simMinutes, "simulated-min")
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(base, "heap-before-MB")
}

// linkAll links every XPM group of the sandbox to a new local group.
func linkAll(b testing.TB, e *env) {
	groups, err := e.sb.Sandbox.Groups(e.sb.Tenant)
	if err != nil {
		b.Fatal(err)
	}
	err = e.st.WithTx(e.ctx, func(tx *store.Tx) error {
		for _, g := range groups {
			lg, err := tx.InsertGroup(e.ctx, g.Name, "", e.clk.Now())
			if err != nil {
				return err
			}
			if _, err := tx.InsertGroupLink(e.ctx, lg.ID, g.UUID, e.sb.Tenant, e.clk.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// The whole generated practice (15,000 clients in 3,000 groups), every
// group linked, Xero's limits on, fake clock.
func BenchmarkPullWholePractice15000(b *testing.B) {
	benchWhole(b, "generated:15000:3000")
}

// A fifth of it, to see how the cost grows.
func BenchmarkPullWholePractice3000(b *testing.B) {
	benchWhole(b, "generated:3000:600")
}

func benchWhole(b *testing.B, data string) {
	sb := xpmtest.Run(b, xpmtest.Options{Sandbox: sandbox.Options{Data: data, Seed: 1, Clock: clock.NewFake(xpmtest.Start)}})
	benchPull(b, sb, func(e *env) Request {
		linkAll(b, e)
		return Request{All: true}
	}, sync.ReadList)
}

// One 40-client group (eight whole families) of the generated practice.
func BenchmarkPullOneGroup40Clients(b *testing.B) {
	sb := xpmtest.Run(b, xpmtest.Options{Sandbox: sandbox.Options{Data: "generated:15000:3000", Seed: 1, Clock: clock.NewFake(xpmtest.Start)}})
	groups, err := sb.Sandbox.Groups(sb.Tenant)
	if err != nil {
		b.Fatal(err)
	}
	var members []string
	for _, g := range groups {
		if len(members)+len(g.Members) > 40 {
			continue
		}
		members = append(members, g.Members...)
		if len(members) == 40 {
			break
		}
	}
	if len(members) != 40 {
		b.Fatalf("%d members", len(members))
	}
	big, err := sb.Sandbox.PutGroup(sb.Tenant, sandbox.Group{Name: "Forty Clients Group", Members: members})
	if err != nil {
		b.Fatal(err)
	}
	benchPull(b, sb, func(e *env) Request {
		err := e.st.WithTx(context.Background(), func(tx *store.Tx) error {
			lg, err := tx.InsertGroup(e.ctx, big.Name, "", e.clk.Now())
			if err != nil {
				return err
			}
			_, err = tx.InsertGroupLink(e.ctx, lg.ID, big.UUID, e.sb.Tenant, e.clk.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return Request{XPMGroupUUIDs: []string{big.UUID}}
	}, sync.ReadGroups)
}
