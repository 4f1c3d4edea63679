package deploytest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
)

const (
	module     = "github.com/sailpoint-cancel/wfcancel"
	repoRoot   = "../.."
	functionPk = "cmd/lambda"
)

// configVariables returns every variable config.Load reads, in the order it reads them,
// learnt by running it with a getenv that records its arguments. The required variables get
// valid values so that Load reads on to the end.
func configVariables(t *testing.T) []string {
	t.Helper()
	var names []string
	getenv := func(name string) string {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		switch name {
		case "SAILPOINT_BASE_URL":
			return "https://acme.api.identitynow.com"
		case "SECRET_ID":
			return "wfcancel"
		}
		return ""
	}
	if _, err := config.Load(getenv); err != nil {
		t.Fatalf("config.Load with only the required variables: %v", err)
	}
	return names
}

// functionVariables returns every variable the deployed function reads: those config.Load
// reads, and every string literal passed to os.Getenv, os.LookupEnv or a getenv function in
// the non-test files of the packages cmd/lambda is built from. Variables Lambda itself sets
// are left out.
func functionVariables(t *testing.T) []string {
	t.Helper()
	names := configVariables(t)
	for _, dir := range functionPackages(t) {
		for _, name := range literalVariables(t, dir) {
			if !slices.Contains(names, name) && !setByLambda(name) {
				names = append(names, name)
			}
		}
	}
	return names
}

func setByLambda(name string) bool {
	return strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "_") ||
		name == "LAMBDA_TASK_ROOT" || name == "LAMBDA_RUNTIME_DIR" || name == "TZ"
}

// functionPackages returns the directories of this module's packages that cmd/lambda is
// built from, following imports from its main package.
func functionPackages(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	queue := []string{functionPk}
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		if seen[rel] {
			continue
		}
		seen[rel] = true
		for _, imp := range imports(t, filepath.Join(repoRoot, rel)) {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok {
				queue = append(queue, dep)
			}
		}
	}
	var dirs []string
	for rel := range seen {
		dirs = append(dirs, filepath.Join(repoRoot, rel))
	}
	slices.Sort(dirs)
	return dirs
}

// sourceFiles lists a package directory's non-test Go files.
func sourceFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files
}

func imports(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, path := range sourceFiles(t, dir) {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, p)
		}
	}
	return out
}

// literalVariables finds the names passed as string literals to os.Getenv, os.LookupEnv or
// a function called getenv in a package's non-test files.
func literalVariables(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	for _, path := range sourceFiles(t, dir) {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !readsEnv(call.Fun) {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if name, err := strconv.Unquote(lit.Value); err == nil {
					names = append(names, name)
				}
			}
			return true
		})
	}
	return names
}

func readsEnv(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "getenv"
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok && pkg.Name == "os" {
			return f.Sel.Name == "Getenv" || f.Sel.Name == "LookupEnv"
		}
		return f.Sel.Name == "getenv"
	}
	return false
}

func TestFunctionVariablesIncludeTheRequiredOnes(t *testing.T) {
	read := functionVariables(t)
	for _, name := range append(requiredVariables, "METRICS_NAMESPACE") {
		if !slices.Contains(read, name) {
			t.Errorf("the scan of the function's variables missed %s: %q", name, read)
		}
	}
}
