package xpm

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestTypesMatchSpec checks every wire type against its schema: the same
// JSON field names (no more, no fewer) and compatible types, recursively.
// A field added to, removed from or retyped in the spec fails here.
func TestTypesMatchSpec(t *testing.T) {
	s := loadSpecs(t)
	cases := []struct {
		v       any
		schemas []string
	}{
		{NamedEntity{}, []string{"NamedEntityDto"}},
		{ClientType{}, []string{"ClientTypeDto"}},
		{AutoBASOptInCriteria{}, []string{"AutoBasOptInCriteriaDto"}},
		{ClientBase{}, []string{"ClientBaseDto"}},
		{ClientDetail{}, []string{"ClientDetailedDto"}},
		{Contact{}, []string{"ClientContactDto"}},
		{Note{}, []string{"ClientNoteDto"}},
		{Relationship{}, []string{"ClientRelationshipDto"}},
		{RelationshipType{}, []string{"ClientRelationshipTypeDto"}},
		{RelationshipDetail{}, []string{"ClientRelationshipDetailDto"}},
		{Group{}, []string{"ClientGroupDto"}},
		{GroupDetail{}, []string{"ClientGroupDetailDto"}},
		{Staff{}, []string{"StaffDto"}},
		{Connection{}, []string{"Connection"}},
		{ClientAddRequest{}, []string{"ClientAddRequestDto"}},
		{ContactInsert{}, []string{"ContactInsertItemDto"}},
		{ClientUpdateRequest{}, []string{"ClientUpdateRequestDto"}},
		{RelationshipAddRequest{}, []string{"ClientRelationshipAddRequestDto"}},
		{RelationshipUpdateRequest{}, []string{"ClientRelationshipUpdateRequestDto"}},
		{GroupAddRequest{}, []string{"ClientGroupAddRequestDto"}},
		{uuidRequest{}, []string{"ClientArchiveRequestDto", "ClientDeleteRequestDto", "ClientRelationshipDeleteRequestDto", "ClientGroupDeleteRequestDto"}},
		{groupMemberAction{}, []string{"ClientGroupMemberActionDto"}},
		{groupMembersRequest{}, []string{"ClientGroupMembersRequestDto"}},
		{responseBase{}, []string{"ResponseBaseDto", "StatusResponseDto"}},
		{responseError{}, []string{"ResponseErrorDto"}},
		{clientResponse{}, []string{"ClientResponseDto"}},
		{clientListResponse{}, []string{"ClientListResponseDto"}},
		{clientPagedListResponse{}, []string{"ClientPagedListResponseDto"}},
		{pagination{}, []string{"PaginationDto"}},
		{paginationLinks{}, []string{"PaginationLinksDto"}},
		{relationshipResponse{}, []string{"ClientRelationshipResponseDto"}},
		{groupListResponse{}, []string{"ClientGroupListResponseDto"}},
		{groupResponse{}, []string{"ClientGroupResponseDto"}},
		{staffListResponse{}, []string{"StaffListResponseDto"}},
	}
	for _, c := range cases {
		for _, name := range c.schemas {
			typ := reflect.TypeOf(c.v)
			t.Run(typ.Name()+"="+name, func(t *testing.T) {
				nullable := name != "Connection" // identity fields are not nullable
				for _, p := range compareType(typ, s.schema(t, name), typ.Name(), nullable) {
					t.Error(p)
				}
			})
		}
	}
}

var (
	boolType = reflect.TypeOf(Bool{})
	dateType = reflect.TypeOf(Date{})
	timeType = reflect.TypeOf(Time{})
)

// jsonFields lists the JSON fields of a struct, flattening embedded structs.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f
	}
	return out
}

func compareType(typ reflect.Type, sc *openapi3.Schema, where string, nullable bool) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, where+": "+sprintf(format, args...))
	}
	if len(sc.OneOf) == 1 {
		sc = sc.OneOf[0].Value
	}
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ {
	case boolType, dateType, timeType:
		if !sc.Type.Is("string") {
			add("%s for a %v", typ.Name(), sc.Type)
		}
		return problems
	}
	switch typ.Kind() {
	case reflect.String:
		if !sc.Type.Is("string") {
			add("string for a %v", sc.Type)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if !sc.Type.Is("integer") {
			add("int for a %v", sc.Type)
		}
	case reflect.Float64:
		if !sc.Type.Is("number") {
			add("float for a %v", sc.Type)
		}
	case reflect.Slice:
		if !sc.Type.Is("array") || sc.Items == nil {
			add("slice for a %v", sc.Type)
			return problems
		}
		problems = append(problems, compareType(typ.Elem(), sc.Items.Value, where+"[]", nullable)...)
	case reflect.Struct:
		if sc.Type != nil && !sc.Type.Is("object") {
			add("struct for a %v", sc.Type)
			return problems
		}
		// XPM objects are closed (identity objects are not).
		if nullable && (sc.AdditionalProperties.Has == nil || *sc.AdditionalProperties.Has) {
			add("schema allows additional properties (merge failed?)")
		}
		fields := jsonFields(typ)
		var names []string
		for k := range sc.Properties {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			f, ok := fields[k]
			if !ok {
				add("spec field %q missing", k)
				continue
			}
			if nullable && !nullableField(f.Type) {
				add("field %q (%s) cannot tell null from empty", k, f.Type)
			}
			problems = append(problems, compareType(f.Type, sc.Properties[k].Value, where+"."+k, nullable)...)
		}
		for k := range fields {
			if _, ok := sc.Properties[k]; !ok {
				add("field %q is not in the spec", k)
			}
		}
	default:
		add("unexpected Go kind %s", typ.Kind())
	}
	return problems
}

func nullableField(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return true
	}
	return t == boolType || t == dateType || t == timeType
}

// TestRequestsOmitUnset checks that an empty request sends nothing but what
// it must: unset fields are omitted, not sent as null or "".
func TestRequestsOmitUnset(t *testing.T) {
	for _, v := range []any{ClientAddRequest{}, ClientUpdateRequest{}, RelationshipAddRequest{}, RelationshipUpdateRequest{}, GroupAddRequest{}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != "{}" {
			t.Errorf("%T marshals to %s", v, b)
		}
	}
	b, _ := json.Marshal(ClientUpdateRequest{UUID: Ptr("u"), Email: Ptr(""), IsProspect: No, DateOfBirth: Date{1980, time.May, 1}})
	want := `{"uuid":"u","email":"","dateOfBirth":"1980-05-01T00:00:00","isProspect":"No"}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
