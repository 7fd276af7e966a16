package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"structura/backend/clock"
	"structura/backend/sandbox"
)

// Start a sandbox on a free loopback port, get a token without the consent
// page and list the demo practice's client groups.
func Example() {
	s, err := sandbox.New(sandbox.Options{Clock: clock.NewManualFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		panic(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer s.Close()

	tok, err := s.MintToken(sandbox.UserAlex, sandbox.DefaultClientID, sandbox.DefaultScopes)
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", s.APIBaseURL()+"/clientgroup.api/list", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("xero-tenant-id", sandbox.DemoPracticeID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var out struct {
		Status string
		Groups []struct{ Name string }
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	fmt.Println(res.StatusCode, out.Status, len(out.Groups), out.Groups[0].Name)
	fmt.Println("calls left this minute:", res.Header.Get("X-MinLimit-Remaining"))
	// Output:
	// 200 OK 10 Chen Family Group
	// calls left this minute: 59
}
