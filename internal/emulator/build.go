package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// riePackage is the import path of the emulator's main package; go.mod lists
// it as a tool, so it builds from the module cache without a network fetch.
const riePackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// Build compiles the main package pkg (a path relative to the module root, such
// as "./cmd/lambda") into dir/bootstrap for the host and returns its path.
//
// The flags match the deployed function (CGO_ENABLED=0, -tags lambda.norpc,
// -trimpath) except the target, so the binary runs here under the emulator.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	out, err := filepath.Abs(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}

	err = goBuild(ctx, "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	return out, nil
}

// rieBuilds remembers, per directory, the emulator binaries already built by
// this process, so every test in a package shares one compile.
var rieBuilds = struct {
	sync.Mutex
	paths map[string]string
}{paths: map[string]string{}}

// BuildRIE compiles the Runtime Interface Emulator into dir and returns the
// binary's path. When the environment variable RIE_BIN names a file, that file
// is used instead and nothing is compiled.
//
// Rules:
//   - a second call for the same dir returns the first binary without building;
//   - the emulator is built from the version pinned in go.mod.
func BuildRIE(ctx context.Context, dir string) (string, error) {
	if bin := os.Getenv("RIE_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("RIE_BIN: %w", err)
		}
		return bin, nil
	}

	rieBuilds.Lock()
	defer rieBuilds.Unlock()
	if bin, ok := rieBuilds.paths[dir]; ok {
		return bin, nil
	}

	bin, err := filepath.Abs(filepath.Join(dir, "aws-lambda-rie"))
	if err != nil {
		return "", fmt.Errorf("build emulator: %w", err)
	}
	if err := goBuild(ctx, "-trimpath", "-o", bin, riePackage); err != nil {
		return "", fmt.Errorf("build emulator: %w", err)
	}
	rieBuilds.paths[dir] = bin
	return bin, nil
}

// goBuild runs "go build args..." in the module root with cgo disabled.
func goBuild(ctx context.Context, args ...string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	goBin, err := goTool()
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(ctx, goBin, append([]string{"build"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out.Bytes())
	}
	return nil
}

// goTool finds the go command: the one in $GOROOT/bin when GOROOT is set (go
// test sets it), else the one on PATH, else the default install location.
func goTool() (string, error) {
	candidates := []string{}
	if root := os.Getenv("GOROOT"); root != "" {
		candidates = append(candidates, filepath.Join(root, "bin", "go"))
	}
	if p, err := exec.LookPath("go"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/local/go/bin/go")

	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c, nil
		}
	}
	return "", errors.New("go command not found in GOROOT, PATH or /usr/local/go/bin")
}

// moduleRoot walks up from the working directory to the first go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}
