package xpm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The client's own check against Xero's spec (the sandbox checks itself
// separately: the two share only the spec files). testdata/spec holds
// verbatim copies of /work/shared/xpm; TestSpecCopiesMatchShared catches
// drift.

const specHost = "http://xpm.test"

// identityDateTime is RFC 3339 with the offset optional.
const identityDateTime = `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`

// specs holds the loaded documents and routers. Paths of the XPM document
// are rewritten from /v3.1/client.api/… to /practicemanager/3.1/client.api/…
// (the base the client uses by default); the identity document's
// /Connections is served as /connections, as real Xero does.
type specs struct {
	xpm, identity             *openapi3.T
	xpmRouter, identityRouter routers.Router
}

var (
	specOnce   sync.Once
	specLoaded *specs
	specErr    error
)

func loadSpecs(t testing.TB) *specs {
	t.Helper()
	specOnce.Do(func() { specLoaded, specErr = readSpecs() })
	if specErr != nil {
		t.Fatalf("loading spec: %v", specErr)
	}
	return specLoaded
}

func readSpecs() (*specs, error) {
	ctx := context.Background()
	load := func(name string) (*openapi3.T, error) {
		l := openapi3.NewLoader()
		doc, err := l.LoadFromFile(filepath.Join("testdata", "spec", name))
		if err != nil {
			return nil, err
		}
		// The identity document's example is a string where an array is
		// declared: check the document, not its examples.
		if err := doc.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return doc, nil
	}
	x, err := load("xero-practicemanager-v3-1.yaml")
	if err != nil {
		return nil, err
	}
	id, err := load("xero-identity.yaml")
	if err != nil {
		return nil, err
	}
	mergeObjectAllOf(x)
	mergeObjectAllOf(id)

	paths := openapi3.NewPaths()
	for p, item := range x.Paths.Map() {
		paths.Set("/practicemanager/3.1"+strings.TrimPrefix(p, "/v3.1"), item)
	}
	x.Paths = paths
	x.Servers = openapi3.Servers{{URL: specHost}}

	idPaths := openapi3.NewPaths()
	for p, item := range id.Paths.Map() {
		idPaths.Set(strings.ToLower(p[:len("/Connections")])+p[len("/Connections"):], item)
	}
	id.Paths = idPaths
	id.Servers = openapi3.Servers{{URL: specHost}}

	xr, err := gorillamux.NewRouter(x)
	if err != nil {
		return nil, err
	}
	ir, err := gorillamux.NewRouter(id)
	if err != nil {
		return nil, err
	}
	return &specs{xpm: x, identity: id, xpmRouter: xr, identityRouter: ir}, nil
}

// mergeObjectAllOf replaces every allOf whose members are all plain objects
// with one object schema holding the union of their properties, still
// additionalProperties: false. Without this a strict validator rejects every
// real response (NOTES.md); with it validation stays strict.
func mergeObjectAllOf(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	for _, ref := range doc.Components.Schemas {
		mergeSchema(ref.Value, seen)
	}
}

func mergeSchema(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for _, p := range s.Properties {
		mergeSchema(p.Value, seen)
	}
	if s.Items != nil {
		mergeSchema(s.Items.Value, seen)
	}
	for _, list := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
		for _, m := range list {
			mergeSchema(m.Value, seen)
		}
	}
	if len(s.AllOf) == 0 {
		return
	}
	props := openapi3.Schemas{}
	for _, m := range s.AllOf {
		v := m.Value
		if v == nil || len(v.AllOf) > 0 || len(v.OneOf) > 0 || len(v.AnyOf) > 0 || (v.Type != nil && !v.Type.Is("object")) {
			return // not object-only: leave as is
		}
		for k, p := range v.Properties {
			props[k] = p
		}
	}
	no := false
	s.AllOf = nil
	s.Type = &openapi3.Types{"object"}
	s.Properties = props
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
}

// schema returns a component schema of the XPM document (merged).
func (s *specs) schema(t testing.TB, name string) *openapi3.Schema {
	t.Helper()
	ref, ok := s.xpm.Components.Schemas[name]
	if !ok {
		ref, ok = s.identity.Components.Schemas[name]
	}
	if !ok {
		t.Fatalf("schema %s not in the spec", name)
	}
	return ref.Value
}

// specValidator checks every request the client sends, and every answer the
// test handlers give, against the spec. Problems are reported with
// t.Errorf (or collected when collect is set, for tests of the validator).
type specValidator struct {
	t       testing.TB
	s       *specs
	tenant  string
	collect bool

	mu       sync.Mutex
	problems []string
	// SkipResponseBodies turns off answer validation (large streamed
	// answers; malformed answers on purpose).
	skipResponses bool
}

func (v *specValidator) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	v.mu.Lock()
	v.problems = append(v.problems, msg)
	v.mu.Unlock()
	if !v.collect {
		v.t.Errorf("spec: %s", msg)
	}
}

func (v *specValidator) Problems() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.problems...)
}

func (v *specValidator) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			v.problem("reading request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		input := v.validateRequest(r, body)

		rw := &teeWriter{w: w, header: http.Header{}, passthrough: v.skipResponses}
		h.ServeHTTP(rw, r)
		if rw.hijacked || rw.passthrough {
			return
		}
		if rw.status == 0 {
			rw.status = http.StatusOK
		}
		if input != nil && !v.skipResponses {
			v.validateResponse(r, input, rw)
		}
		for k, vals := range rw.header {
			w.Header()[k] = vals
		}
		w.WriteHeader(rw.status)
		_, _ = w.Write(rw.buf.Bytes())
	})
}

func (v *specValidator) validateRequest(r *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	identity := strings.HasPrefix(r.URL.Path, "/connections")
	// Headers every call carries.
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		v.problem("%s %s: no bearer token", r.Method, r.URL.Path)
	}
	if r.Header.Get("Accept") != "application/json" {
		v.problem("%s %s: Accept is %q", r.Method, r.URL.Path, r.Header.Get("Accept"))
	}
	if len(body) > 0 && r.Header.Get("Content-Type") != "application/json" {
		v.problem("%s %s: Content-Type is %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	if !identity {
		if got := r.Header.Get("xero-tenant-id"); got == "" || (v.tenant != "" && got != v.tenant) {
			v.problem("%s %s: xero-tenant-id is %q", r.Method, r.URL.Path, got)
		}
		if r.Header.Get("Xero-Features") != "practice-strict-content-type" {
			v.problem("%s %s: Xero-Features is %q", r.Method, r.URL.Path, r.Header.Get("Xero-Features"))
		}
	}
	vr := r.Clone(r.Context())
	vr.URL.Scheme, vr.URL.Host, vr.Host = "http", "xpm.test", "xpm.test"
	vr.Body = io.NopCloser(bytes.NewReader(body))
	router := v.s.xpmRouter
	if identity {
		router = v.s.identityRouter
	}
	route, params, err := router.FindRoute(vr)
	if err != nil {
		v.problem("%s %s: not an operation of the spec: %v", r.Method, r.URL.Path, err)
		return nil
	}
	input := &openapi3filter.RequestValidationInput{
		Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, RejectWhenRequestBodyNotSpecified: true},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		v.problem("%s %s: request refused by the spec: %v", r.Method, r.URL.Path, err)
	}
	vr.Body = io.NopCloser(bytes.NewReader(body))
	return input
}

func (v *specValidator) validateResponse(r *http.Request, input *openapi3filter.RequestValidationInput, rw *teeWriter) {
	status := rw.status
	if input.Route.Operation.Responses.Status(status) != nil {
		opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}
		if strings.HasPrefix(r.URL.Path, "/connections") {
			// Xero identity writes date-times without an offset (its own
			// example does), which strict RFC 3339 refuses: accept that
			// form, and only that relaxation.
			opts.SchemaValidationOptions = []openapi3.SchemaValidationOption{
				openapi3.WithStringFormatValidator("date-time", openapi3.NewRegexpFormatValidator(identityDateTime)),
			}
		}
		err := openapi3filter.ValidateResponse(r.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input, Status: status, Header: rw.header,
			Body:    io.NopCloser(bytes.NewReader(rw.buf.Bytes())),
			Options: opts,
		})
		if err != nil {
			v.problem("%s %s: answer %d refused by the spec: %v", r.Method, r.URL.Path, status, err)
		}
		return
	}
	// Undeclared statuses (401, 403, 404, 429…): the body must be a
	// ResponseErrorDto, or empty.
	if rw.buf.Len() == 0 || strings.HasPrefix(r.URL.Path, "/connections") {
		return
	}
	var val any
	if err := jsonUnmarshal(rw.buf.Bytes(), &val); err != nil {
		v.problem("%s %s: answer %d is not JSON", r.Method, r.URL.Path, status)
		return
	}
	if err := v.s.schema(v.t, "ResponseErrorDto").VisitJSON(val, openapi3.MultiErrors()); err != nil {
		v.problem("%s %s: error answer %d is not a ResponseErrorDto: %v", r.Method, r.URL.Path, status, err)
	}
}

// teeWriter buffers an answer for validation; handlers that hijack the
// connection (fault tests) bypass it.
// In passthrough mode (no answer validation) it writes straight through,
// so handlers can stream and flush.
type teeWriter struct {
	w           http.ResponseWriter
	header      http.Header
	status      int
	buf         bytes.Buffer
	hijacked    bool
	passthrough bool
}

func (t *teeWriter) Header() http.Header {
	if t.passthrough {
		return t.w.Header()
	}
	return t.header
}

func (t *teeWriter) WriteHeader(s int) {
	if t.passthrough {
		t.w.WriteHeader(s)
		return
	}
	if t.status == 0 {
		t.status = s
	}
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.passthrough {
		return t.w.Write(b)
	}
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.buf.Write(b)
}

func (t *teeWriter) Flush() {
	if f, ok := t.w.(http.Flusher); ok && t.passthrough {
		f.Flush()
	}
}
func (t *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := t.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("cannot hijack")
	}
	t.hijacked = true
	return hj.Hijack()
}

// TestSpecCopiesMatchShared checks testdata/spec against the project's
// ground truth when it is present on this machine.
func TestSpecCopiesMatchShared(t *testing.T) {
	const shared = "/work/shared/xpm"
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("%s not present: nothing to compare", shared)
	}
	for _, name := range []string{"xero-practicemanager-v3-1.yaml", "xero-identity.yaml"} {
		a, err := os.ReadFile(filepath.Join("testdata", "spec", name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("testdata/spec/%s differs from %s/%s", name, shared, name)
		}
	}
}

// TestValidatorRefusesBadBodies shows the harness fails a test when a body
// the spec refuses is sent (an unknown field, a wrong type).
func TestValidatorRefusesBadBodies(t *testing.T) {
	s := loadSpecs(t)
	v := &specValidator{t: t, s: s, collect: true}
	srv := httptest.NewServer(v.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"OK"}`)
	})))
	defer srv.Close()
	send := func(body string) []string {
		v.mu.Lock()
		v.problems = nil
		v.mu.Unlock()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/practicemanager/3.1/clientgroup.api/delete", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("xero-tenant-id", "t")
		req.Header.Set("Xero-Features", "practice-strict-content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return v.Problems()
	}
	if p := send(`{"uuid":"0b6c4b8e-8f50-4a57-9c5b-5f1a2f0c1e11"}`); len(p) != 0 {
		t.Fatalf("valid body refused: %v", p)
	}
	if p := send(`{"uuid":"x","extra":1}`); len(p) == 0 {
		t.Error("unknown field accepted")
	}
	if p := send(`{"uuid":42}`); len(p) == 0 {
		t.Error("number for a string accepted")
	}
}
