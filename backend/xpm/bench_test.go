package xpm_test

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"structura/backend/clock"
	"structura/backend/sandbox"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

func TestMain(m *testing.M) {
	xpmtest.ServeChildIfAsked()
	os.Exit(m.Run())
}

// heapPeak samples the live heap (runtime/metrics, heap objects) while a
// read runs.
type heapPeak struct {
	base, peak atomic.Uint64
	stop, done chan struct{}
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	h.base.Store(s[0].Value.Uint64())
	h.peak.Store(s[0].Value.Uint64())
	go func() {
		defer close(h.done)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > h.peak.Load() {
					h.peak.Store(v)
				}
			}
		}
	}()
	return h
}

func (h *heapPeak) finish() (base, peak uint64) {
	close(h.stop)
	<-h.done
	return h.base.Load(), h.peak.Load()
}

const mb = 1 << 20

// BenchmarkReadPractice reads a generated 15,000-client, 3,000-group
// practice from the sandbox with its limits on (60 a minute, 5,000 a day,
// 5 in flight) and a fake clock (acceptance 2):
//
//   - detailed: the whole practice in two calls (client list with groups
//     and relationships, group list);
//   - per-group: the way that needs many calls: the group list, every
//     group's members (3,000 gets, 5 at a time) and the paged client list
//     (100 a page).
//
// Figures: calls, 429 answers (must be 0), simulated minutes, share of the
// per-minute budget used, MB read, process peak heap (the in-process
// sandbox included; see BenchmarkStreamDetailedList for the client's own).
func BenchmarkReadPractice(b *testing.B) {
	clk := clock.NewFake(xpmtest.Start)
	env := xpmtest.Run(b, xpmtest.Options{Sandbox: sandbox.Options{Clock: clk, Data: "generated:15000:3000", Seed: 1}})
	groups, _ := env.Sandbox.Groups(env.Tenant)
	if len(groups) != 3000 {
		b.Fatalf("%d groups", len(groups))
	}
	for _, mode := range []string{"detailed", "per-group"} {
		b.Run(mode, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clk.Advance(25 * time.Hour) // a fresh day for each run
				var calls callLog
				c := env.Client(b, logTo(&calls))
				b.StartTimer()

				heap := startHeapPeak()
				start := clk.Now()
				clients := 0
				switch mode {
				case "detailed":
					err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true}, func(*xpm.ClientDetail) error { clients++; return nil })
					if err != nil {
						b.Fatal(err)
					}
					if gs, err := c.Groups.List(bg); err != nil || len(gs) != 3000 {
						b.Fatalf("%d groups: %v", len(gs), err)
					}
				case "per-group":
					gs, err := c.Groups.List(bg)
					if err != nil {
						b.Fatal(err)
					}
					members := readGroups(b, c, gs)
					for cb, err := range c.Clients.PagedAll(bg, 100) {
						if err != nil {
							b.Fatal(err)
						}
						_ = cb
						clients++
					}
					if members < 15000 {
						b.Fatalf("%d memberships", members)
					}
				}
				elapsed := clk.Now().Sub(start)
				base, peak := heap.finish()
				b.StopTimer()

				if clients < 14000 {
					b.Fatalf("read %d clients", clients)
				}
				st := c.Pacer().Stats()
				if calls.status(429) != 0 || st.RateLimited != 0 {
					b.Errorf("%d answers were 429", calls.status(429))
				}
				minutes := elapsed.Minutes()
				b.ReportMetric(float64(st.Calls), "calls")
				b.ReportMetric(float64(calls.status(429)), "429s")
				b.ReportMetric(minutes, "sim-minutes")
				if st.Calls > 60 {
					used := float64(st.Calls) / (minutes * 60) * 100
					b.ReportMetric(used, "%budget")
					if used < 90 {
						b.Errorf("used %.1f%% of the per-minute budget", used)
					}
				}
				b.ReportMetric(float64(calls.responseBytes())/mb, "read-MB")
				b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
				b.ReportMetric(float64(peak-min(base, peak))/mb, "heap-growth-MB")
			}
		})
	}
}

// readGroups reads every group's members with 5 workers.
func readGroups(b *testing.B, c *xpm.Client, gs []xpm.Group) int {
	ids := make(chan string, len(gs))
	for _, g := range gs {
		ids <- xpm.Value(g.UUID)
	}
	close(ids)
	var wg sync.WaitGroup
	var members atomic.Int64
	var failed atomic.Value
	for w := 0; w < xpm.DefaultMaxInFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				g, err := c.Groups.Get(bg, id)
				if err != nil {
					failed.Store(err)
					return
				}
				members.Add(int64(len(g.Clients)))
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return int(members.Load())
}

// BenchmarkStreamDetailedList streams the detailed list of a generated
// 15,000-client practice served by a sandbox in a child process, so the
// heap measured is the client's alone (acceptance 5). Figures: payload
// size, peak heap during the read (absolute and growth over the heap
// before it), and peak heap as a share of the payload (must stay under a
// third).
func BenchmarkStreamDetailedList(b *testing.B) {
	proc := xpmtest.StartProcess(b, "generated:15000:3000")
	c, err := xpm.New(proc.Config())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var payload int64
		clients := 0
		heap := startHeapPeak()
		err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true, Progress: func(p xpm.ListProgress) {
			if p.Done {
				payload = p.Bytes
			}
		}}, func(cd *xpm.ClientDetail) error {
			clients++
			return nil
		})
		base, peak := heap.finish()
		if err != nil {
			b.Fatal(err)
		}
		if clients != 15000 {
			b.Fatalf("streamed %d clients", clients)
		}
		b.SetBytes(payload)
		b.ReportMetric(float64(payload)/mb, "payload-MB")
		b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
		b.ReportMetric(float64(peak-min(base, peak))/mb, "heap-growth-MB")
		ratio := float64(peak) / float64(payload)
		b.ReportMetric(ratio, "peak/payload")
		if ratio >= 1.0/3 {
			b.Errorf("peak heap %.1f MB is %.2f of the %.1f MB payload: want under 1/3", float64(peak)/mb, ratio, float64(payload)/mb)
		}
	}
}

// TestStreamHeapStaysBounded checks, on a smaller practice and with the
// ordinary tests, that streaming keeps live memory flat: with the collector
// made eager (GOGC=10) the heap tracks what is live rather than garbage not
// yet collected, and it must grow by less than a fifth of the payload.
func TestStreamHeapStaysBounded(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	proc := xpmtest.StartProcess(t, "generated:4000:800")
	c, err := xpm.New(proc.Config())
	if err != nil {
		t.Fatal(err)
	}
	var payload int64
	heap := startHeapPeak()
	n := 0
	err = c.Clients.List(bg, &xpm.ListOptions{Detailed: true, Progress: func(p xpm.ListProgress) {
		if p.Done {
			payload = p.Bytes
		}
	}}, func(*xpm.ClientDetail) error { n++; return nil })
	base, peak := heap.finish()
	if err != nil {
		t.Fatal(err)
	}
	growth := peak - min(base, peak)
	t.Logf("%d clients, payload %.1f MB, heap before %.1f MB, peak %.1f MB", n, float64(payload)/mb, float64(base)/mb, float64(peak)/mb)
	if n != 4000 || growth*5 >= uint64(payload) {
		t.Errorf("heap grew by %.1f MB for a %.1f MB payload", float64(growth)/mb, float64(payload)/mb)
	}
}
