package xpm

import (
	"encoding/json"
	"fmt"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
