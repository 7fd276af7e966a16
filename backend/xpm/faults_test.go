package xpm_test

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"structura/backend/sandbox"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// everyFault lists one rule per fault kind the sandbox can inject on
// operations matching op, each with the same rate, so that a call meets
// some fault with probability total.
func everyFault(op string, total float64) *sandbox.FaultConfig {
	rules := []sandbox.FaultRule{
		{Kind: sandbox.FaultStatus, Status: 500},
		{Kind: sandbox.FaultStatus, Status: 502},
		{Kind: sandbox.FaultStatus, Status: 503},
		{Kind: sandbox.FaultStatus, Status: 504},
		{Kind: sandbox.FaultResetBefore},
		{Kind: sandbox.FaultResetAfter},
		{Kind: sandbox.FaultTruncate},
		{Kind: sandbox.FaultMalformed},
		{Kind: sandbox.FaultLatency, Latency: sandbox.Duration(3 * time.Second)},
		{Kind: sandbox.FaultExpireToken},
	}
	each := 1 - math.Pow(1-total, 1/float64(len(rules)))
	for i := range rules {
		rules[i].Operation = op
		rules[i].Rate = each
	}
	return &sandbox.FaultConfig{Seed: 7, Rules: rules}
}

// Acceptance 3: 200 creates under 20% faults of every kind (including a
// connection reset after the write applied) end with exactly 200 clients:
// no duplicates, none missing.
func TestSandboxCreatesUnderFaults(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Data: "empty", Seed: 3, Faults: everyFault("client.api/*", 0.20)}})
	var calls callLog
	c := env.Client(t, logTo(&calls))
	const n, workers = 200, 5
	names := make(chan string, n)
	for i := 1; i <= n; i++ {
		names <- fmt.Sprintf("Fault Test Client %03d", i)
	}
	close(names)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		ids  = map[string]string{}
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range names {
				cd, err := c.Clients.Add(bg, &xpm.ClientAddRequest{Name: xpm.Ptr(name), Email: xpm.Ptr(fmt.Sprintf("c%s@example.com", name[len(name)-3:])), BusinessStructure: xpm.Ptr("Company")})
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", name, err))
				} else {
					ids[name] = cd.GetUUID()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	stored, err := env.Sandbox.Clients(env.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for _, cl := range stored {
		byName[cl.Name]++
	}
	if len(stored) != n {
		t.Errorf("the sandbox holds %d clients, want %d", len(stored), n)
	}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("Fault Test Client %03d", i)
		if byName[name] != 1 {
			t.Errorf("%s stored %d times", name, byName[name])
		}
		if id := ids[name]; id != "" {
			if got, ok := env.Sandbox.Client(env.Tenant, id); !ok || got.Name != name {
				t.Errorf("%s: Add returned %s, which is not it", name, id)
			}
		}
	}
	// The faults did happen, of the landed-but-lost kind too.
	st := env.Sandbox.Stats()
	resetAfter := 0
	for _, e := range env.Sandbox.RequestLog() {
		if e.Operation == "client.api/add" && e.Fault == sandbox.FaultResetAfter {
			resetAfter++
		}
	}
	t.Logf("sandbox: %d calls, %d faults (%d resets after an applied add), %d token refreshes; by operation %v", st.Calls, st.Faults, resetAfter, env.Tokens.Refreshes, st.ByOperation)
	if st.Faults < n/10 || resetAfter == 0 {
		t.Errorf("too few faults to prove anything: %d (%d reset-after on add)", st.Faults, resetAfter)
	}
	if calls.status(429) != 0 {
		t.Errorf("%d answers were 429", calls.status(429))
	}
}
