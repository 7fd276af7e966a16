package apperr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func decode(t *testing.T, err error) Error {
	t.Helper()
	s := err.Error()
	if !strings.HasPrefix(s, UIPrefix) {
		t.Fatalf("missing prefix: %q", s)
	}
	var e Error
	if jerr := json.Unmarshal([]byte(strings.TrimPrefix(s, UIPrefix)), &e); jerr != nil {
		t.Fatal(jerr)
	}
	return e
}

func TestForUIKeepsAppErrorAndHidesCause(t *testing.T) {
	cause := errors.New("sqlite: disk I/O error at page 7")
	err := fmt.Errorf("save entity: %w", Wrap(cause, CodeStorage, "Could not save.", "Check disk space."))
	got := decode(t, ForUI(nil, "op", err))
	if got.Code != CodeStorage || got.Message != "Could not save." || got.Hint != "Check disk space." {
		t.Fatalf("got %+v", got)
	}
	if strings.Contains(ForUI(nil, "op", err).Error(), "sqlite") {
		t.Fatal("cause leaked to the UI")
	}
}

func TestForUIGenericForUnknownErrors(t *testing.T) {
	got := decode(t, ForUI(nil, "op", errors.New("nil pointer somewhere")))
	if got.Code != CodeInternal || strings.Contains(got.Message, "pointer") {
		t.Fatalf("got %+v", got)
	}
}

func TestForUICancel(t *testing.T) {
	got := decode(t, ForUI(nil, "op", fmt.Errorf("x: %w", context.Canceled)))
	if got.Code != CodeCanceled {
		t.Fatalf("got %+v", got)
	}
}

func TestValidationFields(t *testing.T) {
	e := Validation(map[string]string{"abn": "This ABN is not valid: its check digits do not add up."})
	if e.Message != "This ABN is not valid: its check digits do not add up." {
		t.Fatalf("single-field message should be the field's: %q", e.Message)
	}
	got := decode(t, ForUI(nil, "op", e))
	if got.Fields["abn"] == "" {
		t.Fatalf("fields lost: %+v", got)
	}
	if CodeOf(e) != CodeValidation || !errors.Is(e, &Error{Code: CodeValidation}) {
		t.Fatal("code matching")
	}
	if ForUI(nil, "op", nil) != nil {
		t.Fatal("nil must stay nil")
	}
}
