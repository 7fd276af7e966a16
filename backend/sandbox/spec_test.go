package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/oasdiff/yaml"
)

// sharedDir is where the project's ground truth lives (CI always has it).
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "xpm")
	if _, err := os.Stat(filepath.Join(dir, "xero-practicemanager-v3-1.yaml")); err != nil {
		t.Fatalf("shared/xpm is missing (%v): the sandbox's spec copy and the conformance test are checked against ../shared/xpm, which CI always provides", err)
	}
	return dir
}

func yamlFileAsJSON(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEmbeddedSpecMatchesShared(t *testing.T) {
	dir := sharedDir(t)
	for embedded, shared := range map[string]string{
		practiceSpecFile: "xero-practicemanager-v3-1.yaml",
		identitySpecFile: "xero-identity.yaml",
	} {
		want := yamlFileAsJSON(t, filepath.Join(dir, shared))
		raw, err := specFS.ReadFile(embedded)
		if err != nil {
			t.Fatal(err)
		}
		var got any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%s: %v", embedded, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs from shared/xpm/%s: regenerate the JSON copy from the shared YAML", embedded, shared)
		}
	}
	lic, err := specFS.ReadFile("spec/LICENSE-Xero-OpenAPI")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "LICENSE-Xero-OpenAPI"))
	if err != nil {
		t.Fatal(err)
	}
	if string(lic) != string(want) {
		t.Error("spec/LICENSE-Xero-OpenAPI differs from shared/xpm/LICENSE-Xero-OpenAPI")
	}
}

func TestEmbeddedSpecMergesAllOf(t *testing.T) {
	doc, err := practiceSpec()
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Components.Schemas["ClientDetailedDto"].Value
	if len(s.AllOf) != 0 {
		t.Fatal("ClientDetailedDto still has allOf")
	}
	for _, p := range []string{"uuid", "name", "contacts", "groups", "relationships", "notes"} {
		if _, ok := s.Properties[p]; !ok {
			t.Errorf("merged ClientDetailedDto lacks %q", p)
		}
	}
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		t.Error("merged ClientDetailedDto must keep additionalProperties: false")
	}
	if err := s.VisitJSON(map[string]any{"uuid": "x", "bogus": 1}); err == nil {
		t.Error("an unknown property was accepted")
	}
	if err := s.VisitJSON(map[string]any{"uuid": "x", "groups": []any{map[string]any{"uuid": "g", "name": "G"}}}); err != nil {
		t.Errorf("a valid client was refused: %v", err)
	}
}
