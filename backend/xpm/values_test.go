package xpm

import (
	"encoding/json"
	"testing"
	"time"
)

func TestBoolReadsEveryForm(t *testing.T) {
	cases := map[string]Bool{
		`"Yes"`: Yes, `"yes"`: Yes, `"YES"`: Yes, `"true"`: Yes, `"True"`: Yes, `true`: Yes,
		`"No"`: No, `"no"`: No, `"false"`: No, `false`: No, `" No "`: No,
		`null`: {}, `""`: {},
	}
	for in, want := range cases {
		var got struct {
			B Bool `json:"b"`
		}
		if err := json.Unmarshal([]byte(`{"b":`+in+`}`), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got.B != want {
			t.Errorf("%s: got %v want %v", in, got.B, want)
		}
	}
	for _, bad := range []string{`"maybe"`, `1`, `{}`, `[]`} {
		var b Bool
		if err := json.Unmarshal([]byte(bad), &b); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	// Absent stays "not given", distinguishable from No.
	var got struct {
		B Bool `json:"b"`
	}
	_ = json.Unmarshal([]byte(`{}`), &got)
	if got.B.Valid() || got.B == No {
		t.Error("absent read as given")
	}
}

func TestBoolWritesYesNo(t *testing.T) {
	type s struct {
		B Bool `json:"b,omitzero"`
	}
	for v, want := range map[Bool]string{Yes: `{"b":"Yes"}`, No: `{"b":"No"}`, {}: `{}`} {
		b, _ := json.Marshal(s{v})
		if string(b) != want {
			t.Errorf("%v: %s, want %s", v, b, want)
		}
	}
}

func TestTimeForms(t *testing.T) {
	want := time.Date(2019, 12, 7, 18, 46, 19, 0, time.UTC)
	for in, w := range map[string]time.Time{
		`"2019-12-07T18:46:19"`:         want,
		`"2019-12-07T18:46:19.5165400"`: want.Add(516540 * time.Microsecond),
		`"2019-12-07T18:46:19Z"`:        want,
		`"2019-12-08T07:46:19+13:00"`:   want,
		`"2019-12-07T18:46:19.5+00:00"`: want.Add(500 * time.Millisecond),
		`"2019-12-07"`:                  time.Date(2019, 12, 7, 0, 0, 0, 0, time.UTC),
	} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !got.Equal(w) {
			t.Errorf("%s: got %v want %v", in, got.Time, w)
		}
	}
	var z Time
	if err := json.Unmarshal([]byte(`null`), &z); err != nil || !z.IsZero() {
		t.Errorf("null: %v %v", z, err)
	}
	if err := json.Unmarshal([]byte(`"07/12/2019"`), &z); err == nil {
		t.Error("unknown form accepted")
	}
	b, _ := json.Marshal(TimeOf(time.Date(2019, 12, 8, 7, 46, 19, 0, time.FixedZone("NZDT", 13*3600))))
	if string(b) != `"2019-12-07T18:46:19"` {
		t.Errorf("marshal: %s", b)
	}
}

func TestDateKeepsTheWrittenDay(t *testing.T) {
	for in, want := range map[string]Date{
		`"1980-05-01"`:                {1980, time.May, 1},
		`"1980-05-01T00:00:00"`:       {1980, time.May, 1},
		`"1980-05-01T00:00:00+10:00"`: {1980, time.May, 1}, // not moved to 30 April
		`"1980-05-01T23:30:00Z"`:      {1980, time.May, 1},
		`""`:                          {},
		`null`:                        {},
	} {
		var got Date
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got != want {
			t.Errorf("%s: got %v want %v", in, got, want)
		}
	}
	var d Date
	for _, bad := range []string{`"1980-13-01"`, `"01/05/1980"`, `"1980-05-01Tnoon"`, `12`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	b, _ := json.Marshal(Date{1980, time.May, 1})
	if string(b) != `"1980-05-01T00:00:00"` {
		t.Errorf("marshal: %s", b)
	}
}
