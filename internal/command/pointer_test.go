package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// loadDoc decodes a fixture the way ticket routes decode bodies.
func loadDoc(t *testing.T, name string) any {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckJSON(raw); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestPointerRFC6901Examples(t *testing.T) {
	doc := loadDoc(t, "rfc6901.json")
	tests := []struct {
		pointer string
		want    any
	}{
		{"", doc},
		{"/foo", []any{"bar", "baz"}},
		{"/foo/0", "bar"},
		{"/", json.Number("0")},
		{"/a~1b", json.Number("1")},
		{"/c%d", json.Number("2")},
		{"/e^f", json.Number("3")},
		{"/g|h", json.Number("4")},
		{"/i\\j", json.Number("5")},
		{"/k\"l", json.Number("6")},
		{"/ ", json.Number("7")},
		{"/m~0n", json.Number("8")},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			got, found, err := Pointer(doc, tt.pointer)
			if err != nil || !found {
				t.Fatalf("Pointer(%q) = found %v, err %v", tt.pointer, found, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Pointer(%q) = %#v, want %#v", tt.pointer, got, tt.want)
			}
		})
	}
}

func TestPointer(t *testing.T) {
	doc := loadDoc(t, "ticket.json")
	tests := []struct {
		name      string
		pointer   string
		want      any
		found     bool
		malformed bool
	}{
		{"nested field", "/fields/execution", "exec 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b", true, false},
		{"array element", "/comments/1/body", "second", true, false},
		{"array of arrays", "/matrix/1/0", json.Number("3"), true, false},
		{"tilde one is slash", "/fields/a~1b", "slash", true, false},
		{"tilde zero is tilde", "/fields/a~0b", "tilde", true, false},
		{"tilde zero one is tilde then one", "/fields/~01", "tilde-one", true, false},
		{"null value is found", "/fields/empty", nil, true, false},
		{"missing key", "/fields/nope", nil, false, false},
		{"missing top key", "/nope", nil, false, false},
		{"key case differs", "/Fields/execution", nil, false, false},
		{"index past end", "/comments/2", nil, false, false},
		{"dash never matches", "/comments/-", nil, false, false},
		{"leading zero index", "/comments/01", nil, false, false},
		{"negative index", "/comments/-1", nil, false, false},
		{"plus sign index", "/comments/+1", nil, false, false},
		{"empty index", "/comments/", nil, false, false},
		{"huge index", "/comments/99999999999999999999999", nil, false, false},
		{"index into object", "/fields/0", nil, false, false},
		{"step into string", "/fields/execution/0", nil, false, false},
		{"step into number", "/matrix/1/0/0", nil, false, false},
		{"no leading slash", "fields", nil, false, true},
		{"bare tilde", "/fields/a~b", nil, false, true},
		{"tilde at end", "/fields/~", nil, false, true},
		{"tilde two", "/fields/~2", nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := Pointer(doc, tt.pointer)
			if tt.malformed {
				if !errors.Is(err, ErrMalformedPointer) {
					t.Fatalf("err = %v, want ErrMalformedPointer", err)
				}
				if ValidPointer(tt.pointer) {
					t.Fatalf("ValidPointer(%q) = true", tt.pointer)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !ValidPointer(tt.pointer) {
				t.Fatalf("ValidPointer(%q) = false", tt.pointer)
			}
			if found != tt.found || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Pointer(%q) = %#v, %v; want %#v, %v",
					tt.pointer, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestPointerOnScalarDocument(t *testing.T) {
	got, found, err := Pointer("x", "")
	if err != nil || !found || got != "x" {
		t.Fatalf("Pointer(\"x\", \"\") = %v, %v, %v", got, found, err)
	}
	if _, found, _ := Pointer("x", "/a"); found {
		t.Fatal("a scalar has no children")
	}
	if _, found, _ := Pointer(nil, "/a"); found {
		t.Fatal("null has no children")
	}
}
