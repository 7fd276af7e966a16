package xpm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// This file holds the only conversions between XPM's wire forms and Go
// values: string booleans, date-times without an offset, and calendar dates.

// Ptr returns a pointer to v, for filling the optional fields of requests:
//
//	req := &xpm.ClientAddRequest{Name: xpm.Ptr("Smith Family Trust")}
func Ptr[T any](v T) *T { return &v }

// Value returns *p, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Bool is one of XPM's string booleans ("Yes"/"No"). The zero value means
// "not given": the field was absent, null or an empty string. It is sent as
// "Yes" or "No" and omitted from requests when not given (use the omitzero
// tag option). On read it also accepts JSON true/false and the strings
// "true"/"false", in any case.
type Bool struct {
	value bool
	valid bool
}

// Yes and No are the two given values of Bool.
var (
	Yes = Bool{value: true, valid: true}
	No  = Bool{value: false, valid: true}
)

// BoolOf returns Yes for true and No for false.
func BoolOf(b bool) Bool { return Bool{value: b, valid: true} }

// IsZero reports whether the value was not given.
func (b Bool) IsZero() bool { return !b.valid }

// Valid reports whether a value was given.
func (b Bool) Valid() bool { return b.valid }

// True reports whether the value was given and is "Yes".
func (b Bool) True() bool { return b.valid && b.value }

// Get returns the value and whether it was given.
func (b Bool) Get() (value, ok bool) { return b.value, b.valid }

func (b Bool) String() string {
	switch {
	case !b.valid:
		return ""
	case b.value:
		return "Yes"
	default:
		return "No"
	}
}

// MarshalJSON writes "Yes", "No" or null.
func (b Bool) MarshalJSON() ([]byte, error) {
	if !b.valid {
		return []byte("null"), nil
	}
	if b.value {
		return []byte(`"Yes"`), nil
	}
	return []byte(`"No"`), nil
}

// UnmarshalJSON reads "Yes"/"No", "true"/"false" (any case), JSON booleans,
// null and "". Anything else is an error.
func (b *Bool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "null":
		*b = Bool{}
		return nil
	case "true":
		*b = Yes
		return nil
	case "false":
		*b = No
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("xpm: boolean field holds %s", describeJSON(data))
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		*b = Bool{}
	case "yes", "true":
		*b = Yes
	case "no", "false":
		*b = No
	default:
		return fmt.Errorf("xpm: boolean field holds %q, want Yes or No", truncate(s, 20))
	}
	return nil
}

// TimeLayout is how XPM writes date-times: UTC, no offset.
const TimeLayout = "2006-01-02T15:04:05"

// Time is an XPM date-time. XPM writes them in UTC without an offset
// (2006-01-02T15:04:05); Xero identity adds fractions of a second. Both are
// read as UTC; a value with an explicit offset (RFC 3339) is read as such.
// The zero value means "not given" (absent, null or "").
type Time struct {
	time.Time
}

// TimeOf returns t as a Time.
func TimeOf(t time.Time) Time { return Time{Time: t} }

// String formats t the way XPM expects it (UTC, no offset), or "" when zero.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// MarshalJSON writes the XPM form or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.String())
}

// UnmarshalJSON reads the forms described on Time.
func (t *Time) UnmarshalJSON(data []byte) error {
	s, null, err := jsonString(data, "date-time")
	if err != nil {
		return err
	}
	if null {
		*t = Time{}
		return nil
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = Time{Time: v}
	return nil
}

// ParseTime reads an XPM or Xero identity date-time. Values without an
// offset are UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	// "2006-01-02T15:04:05" with optional fractional seconds, no offset.
	if v, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return v, nil
	}
	if v, err := time.ParseInLocation("2006-01-02", s, time.UTC); err == nil {
		return v, nil
	}
	return time.Time{}, fmt.Errorf("xpm: date-time of %d characters is not in a known form", len(s))
}

// Date is a calendar date (date of birth, relationship start and end). XPM
// sends dates as date-times at midnight; the date part is read as written,
// whatever the offset, so a birthday never moves by a day. It is sent as
// 2006-01-02T00:00:00. The zero value means "not given".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether the date was not given.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// String returns 2006-01-02, or "" when zero.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2006-01-02")
}

// MarshalJSON writes 2006-01-02T00:00:00 or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Time().Format(TimeLayout))
}

// UnmarshalJSON reads 2006-01-02 with or without a time and offset.
func (d *Date) UnmarshalJSON(data []byte) error {
	s, null, err := jsonString(data, "date")
	if err != nil {
		return err
	}
	if null {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDate reads the date part of an XPM date or date-time.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	datePart := s
	if i := strings.IndexByte(s, 'T'); i >= 0 {
		datePart = s[:i]
		if _, err := ParseTime(s); err != nil {
			return Date{}, fmt.Errorf("xpm: date of %d characters is not in a known form", len(s))
		}
	}
	v, err := time.Parse("2006-01-02", datePart)
	if err != nil {
		return Date{}, fmt.Errorf("xpm: date of %d characters is not in a known form", len(s))
	}
	return DateOf(v), nil
}

// jsonString decodes a JSON string or null. An empty string counts as null.
func jsonString(data []byte, what string) (s string, null bool, err error) {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return "", true, nil
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return "", false, fmt.Errorf("xpm: %s field holds %s", what, describeJSON(data))
	}
	if strings.TrimSpace(s) == "" {
		return "", true, nil
	}
	return s, false, nil
}

// describeJSON names the kind of a JSON value without quoting it (it may hold
// personal data).
func describeJSON(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
