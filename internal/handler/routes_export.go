package handler

import (
	"maps"
	"slices"
)

// Routes returns the paths the handler serves ("/slack", "/webhook", ...), sorted. A
// deployment must send each of them to the function as a POST; the template test checks it.
func Routes() []string {
	return slices.Sorted(maps.Keys(routes(0, nil)))
}
