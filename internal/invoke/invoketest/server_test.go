package invoketest

import (
	"net/http"
	"strings"
	"testing"
)

func TestServerSpeaksTheInvokeProtocol(t *testing.T) {
	s := NewServer()
	defer s.Close()
	rows := []struct {
		name, method, path, kind string
		want                     int
		wantType                 string
	}{
		{name: "event invocation", method: "POST",
			path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/" +
				"invocations", kind: "Event", want: http.StatusAccepted},
		{name: "synchronous invocation refused", method: "POST",
			path: "/2015-03-31/functions/f/invocations", kind: "RequestResponse",
			want: http.StatusBadRequest, wantType: "InvalidParameterValueException"},
		{name: "other operation", method: "GET", path: "/2015-03-31/functions/f",
			want: http.StatusNotFound, wantType: "UnknownOperationException"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			req, err := http.NewRequest(row.method, s.URL+row.path, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Invocation-Type", row.kind)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != row.want || resp.Header.Get("X-Amzn-ErrorType") != row.wantType {
				t.Errorf("answer = %d %q; want %d %q", resp.StatusCode,
					resp.Header.Get("X-Amzn-ErrorType"), row.want, row.wantType)
			}
		})
	}
	got := s.Invocations()
	if len(got) != 1 || got[0].FunctionName != "arn:aws:lambda:us-east-1:1:function:f" {
		t.Errorf("invocations = %+v; want the one event, name unescaped", got)
	}
}
