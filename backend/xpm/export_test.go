package xpm

import (
	"net/http"
	"testing"
)

// SpecCheck wraps h so that every request and answer passing through is
// checked against testdata/spec (the XPM and identity documents, object-only
// allOf merged, otherwise strict); problems fail t. Exported for the
// sandbox tests in package xpm_test.
func SpecCheck(t testing.TB, tenant string, h http.Handler) http.Handler {
	v := &specValidator{t: t, s: loadSpecs(t), tenant: tenant}
	return v.wrap(h)
}
