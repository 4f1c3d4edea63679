package metrics_test

import (
	"os"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
)

func ExampleRecorder_Record() {
	clock := func() time.Time { return time.UnixMilli(1_700_000_000_000) }
	r := metrics.New(os.Stdout, "SailPointCancel", clock)

	r.Record(metrics.Request{Route: "webhook", Outcome: "invalid_signature",
		SignatureRejected: true})

	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"SailPointCancel","Dimensions":[[]],"Metrics":[{"Name":"ColdStart","Unit":"Count"}]}]},"ColdStart":1}
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"SailPointCancel","Dimensions":[["Route","Outcome"]],"Metrics":[{"Name":"Requests","Unit":"Count"}]}]},"Route":"webhook","Outcome":"invalid_signature","Requests":1}
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"SailPointCancel","Dimensions":[["Route"]],"Metrics":[{"Name":"SignatureRejections","Unit":"Count"}]}]},"Route":"webhook","SignatureRejections":1}
}
