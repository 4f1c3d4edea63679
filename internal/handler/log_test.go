package handler

import (
	"strings"
	"testing"
)

func TestCleanCapsAndReplacesControlCharacters(t *testing.T) {
	long := strings.Repeat("a", maxLogValue)
	rows := []struct {
		name, in, want string
	}{
		{name: "printable ASCII is kept", in: "exec-1 ok", want: "exec-1 ok"},
		{name: "empty stays empty", in: "", want: ""},
		{name: "exactly the cap is kept", in: long, want: long},
		{name: "one past the cap is cut", in: long + "b", want: long + "…"},
		{name: "a newline is replaced", in: "a\nb", want: "a?b"},
		{name: "DEL is replaced", in: "a\x7fb", want: "a?b"},
		{name: "a C1 control is replaced", in: "a\u0085b", want: "a?b"},
		{name: "non-ASCII letters are kept", in: "café", want: "café"},
		{name: "invalid UTF-8 becomes the replacement character", in: "a\xffb",
			want: "a\ufffdb"},
		{name: "the cap counts characters, not bytes", in: strings.Repeat("é", maxLogValue),
			want: strings.Repeat("é", maxLogValue)},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			if got := clean(row.in); got != row.want {
				t.Errorf("clean(%q) = %q; want %q", row.in, got, row.want)
			}
		})
	}
}
