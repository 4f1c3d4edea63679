package deploytest

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sailpoint-cancel/wfcancel/internal/handler"
)

const templatePath = "../../template.yaml"

// template is template.yaml as a YAML tree, intrinsic function tags (!Ref, !Sub, !GetAtt,
// !If and the rest) kept on the nodes that carry them.
type template struct{ root *yaml.Node }

func loadTemplate(t *testing.T) template {
	t.Helper()
	raw, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("template.yaml is not YAML: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 ||
		doc.Content[0].Kind != yaml.MappingNode {
		t.Fatal("template.yaml is not one mapping")
	}
	return template{root: doc.Content[0]}
}

// get follows keys through mappings; nil when a key is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// pairs returns a mapping's keys and values in order.
func pairs(n *yaml.Node) ([]string, []*yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	var keys []string
	var values []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
		values = append(values, n.Content[i+1])
	}
	return keys, values
}

// scalar is a plain scalar's text; "" for anything else, an intrinsic function included.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || strings.HasPrefix(n.Tag, "!") &&
		!strings.HasPrefix(n.Tag, "!!") {
		return ""
	}
	return n.Value
}

// ref is the name a !Ref or {Ref: name} node refers to; "" for anything else.
func ref(n *yaml.Node) string {
	switch {
	case n == nil:
		return ""
	case n.Tag == "!Ref" && n.Kind == yaml.ScalarNode:
		return n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref":
		return scalar(n.Content[1])
	}
	return ""
}

// subTemplate is the string of a !Sub or Fn::Sub node (short or list form); "" otherwise.
func subTemplate(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::Sub" {
		n = n.Content[1]
	} else if n.Tag != "!Sub" {
		return ""
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

var subVariable = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}`)

// references collects every name n refers to through !Ref, Ref, !Sub, Fn::Sub and
// !GetAtt, and the conditions it names with !Condition or Condition.
func references(n *yaml.Node, into map[string]bool) {
	if n == nil {
		return
	}
	if name := ref(n); name != "" {
		into[name] = true
	}
	for _, m := range subVariable.FindAllStringSubmatch(subTemplate(n), -1) {
		into[m[1]] = true
	}
	if n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode {
		into[strings.SplitN(n.Value, ".", 2)[0]] = true
	}
	if n.Tag == "!Condition" && n.Kind == yaml.ScalarNode {
		into[n.Value] = true
	}
	for _, c := range n.Content {
		references(c, into)
	}
}

// function returns the template's one AWS::Serverless::Function and its logical id.
func (tp template) function(t *testing.T) (string, *yaml.Node) {
	t.Helper()
	var found []string
	var node *yaml.Node
	ids, resources := pairs(get(tp.root, "Resources"))
	for i, r := range resources {
		if scalar(get(r, "Type")) == "AWS::Serverless::Function" {
			found = append(found, ids[i])
			node = resources[i]
		}
	}
	if len(found) != 1 {
		t.Fatalf("template has functions %q, want exactly one", found)
	}
	return found[0], node
}

func TestTemplateFunction(t *testing.T) {
	tp := loadTemplate(t)
	if got := scalar(get(tp.root, "Transform")); got != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform is %q, want AWS::Serverless-2016-10-31", got)
	}
	id, fn := tp.function(t)
	props := get(fn, "Properties")

	checks := []struct {
		name, path, want string
		got              *yaml.Node
	}{
		{"the custom runtime on Amazon Linux 2023", "Runtime", "provided.al2023",
			get(props, "Runtime")},
		{"the bootstrap handler", "Handler", "bootstrap", get(props, "Handler")},
		{"a build by the Makefile", "Metadata.BuildMethod", "makefile",
			get(fn, "Metadata", "BuildMethod")},
		{"JSON logs", "LoggingConfig.LogFormat", "JSON", get(props, "LoggingConfig", "LogFormat")},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := scalar(c.got); got != c.want {
				t.Errorf("%s.Properties.%s is %q, want %q", id, c.path, got, c.want)
			}
		})
	}

	t.Run("arm64 only", func(t *testing.T) {
		arch := get(props, "Architectures")
		if arch == nil || arch.Kind != yaml.SequenceNode || len(arch.Content) != 1 ||
			scalar(arch.Content[0]) != "arm64" {
			t.Errorf("%s.Properties.Architectures is not [arm64]", id)
		}
	})
	t.Run("a timeout within API Gateway's 29 seconds", func(t *testing.T) {
		secs, err := strconv.Atoi(scalar(get(props, "Timeout")))
		if err != nil || secs < 1 || secs > 29 {
			t.Errorf("%s.Properties.Timeout is %q, want 1 to 29 seconds", id,
				scalar(get(props, "Timeout")))
		}
	})
}

func TestTemplateHasOnePostEventPerRoute(t *testing.T) {
	tp := loadTemplate(t)
	id, fn := tp.function(t)
	names, events := pairs(get(fn, "Properties", "Events"))

	served := handler.Routes()
	var declared []string
	for i, ev := range events {
		if scalar(get(ev, "Type")) != "HttpApi" {
			continue
		}
		path := scalar(get(ev, "Properties", "Path"))
		method := scalar(get(ev, "Properties", "Method"))
		if !strings.EqualFold(method, "post") {
			t.Errorf("%s event %s: Method is %q, want POST", id, names[i], method)
		}
		if !slices.Contains(served, path) {
			t.Errorf("%s event %s: Path %q is not a route the handler serves (%q)", id,
				names[i], path, served)
		}
		declared = append(declared, path)
	}
	for _, route := range served {
		if !slices.Contains(declared, route) {
			t.Errorf("route %s has no HttpApi event with Method POST and Path %s in %s.Events",
				route, route, id)
		}
	}
}

func TestTemplateGrantsReadOfTheConfiguredSecret(t *testing.T) {
	tp := loadTemplate(t)
	id, fn := tp.function(t)
	props := get(fn, "Properties")

	secretParam := ref(get(props, "Environment", "Variables", "SECRET_ID"))
	if secretParam == "" {
		t.Fatalf("%s: SECRET_ID is not a !Ref to a parameter", id)
	}
	policies := get(props, "Policies")
	if policies == nil || policies.Kind != yaml.SequenceNode {
		t.Fatalf("%s.Properties.Policies is not a list", id)
	}
	for _, p := range policies.Content {
		arn := get(p, "AWSSecretsManagerGetSecretValuePolicy", "SecretArn")
		if ref(arn) == secretParam {
			return
		}
	}
	t.Errorf("%s.Properties.Policies has no AWSSecretsManagerGetSecretValuePolicy whose "+
		"SecretArn is !Ref %s, the secret SECRET_ID names", id, secretParam)
}

func TestTemplateUsesEveryParameter(t *testing.T) {
	tp := loadTemplate(t)
	used := map[string]bool{}
	keys, values := pairs(tp.root)
	for i, k := range keys {
		if k != "Parameters" {
			references(values[i], used)
		}
	}
	params, _ := pairs(get(tp.root, "Parameters"))
	if len(params) == 0 {
		t.Fatal("template has no Parameters")
	}
	for _, p := range params {
		if !used[p] {
			t.Errorf("parameter %s is referred to nowhere (!Ref, !Sub)", p)
		}
	}
}

func TestTemplateOutputsTheEndpoint(t *testing.T) {
	tp := loadTemplate(t)
	id, fn := tp.function(t)

	apis := map[string]bool{}
	_, events := pairs(get(fn, "Properties", "Events"))
	for _, ev := range events {
		if api := ref(get(ev, "Properties", "ApiId")); api != "" {
			apis[api] = true
		}
	}
	if len(apis) == 0 {
		t.Fatalf("%s's HttpApi events name no ApiId", id)
	}
	_, outputs := pairs(get(tp.root, "Outputs"))
	for _, o := range outputs {
		url := subTemplate(get(o, "Value"))
		for api := range apis {
			if strings.HasPrefix(url, "https://${"+api+"}.execute-api.") {
				return
			}
		}
	}
	t.Errorf("Outputs has no https://${Api}.execute-api... endpoint URL for the APIs %v",
		keysOf(apis))
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// templateVariables is the function's Environment.Variables, by name.
func templateVariables(t *testing.T) map[string]*yaml.Node {
	t.Helper()
	tp := loadTemplate(t)
	_, fn := tp.function(t)
	names, values := pairs(get(fn, "Properties", "Environment", "Variables"))
	out := map[string]*yaml.Node{}
	for i, n := range names {
		out[n] = values[i]
	}
	return out
}

func TestTemplateSetsOrDocumentsEveryVariableTheFunctionReads(t *testing.T) {
	set := templateVariables(t)
	table, err := readmeTable()
	if err != nil {
		t.Logf("no README configuration table (%v): every variable must be in the template", err)
	}

	read := functionVariables(t)
	for _, name := range requiredVariables {
		if _, ok := set[name]; !ok {
			t.Errorf("template.yaml does not set %s, which the function requires", name)
		}
	}
	var missing []string
	for _, name := range read {
		if _, ok := set[name]; !ok && !table.documents(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the function reads variables that are neither set in template.yaml's "+
			"Environment.Variables nor listed in README.md's configuration table: %s",
			strings.Join(missing, " "))
	}
	for name := range set {
		if !slices.Contains(read, name) {
			t.Errorf("template.yaml sets %s, which the function never reads", name)
		}
	}
}

// requiredVariables are the variables without which the deployed function cannot start.
var requiredVariables = []string{"SAILPOINT_BASE_URL", "SECRET_ID"}

func (c configTable) String() string { return fmt.Sprint(c.names, c.patterns) }
