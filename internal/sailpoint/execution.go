package sailpoint

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Execution is one workflow execution as SailPoint describes it (WorkflowExecution schema).
type Execution struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflowId"`
	RequestID  string `json:"requestId"`
	Status     string `json:"status"`
	StartTime  string `json:"startTime"`
	CloseTime  string `json:"closeTime"`
}

// Execution statuses the spec lists. The live API also sends others (such as "Executing"),
// so a status outside this list must be expected.
const (
	StatusCompleted = "Completed"
	StatusFailed    = "Failed"
	StatusCanceled  = "Canceled"
	StatusQueued    = "Queued"
	StatusRunning   = "Running"
)

// Finished reports whether the execution has reached a final status (Completed, Failed or
// Canceled). Any other status, including ones the spec does not list, counts as running.
func (e Execution) Finished() bool {
	switch e.Status {
	case StatusCompleted, StatusFailed, StatusCanceled:
		return true
	default:
		return false
	}
}

// decodeExecution reads a GET execution body. The spec declares it as "items" of
// WorkflowExecution without saying "array", and the live API sends a single object, so both
// an object and a one-element array are accepted.
func decodeExecution(body []byte) (Execution, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var list []Execution
		if err := json.Unmarshal(body, &list); err != nil {
			return Execution{}, err
		}
		if len(list) != 1 {
			return Execution{}, errors.New("expected one execution in the array")
		}
		return list[0], nil
	}

	var e Execution
	if err := json.Unmarshal(body, &e); err != nil {
		return Execution{}, err
	}
	if e.ID == "" && e.Status == "" {
		return Execution{}, errors.New("execution has neither id nor status")
	}
	return e, nil
}
