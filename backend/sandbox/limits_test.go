package sandbox

import (
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestMinuteLimitHeadersAndRetryAfter(t *testing.T) {
	s, fc := startSandbox(t, Options{})
	tok := mint(t, s, UserAlex, "").AccessToken
	for i := 1; i <= XeroPerMinute; i++ {
		r := call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
		if got, want := r.header.Get("X-MinLimit-Remaining"), strconv.Itoa(XeroPerMinute-i); got != want {
			t.Fatalf("call %d: X-MinLimit-Remaining %s, want %s", i, got, want)
		}
		if got, want := r.header.Get("X-DayLimit-Remaining"), strconv.Itoa(XeroPerDay-i); got != want {
			t.Fatalf("call %d: X-DayLimit-Remaining %s, want %s", i, got, want)
		}
		if got, want := r.header.Get("X-AppMinLimit-Remaining"), strconv.Itoa(XeroAppPerMinute-i); got != want {
			t.Fatalf("call %d: X-AppMinLimit-Remaining %s, want %s", i, got, want)
		}
		fc.Advance(500 * time.Millisecond)
	}
	r := call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 429)
	if r.header.Get("X-Rate-Limit-Problem") != "minute" || r.header.Get("Retry-After") != "30" {
		t.Fatalf("61st call: problem %q retry-after %q", r.header.Get("X-Rate-Limit-Problem"), r.header.Get("Retry-After"))
	}
	if strv(r.body["status"]) == "" || strv(r.body["errorDescription"]) == "" {
		t.Errorf("429 body is not ResponseErrorDto: %s", r.raw)
	}
	if st := s.Stats(); st.RateLimited != 1 {
		t.Errorf("RateLimited = %d", st.RateLimited)
	}
	if log := s.RequestLog(); log[len(log)-1].LimitProblem != "minute" {
		t.Errorf("the request log does not say which limit: %+v", log[len(log)-1])
	}
	fc.Advance(30 * time.Second)
	r = call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
	if r.header.Get("X-MinLimit-Remaining") != "59" || r.header.Get("X-DayLimit-Remaining") != strconv.Itoa(XeroPerDay-61) {
		t.Errorf("after the window: min %s day %s", r.header.Get("X-MinLimit-Remaining"), r.header.Get("X-DayLimit-Remaining"))
	}
}

func TestDayAndAppLimits(t *testing.T) {
	s, fc := startSandbox(t, Options{Limits: Limits{PerDay: 3, AppPerMinute: 4}})
	alex := mint(t, s, UserAlex, "").AccessToken
	sam := mint(t, s, UserSam, "").AccessToken
	for i := 0; i < 3; i++ {
		call(t, nil, s, alex, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
	}
	r := call(t, nil, s, alex, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 429)
	if r.header.Get("X-Rate-Limit-Problem") != "day" || r.header.Get("Retry-After") != strconv.Itoa(24*3600) {
		t.Errorf("day: %q %q", r.header.Get("X-Rate-Limit-Problem"), r.header.Get("Retry-After"))
	}
	// the other practice has its own day, but the app minute is shared
	call(t, nil, s, sam, SecondPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
	r = call(t, nil, s, sam, SecondPracticeID, "GET", "/staff.api/list", nil).must(t, 429)
	if r.header.Get("X-Rate-Limit-Problem") != "appminute" {
		t.Errorf("app minute: %q", r.header.Get("X-Rate-Limit-Problem"))
	}
	fc.Advance(time.Minute)
	call(t, nil, s, sam, SecondPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
}

func TestConcurrentLimit(t *testing.T) {
	s, fc := startSandbox(t, Options{Faults: &FaultConfig{Rules: []FaultRule{
		{Operation: "staff.api/list", Kind: FaultLatency, Latency: Duration(2 * time.Second), Rate: 1},
	}}})
	tok := mint(t, s, UserAlex, "").AccessToken
	var wg sync.WaitGroup
	statuses := make([]int, XeroConcurrent)
	for i := 0; i < XeroConcurrent; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i] = call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).status
		}(i)
	}
	for fc.Sleepers() < XeroConcurrent {
		runtime.Gosched() // wait for the goroutines to arrive; no time passes
	}
	r := call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 429)
	if r.header.Get("X-Rate-Limit-Problem") != "concurrent" || r.header.Get("Retry-After") == "" {
		t.Errorf("6th concurrent call: %q %q", r.header.Get("X-Rate-Limit-Problem"), r.header.Get("Retry-After"))
	}
	fc.Advance(2 * time.Second)
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("in-flight call %d: %d", i, st)
		}
	}
	call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/list", nil).must(t, 200)
}

func TestLimitsOffAndScaled(t *testing.T) {
	s, _ := startSandbox(t, Options{Limits: Limits{Off: true}})
	tok := mint(t, s, UserAlex, "").AccessToken
	for i := 0; i < 100; i++ {
		r := call(t, nil, s, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
		if r.header.Get("X-MinLimit-Remaining") != "" {
			t.Fatal("limits off still sends limit headers")
		}
	}
	l, err := ParseLimits("scale:2")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := startSandbox(t, Options{Limits: l})
	tok = mint(t, s2, UserAlex, "").AccessToken
	r := call(t, nil, s2, tok, DemoPracticeID, "GET", "/staff.api/list", nil).must(t, 200)
	if r.header.Get("X-MinLimit-Remaining") != "119" || r.header.Get("X-DayLimit-Remaining") != "9999" {
		t.Errorf("scale 2: min %s day %s", r.header.Get("X-MinLimit-Remaining"), r.header.Get("X-DayLimit-Remaining"))
	}
	for _, bad := range []string{"scale:0", "scale:x", "fast"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}
