package sarif

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// valid returns a log with one rule and a result that has a related
// location and a fix.
func valid() *Log {
	l := New("tool", "v1.2.3", "https://example.com/tool", "/src/repo")
	run := l.Runs[0]
	run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, &ReportingDescriptor{
		ID: "rule", ShortDescription: &Message{Text: "short"}, Help: &Message{Text: "help"},
	})
	one, off, n := 1, 10, 3
	run.Results = append(run.Results, &Result{
		RuleID: "rule", RuleIndex: 0, Level: "warning", Message: Message{Text: "found"},
		Locations: []*Location{{PhysicalLocation: &PhysicalLocation{
			ArtifactLocation: Artifact("/src/repo", "/src/repo/a b/x.go"),
			Region:           &Region{StartLine: 2, StartColumn: 3},
		}}},
		RelatedLocations: []*Location{{ID: &one, Message: &Message{Text: "here"}, PhysicalLocation: &PhysicalLocation{
			ArtifactLocation: Artifact("/src/repo", "/elsewhere/y.go"),
			Region:           &Region{StartLine: 5, StartColumn: 1},
		}}},
		Fixes: []*Fix{{ArtifactChanges: []*ArtifactChange{{
			ArtifactLocation: Artifact("/src/repo", "/src/repo/a b/x.go"),
			Replacements: []*Replacement{{
				DeletedRegion:   Region{StartLine: 2, StartColumn: 3, EndLine: 2, EndColumn: 6, ByteOffset: &off, ByteLength: &n},
				InsertedContent: &ArtifactContent{Text: "new"},
			}},
		}}}},
	})
	run.Invocations = []*Invocation{{ExecutionSuccessful: true}}
	return l
}

func encode(t *testing.T, l *Log) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := l.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestValid(t *testing.T) {
	data := encode(t, valid())
	if err := Validate(data); err != nil {
		t.Fatalf("Validate: %v\n%s", err, data)
	}
	for _, want := range []string{`"uri": "a%20b/x.go"`, `"uriBaseId": "%SRCROOT%"`, `"uri": "file:///elsewhere/y.go"`, `"uri": "file:///src/repo/"`, `"ruleIndex": 0`, `"version": "1.2.3"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("log lacks %s:\n%s", want, data)
		}
	}
}

// TestInvalid breaks a valid log in one place at a time and checks that
// Validate says where.
func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(m map[string]any)
		want   string
	}{
		{"version", func(m map[string]any) { m["version"] = "2.0.0" }, "$.version"},
		{"schema", func(m map[string]any) { delete(m, "$schema") }, "$.$schema: missing"},
		{"no runs", func(m map[string]any) { m["runs"] = []any{} }, "$.runs: empty"},
		{"driver name", func(m map[string]any) { delete(driver(m), "name") }, "tool.driver.name: missing"},
		{"rule id", func(m map[string]any) { delete(rule(m), "id") }, "rules[0].id: missing"},
		{"ruleId", func(m map[string]any) { delete(result(m), "ruleId") }, "results[0].ruleId: missing"},
		{"ruleIndex missing", func(m map[string]any) { delete(result(m), "ruleIndex") }, "results[0].ruleIndex: missing"},
		{"ruleIndex range", func(m map[string]any) { result(m)["ruleIndex"] = 3.0 }, "driver has 1 rules"},
		{"ruleIndex mismatch", func(m map[string]any) { result(m)["ruleId"] = "other" }, `names rule "rule", not the ruleId "other"`},
		{"level", func(m map[string]any) { result(m)["level"] = "fatal" }, `"fatal" is not a level`},
		{"message", func(m map[string]any) { delete(result(m)["message"].(map[string]any), "text") }, "message.text: missing"},
		{"locations", func(m map[string]any) { result(m)["locations"] = []any{} }, "locations: empty"},
		{"relative without base", func(m map[string]any) { delete(artifact(m), "uriBaseId") }, "relative but has no uriBaseId"},
		{"absolute with base", func(m map[string]any) { artifact(m)["uri"] = "file:///x.go" }, "has a uriBaseId but is not relative"},
		{"unknown base", func(m map[string]any) { artifact(m)["uriBaseId"] = "NOPE" }, "not among the run's originalUriBaseIds"},
		{"startLine", func(m map[string]any) { region(m)["startLine"] = 0.0 }, "startLine: 0 is less than 1"},
		{"startColumn", func(m map[string]any) { delete(region(m), "startColumn") }, "region.startColumn: missing"},
		{"fraction", func(m map[string]any) { region(m)["startLine"] = 1.5 }, "want an integer"},
		{"related id", func(m map[string]any) { delete(related(m), "id") }, "relatedLocations[0].id: missing"},
		{"related message", func(m map[string]any) { delete(related(m), "message") }, "relatedLocations[0].message: missing"},
		{"related id repeated", func(m map[string]any) {
			r := result(m)
			r["relatedLocations"] = append(r["relatedLocations"].([]any), related(m))
		}, "repeats an earlier related location's id"},
		{"artifactChanges", func(m map[string]any) { fix(m)["artifactChanges"] = []any{} }, "artifactChanges: empty"},
		{"replacements", func(m map[string]any) { delete(change(m), "replacements") }, "replacements: missing"},
		{"deletedRegion", func(m map[string]any) { delete(replacement(m), "deletedRegion") }, "deletedRegion: missing"},
		{"deletedRegion backwards", func(m map[string]any) { replacement(m)["deletedRegion"].(map[string]any)["endColumn"] = 1.0 }, "ends at column 1 before it starts"},
		{"insertedContent", func(m map[string]any) { replacement(m)["insertedContent"] = map[string]any{} }, "insertedContent.text: missing"},
		{"executionSuccessful", func(m map[string]any) {
			delete(run(m)["invocations"].([]any)[0].(map[string]any), "executionSuccessful")
		}, "executionSuccessful: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(encode(t, valid()), &m); err != nil {
				t.Fatal(err)
			}
			tc.break_(m)
			data, _ := json.Marshal(m)
			err := Validate(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func run(m map[string]any) map[string]any { return m["runs"].([]any)[0].(map[string]any) }
func driver(m map[string]any) map[string]any {
	return run(m)["tool"].(map[string]any)["driver"].(map[string]any)
}
func rule(m map[string]any) map[string]any { return driver(m)["rules"].([]any)[0].(map[string]any) }
func result(m map[string]any) map[string]any {
	return run(m)["results"].([]any)[0].(map[string]any)
}
func physical(m map[string]any) map[string]any {
	return result(m)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
}
func artifact(m map[string]any) map[string]any {
	return physical(m)["artifactLocation"].(map[string]any)
}
func region(m map[string]any) map[string]any { return physical(m)["region"].(map[string]any) }
func related(m map[string]any) map[string]any {
	return result(m)["relatedLocations"].([]any)[0].(map[string]any)
}
func fix(m map[string]any) map[string]any { return result(m)["fixes"].([]any)[0].(map[string]any) }
func change(m map[string]any) map[string]any {
	return fix(m)["artifactChanges"].([]any)[0].(map[string]any)
}
func replacement(m map[string]any) map[string]any {
	return change(m)["replacements"].([]any)[0].(map[string]any)
}

func TestUTF16Column(t *testing.T) {
	for _, tc := range []struct {
		line      string
		col, want int
	}{
		{"abc", 1, 1},
		{"abc", 3, 3},
		{"abc", 4, 4},
		{"é=1", 3, 2}, // é is two bytes, one unit
		{"😀=1", 5, 3}, // 😀 is four bytes, two units
		{"ab", 6, 6},  // beyond the line
	} {
		if got := UTF16Column([]byte(tc.line), tc.col); got != tc.want {
			t.Errorf("UTF16Column(%q, %d) = %d, want %d", tc.line, tc.col, got, tc.want)
		}
	}
}
