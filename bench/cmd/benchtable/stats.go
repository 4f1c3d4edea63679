package main

import "slices"

// number is a type median and percentile work on: durations, counts, measures.
type number interface {
	~int | ~int64 | ~float64
}

// median returns the middle value of xs (the mean of the two middle ones for an even count),
// or zero for none. xs is not modified.
func median[T number](xs []T) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the value below which p percent of xs fall (nearest rank), or zero.
func percentile[T number](xs []T, p int) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}
