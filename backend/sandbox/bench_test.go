package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

const (
	scaleClients = 15000
	scaleGroups  = 3000
)

func BenchmarkGenerate15000Clients3000Groups(b *testing.B) {
	for i := 0; i < b.N; i++ {
		d := Generate(GenOptions{Clients: scaleClients, Groups: scaleGroups, Seed: int64(i), Now: t0})
		if len(d.Clients) != scaleClients || len(d.Groups) != scaleGroups {
			b.Fatalf("%d clients, %d groups", len(d.Clients), len(d.Groups))
		}
	}
}

// BenchmarkDetailedList15000 serves client.api/list?detailed=true for a
// 15,000-client practice over loopback HTTP and reads the whole answer.
func BenchmarkDetailedList15000(b *testing.B) {
	s, _ := startSandbox(b, Options{Data: "generated:15000:3000", Limits: Limits{Off: true}})
	tok := mint(b, s, UserAlex, "").AccessToken
	req, _ := http.NewRequest("GET", s.APIBaseURL()+"/client.api/list?detailed=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("xero-tenant-id", DemoPracticeID)
	var size int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("status %d: %v", res.StatusCode, err)
		}
		size = n
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size)/(1<<20), "MiB/list")
}

// TestGeneratedPracticeServesDetailedList: a 15,000-client, 3,000-group
// practice is generated and its detailed list is served whole.
func TestGeneratedPracticeServesDetailedList(t *testing.T) {
	s, _ := startSandbox(t, Options{Data: "generated:15000:3000", Limits: Limits{Off: true}})
	tok := mint(t, s, UserAlex, "").AccessToken
	req, _ := http.NewRequest("GET", s.APIBaseURL()+"/client.api/list?detailed=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("xero-tenant-id", DemoPracticeID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Status  string
		Clients []struct {
			UUID          string
			Groups        []struct{ UUID string }
			Relationships []struct{ UUID string }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	rels, grouped := 0, 0
	for _, c := range out.Clients {
		rels += len(c.Relationships)
		if len(c.Groups) > 0 {
			grouped++
		}
	}
	if out.Status != "OK" || len(out.Clients) != scaleClients || grouped != scaleClients || rels == 0 {
		t.Errorf("status %q, %d clients, %d in groups, %d relationship ends", out.Status, len(out.Clients), grouped, rels)
	}
	groups, _ := s.Groups(DemoPracticeID)
	if len(groups) != scaleGroups {
		t.Errorf("%d groups", len(groups))
	}
}
