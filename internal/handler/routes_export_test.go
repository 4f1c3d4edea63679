package handler

import (
	"slices"
	"testing"
)

func TestRoutesAreSortedPathsIncludingSlackAndWebhook(t *testing.T) {
	got := Routes()
	if !slices.IsSorted(got) {
		t.Errorf("Routes() is not sorted: %q", got)
	}
	for _, want := range []string{"/slack", "/webhook"} {
		if !slices.Contains(got, want) {
			t.Errorf("Routes() = %q, missing %s", got, want)
		}
	}
	for _, p := range got {
		if p == "" || p[0] != '/' {
			t.Errorf("route %q is not a path", p)
		}
	}
}
