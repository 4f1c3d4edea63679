package reply

import "testing"

func TestJSONDocuments(t *testing.T) {
	rows := []struct {
		name   string
		o      Outcome
		status int
		body   string
	}{
		{name: "a requested cancel names the execution", status: 200,
			o:    Outcome{Kind: CancelRequested, ExecutionID: "e-1"},
			body: `{"executionId":"e-1","status":"cancel requested"}`},
		{name: "a finished cancel gives the execution's state", status: 200,
			o:    Outcome{Kind: Canceled, ExecutionID: "e-1", ExecutionStatus: "Canceled"},
			body: `{"executionId":"e-1","status":"Canceled"}`},
		{name: "a status report gives what SailPoint said", status: 200,
			o: Outcome{Kind: StatusReport, ExecutionID: "e-1", WorkflowID: "wf-1",
				ExecutionStatus: "Running", StartTime: "2026-12-04T10:00:00Z"},
			body: `{"executionId":"e-1","workflowId":"wf-1","status":"Running",` +
				`"startTime":"2026-12-04T10:00:00Z"}`},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			a := JSON(row.o)
			if a.Body != row.body || a.Header["Content-Type"] != ContentTypeJSON {
				t.Errorf("answer %s %v; want %s", a.Body, a.Header, row.body)
			}
			if a.Status != row.status {
				t.Errorf("status %d; want %d", a.Status, row.status)
			}
		})
	}
}

func TestTextIsAFullSentence(t *testing.T) {
	rows := []struct {
		name string
		o    Outcome
		want string
	}{
		{name: "a missing scope names the PAT and the scope",
			o:    Outcome{Kind: Forbidden, ExecutionID: "e-1", Scope: "sp:a"},
			want: "The PAT lacks a scope: the call needs sp:a (execution e-1)."},
		{name: "a lower-case title opens with a capital",
			o:    Outcome{Kind: InvalidSignature},
			want: "Invalid signature."},
		{name: "a title that names SailPoint keeps it",
			o:    Outcome{Kind: UpstreamFailed, ExecutionID: "e-1", UpstreamStatus: 500},
			want: "SailPoint failed: HTTP 500 (execution e-1)."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			if got := Text(row.o); got != row.want {
				t.Errorf("Text = %q; want %q", got, row.want)
			}
		})
	}
}
