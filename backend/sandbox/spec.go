package sandbox

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The sandbox ships its own copy of Xero's OpenAPI documents (MIT, see
// spec/LICENSE-Xero-OpenAPI) so that it runs without ../shared. The copy is
// the YAML from shared/xpm converted to JSON; TestEmbeddedSpecMatchesShared
// fails when the two differ.
//
//go:embed spec/xero-practicemanager-v3-1.json spec/xero-identity.json spec/LICENSE-Xero-OpenAPI
var specFS embed.FS

const (
	practiceSpecFile = "spec/xero-practicemanager-v3-1.json"
	identitySpecFile = "spec/xero-identity.json"
	specPathPrefix   = "/v3.1/"
)

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

// practiceSpec returns the embedded XPM v3.1 document with object-only allOf
// members merged (see mergeAllOf). It is loaded once and shared read-only.
func practiceSpec() (*openapi3.T, error) {
	specOnce.Do(func() {
		data, err := specFS.ReadFile(practiceSpecFile)
		if err != nil {
			specErr = err
			return
		}
		specDoc, specErr = LoadSpec(data)
	})
	return specDoc, specErr
}

// LoadSpec parses an OpenAPI document (JSON or YAML) and merges object-only
// allOf members as shared/xpm/NOTES.md prescribes, keeping
// additionalProperties: false, so a strict validator accepts the responses
// the spec describes and nothing else.
func LoadSpec(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	if err := mergeAllOf(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// mergeAllOf rewrites every schema whose allOf members are all plain object
// schemas into one object schema: the union of the members' properties,
// additionalProperties false when any member forbids extras. Nested allOf
// (ClientDetailedDto → ClientDto → ClientBaseDto) is merged bottom-up.
func mergeAllOf(doc *openapi3.T) error {
	seen := map[*openapi3.Schema]bool{}
	var errs []string
	var visit func(s *openapi3.Schema, where string)
	visitRef := func(r *openapi3.SchemaRef, where string) {
		if r != nil && r.Value != nil {
			visit(r.Value, where)
		}
	}
	visit = func(s *openapi3.Schema, where string) {
		if seen[s] {
			return
		}
		seen[s] = true
		for name, p := range s.Properties {
			visitRef(p, where+"."+name)
		}
		visitRef(s.Items, where+"[]")
		for _, m := range s.OneOf {
			visitRef(m, where)
		}
		for _, m := range s.AnyOf {
			visitRef(m, where)
		}
		for _, m := range s.AllOf {
			visitRef(m, where)
		}
		visitRef(s.AdditionalProperties.Schema, where)
		if len(s.AllOf) == 0 {
			return
		}
		props := openapi3.Schemas{}
		closed := false
		for _, m := range s.AllOf {
			v := m.Value
			if v == nil || len(v.AllOf) > 0 || len(v.OneOf) > 0 || len(v.AnyOf) > 0 ||
				(v.Type != nil && !v.Type.Is(openapi3.TypeObject)) {
				errs = append(errs, where+": allOf member is not a plain object")
				return
			}
			for k, p := range v.Properties {
				if _, dup := props[k]; dup {
					errs = append(errs, where+": property "+k+" defined twice in allOf")
				}
				props[k] = p
			}
			if v.AdditionalProperties.Has != nil && !*v.AdditionalProperties.Has {
				closed = true
			}
		}
		s.AllOf = nil
		s.Type = &openapi3.Types{openapi3.TypeObject}
		s.Properties = props
		if closed {
			f := false
			s.AdditionalProperties = openapi3.AdditionalProperties{Has: &f}
		}
	}
	if doc.Components != nil {
		names := make([]string, 0, len(doc.Components.Schemas))
		for n := range doc.Components.Schemas {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			visitRef(doc.Components.Schemas[n], n)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					visitRef(mt.Schema, where)
				}
			}
			for _, p := range op.Parameters {
				if p.Value != nil {
					visitRef(p.Value.Schema, where)
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, mt := range r.Value.Content {
						visitRef(mt.Schema, where)
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("merge allOf: %s", strings.Join(errs, "; "))
	}
	return nil
}

// specOperation is one XPM operation as the spec declares it.
type specOperation struct {
	Name     string // path after /v3.1/, e.g. "client.api/get/{identifier}"
	Method   string
	Path     string // spec path, e.g. "/v3.1/client.api/get/{identifier}"
	PathItem *openapi3.PathItem
	Op       *openapi3.Operation
	Scopes   []string // any one of these grants access
	segments []string
}

// specOperations lists every operation of the embedded spec.
func specOperations(doc *openapi3.T) []*specOperation {
	var out []*specOperation
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, specPathPrefix) {
			continue
		}
		for method, op := range item.Operations() {
			so := &specOperation{
				Name:     strings.TrimPrefix(path, specPathPrefix),
				Method:   method,
				Path:     path,
				PathItem: item,
				Op:       op,
			}
			so.segments = strings.Split(so.Name, "/")
			if op.Security != nil {
				for _, req := range *op.Security {
					so.Scopes = append(so.Scopes, req["OAuth2"]...)
				}
			}
			out = append(out, so)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// match reports whether rel (the request path after the version segment)
// matches the operation, and returns the path parameters.
func (o *specOperation) match(method string, rel []string) (map[string]string, bool) {
	if method != o.Method || len(rel) != len(o.segments) {
		return nil, false
	}
	var params map[string]string
	for i, seg := range o.segments {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if rel[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[seg[1:len(seg)-1]] = rel[i]
			continue
		}
		if !strings.EqualFold(seg, rel[i]) {
			return nil, false
		}
	}
	return params, true
}
