package xpm

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Whatever XPM sends, decoding ends with clients or an error, never a
// panic, and never more than the cap is read.
func FuzzClientStream(f *testing.F) {
	f.Add([]byte(`{"status":"OK","clients":[{"uuid":"a","name":"A","isArchived":"No","relationships":[{"uuid":"r","relatedClient":{"uuid":"b"}}]}]}`))
	f.Add([]byte(`{"clients":null,"status":"OK"}`))
	f.Add([]byte(`{"status":"ERROR"}`))
	f.Add([]byte(`{"clients":[{"uuid":"a","dateOfBirth":"1980-05-01T00:00:00+10:00","balanceMonth":6}],"extra":{"x":[1,2,{"y":null}]}}`))
	f.Add([]byte(`[{"uuid":"a"}]`))
	f.Add([]byte(`{"clients":[{"uuid":"a"},`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &call{name: "client.api/list"}
		br := &bodyReader{r: bytes.NewReader(data), max: 1 << 16, total: -1}
		n := 0
		err := decodeClientStream(c, br, func(cd *ClientDetail) error {
			if cd.GetUUID() == "" {
				t.Fatal("a client without uuid was delivered")
			}
			n++
			return nil
		}, func(bool) {})
		if br.n > br.max {
			t.Fatalf("read %d bytes past the cap %d", br.n, br.max)
		}
		if err == nil && !json.Valid(data) {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
	})
}

func FuzzWireValues(f *testing.F) {
	for _, s := range []string{`"Yes"`, `"no"`, `true`, `null`, `""`, `"2019-12-07T18:46:19.5165400"`, `"1980-05-01"`, `"x"`, `12`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Bool
		var tm Time
		var d Date
		_ = json.Unmarshal(data, &b)
		_ = json.Unmarshal(data, &tm)
		if json.Unmarshal(data, &d) == nil && !d.IsZero() {
			// A date read must write back and read again to the same day.
			out, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var again Date
			if err := json.Unmarshal(out, &again); err != nil || again != d {
				t.Fatalf("%s → %s → %v (%v)", data, out, again, err)
			}
		}
	})
}
