package deploytest

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const readmePath = "../../README.md"

// configTable is README.md's configuration table: the variable names in its first column,
// and patterns for rows that stand for a family, such as `<ROUTE>_ALLOWED_ACTORS`.
type configTable struct {
	names    []string
	patterns []*regexp.Regexp
}

// documents reports whether the table lists name, itself or through a pattern.
func (c configTable) documents(name string) bool {
	if slices.Contains(c.names, name) {
		return true
	}
	for _, p := range c.patterns {
		if p.MatchString(name) {
			return true
		}
	}
	return false
}

var (
	codeSpan    = regexp.MustCompile("`([^`]+)`")
	variable    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	placeholder = regexp.MustCompile(`<[^>]+>|\{[^}]+\}`)
)

// readmeTable reads the table between the config-table markers of README.md or, without
// markers, the tables of its "Configuration" section.
func readmeTable() (configTable, error) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		return configTable{}, err
	}
	section, ok := markedSection(string(raw))
	if !ok {
		if section, ok = headedSection(string(raw), "Configuration"); !ok {
			return configTable{}, errors.New("README.md has no configuration section")
		}
	}

	c := parseTable(section)
	if len(c.names)+len(c.patterns) == 0 {
		return configTable{}, errors.New("README.md's configuration table lists no variable")
	}
	return c, nil
}

// parseTable reads the variable names and patterns in the first column of a markdown table.
func parseTable(section string) configTable {
	var c configTable
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 3 || cells[0] != "" {
			continue
		}
		for _, m := range codeSpan.FindAllStringSubmatch(cells[1], -1) {
			name := strings.TrimSpace(m[1])
			switch {
			case variable.MatchString(name):
				c.names = append(c.names, name)
			case placeholder.MatchString(name):
				quoted := regexp.QuoteMeta(placeholder.ReplaceAllString(name, "\x00"))
				expr := strings.ReplaceAll(quoted, "\x00", "[A-Z][A-Z0-9]*")
				c.patterns = append(c.patterns, regexp.MustCompile("^"+expr+"$"))
			}
		}
	}
	return c
}

func markedSection(doc string) (string, bool) {
	_, rest, ok := strings.Cut(doc, "<!-- config-table")
	if !ok {
		return "", false
	}
	section, _, ok := strings.Cut(rest, "<!-- /config-table -->")
	return section, ok
}

func headedSection(doc, title string) (string, bool) {
	lines := strings.Split(doc, "\n")
	for i, line := range lines {
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || strings.TrimSpace(line[level:]) != title {
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			l := len(lines[j]) - len(strings.TrimLeft(lines[j], "#"))
			if l > 0 && l <= level && strings.HasPrefix(lines[j][l:], " ") {
				end = j
				break
			}
		}
		return strings.Join(lines[i+1:end], "\n"), true
	}
	return "", false
}

func TestReadmeConfigurationTableListsEveryVariable(t *testing.T) {
	if _, err := os.Stat(readmePath); errors.Is(err, os.ErrNotExist) {
		t.Skip("README.md does not exist yet")
	}
	table, err := readmeTable()
	if err != nil {
		t.Fatal(err)
	}

	var missing []string
	for _, name := range configVariables(t) {
		if !table.documents(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("config.Load reads variables README.md's configuration table lacks: %s",
			strings.Join(missing, " "))
	}
	all := functionVariables(t)
	for _, name := range table.names {
		if !slices.Contains(all, name) {
			t.Errorf("README.md's configuration table lists %s, which the function never reads",
				name)
		}
	}
}

func TestReadmeTableReadsNamesAndPatterns(t *testing.T) {
	doc := "# x\n## Configuration\n| variable | default |\n|---|---|\n" +
		"| `SECRET_ID` | `5m` |\n" +
		"| `<ROUTE>_ALLOWED_ACTORS`, `{PROVIDER}_EVENT_POINTER` | |\n" +
		"| not a `name` | `IGNORED` |\n" +
		"### Sub-heading stays in\n| `INSIDE` | |\n" +
		"## Next\n| `LATER` | |\n"
	section, ok := headedSection(doc, "Configuration")
	if !ok {
		t.Fatal("no section")
	}
	c := parseTable(section)

	for _, name := range []string{"SECRET_ID", "INSIDE", "GITHUB_ALLOWED_ACTORS",
		"JIRA_EVENT_POINTER"} {
		if !c.documents(name) {
			t.Errorf("%s is not documented by %v", name, c)
		}
	}
	for _, name := range []string{"LATER", "IGNORED", "name", "_ALLOWED_ACTORS",
		"GITHUB_ALLOWED_ACTORS_X", "5m"} {
		if c.documents(name) {
			t.Errorf("%s is documented by %v", name, c)
		}
	}
}
