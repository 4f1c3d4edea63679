package deploytest

import (
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestTemplateTurnsAsyncRetriesOff pins the at-most-once promise of deferred mode: Lambda
// must not retry the asynchronous hand-off (a retry could cancel twice), and an event older
// than the hand-off's own 900 s validity is dropped.
func TestTemplateTurnsAsyncRetriesOff(t *testing.T) {
	_, fn := loadTemplate(t).function(t)
	cfg := get(fn, "Properties", "EventInvokeConfig")
	if cfg == nil {
		t.Fatal("the function has no EventInvokeConfig")
	}
	if got := scalar(get(cfg, "MaximumRetryAttempts")); got != "0" {
		t.Errorf("MaximumRetryAttempts is %q, want 0", got)
	}
	age, err := strconv.Atoi(scalar(get(cfg, "MaximumEventAgeInSeconds")))
	if err != nil || age < 60 || age > 900 {
		t.Errorf("MaximumEventAgeInSeconds is %q, want 60 to 900",
			scalar(get(cfg, "MaximumEventAgeInSeconds")))
	}
}

func TestTemplateDefersChatAnswers(t *testing.T) {
	vars := templateVariables(t)
	if got := scalar(vars["RESPONSE_MODE"]); got != "deferred" {
		t.Errorf("RESPONSE_MODE is %q, want deferred", got)
	}
}

// TestTemplateLetsTheFunctionInvokeOnlyItself checks that every statement granting a
// lambda: action grants exactly lambda:InvokeFunction, on this function's own ARN (plain or
// qualified by a version or alias) and nothing else.
func TestTemplateLetsTheFunctionInvokeOnlyItself(t *testing.T) {
	_, fn := loadTemplate(t).function(t)
	grants := 0
	for _, st := range statements(get(fn, "Properties", "Policies")) {
		actions := strings.Fields(strings.Join(scalars(get(st, "Action")), " "))
		lambdaAction := false
		for _, a := range actions {
			if strings.HasPrefix(strings.ToLower(a), "lambda:") || a == "*" {
				lambdaAction = true
			}
		}
		if !lambdaAction {
			continue
		}
		grants++
		if len(actions) != 1 || actions[0] != "lambda:InvokeFunction" {
			t.Errorf("a statement grants %q, want only lambda:InvokeFunction", actions)
		}
		resources := get(st, "Resource")
		var arns []string
		if resources != nil && resources.Kind == yaml.SequenceNode {
			for _, r := range resources.Content {
				arns = append(arns, subTemplate(r))
			}
		} else {
			arns = append(arns, subTemplate(resources))
		}
		for _, arn := range arns {
			switch arn {
			case "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}",
				"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}:*":
			default:
				t.Errorf("lambda:InvokeFunction granted on %q, want only the function itself", arn)
			}
		}
	}
	if grants != 1 {
		t.Errorf("%d statements grant lambda actions, want 1", grants)
	}
	if got := ref(get(fn, "Properties", "FunctionName")); got != "FunctionName" {
		t.Errorf("FunctionName is not !Ref FunctionName (%q): the ARN in the policy would "+
			"not be the function's", got)
	}
}

// statements collects every policy statement under n, inside !If branches too.
func statements(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	var out []*yaml.Node
	if st := get(n, "Statement"); st != nil && st.Kind == yaml.SequenceNode {
		out = append(out, st.Content...)
	}
	for _, c := range n.Content {
		if get(n, "Statement") == c {
			continue
		}
		out = append(out, statements(c)...)
	}
	return out
}

// scalars is a scalar's text, or the texts of a sequence of scalars.
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, scalar(c))
		}
		return out
	}
	return []string{scalar(n)}
}
