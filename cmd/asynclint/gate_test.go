package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/sarif"
)

// leakGo adds to the demo module a ctxleak finding (with a category)
// and a closecheck finding whose message names a line and which has a
// related position and a fix.
const leakGo = `package leak

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Wait forgets to cancel its timeout.
func Wait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	_ = cancel
	<-ctx.Done()
	return ctx.Err()
}

// Status leaks the body when the status is not OK.
func Status(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %s", resp.Status)
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
`

// gateDemo returns a copy of the demo module without its broken
// package, and with leak/leak.go.
func gateDemo(t *testing.T) string {
	t.Helper()
	dir := copyDemo(t)
	if err := os.RemoveAll(filepath.Join(dir, "broken")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "leak", "leak.go"), leakGo)
	return dir
}

// The part of SARIF the test reads.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID               string
					ShortDescription struct{ Text string }
					FullDescription  struct{ Text string }
					Help             struct{ Text, Markdown string }
				}
			}
		}
		Invocations []struct{ ExecutionSuccessful bool }
		Results     []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine, StartColumn int }
				}
			}
			RelatedLocations []struct {
				ID      int
				Message struct{ Text string }
			}
			Fixes []struct {
				ArtifactChanges []struct {
					Replacements []struct {
						InsertedContent struct{ Text string }
					}
				}
			}
			Properties struct{ Category string }
		}
	}
}

func TestSARIF(t *testing.T) {
	t.Parallel()
	dir := gateDemo(t)
	for _, args := range [][]string{{"-sarif"}, {"-format", "sarif"}} {
		res := asynclint(t, dir, append(args, "./...")...)
		if res.code != exitFindings {
			t.Errorf("%v: exit status %d, want %d", args, res.code, exitFindings)
		}
		if err := sarif.Validate([]byte(res.stdout)); err != nil {
			t.Fatalf("%v: invalid SARIF:\n%v", args, err)
		}
		var log sarifLog
		if err := json.Unmarshal([]byte(res.stdout), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		var rules []string
		for _, r := range run.Tool.Driver.Rules {
			rules = append(rules, r.ID)
			if slices.Contains([]string{"blockingcall", "closecheck", "ctxleak"}, r.ID) &&
				(r.ShortDescription.Text == "" || r.FullDescription.Text == "" || !strings.Contains(r.Help.Text, "Since v0.1.0") || !strings.Contains(r.Help.Markdown, "Why it matters")) {
				t.Errorf("rule %s lacks a description or help: %+v", r.ID, r)
			}
		}
		for _, name := range []string{"blockingcall", "closecheck", "ctxleak"} {
			if !slices.Contains(rules, name) {
				t.Errorf("no rule %s among %v", name, rules)
			}
		}
		if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful {
			t.Errorf("invocations = %+v, want one successful", run.Invocations)
		}

		found := make(map[string]bool)
		for _, r := range run.Results {
			loc := r.Locations[0].PhysicalLocation
			key := r.RuleID + " " + loc.ArtifactLocation.URI
			found[key] = true
			if loc.ArtifactLocation.URIBaseID != sarif.SrcRoot {
				t.Errorf("%s: uriBaseId %q", key, loc.ArtifactLocation.URIBaseID)
			}
			switch {
			case strings.Contains(r.Message.Text, "feeds.LastPrice blocks"):
				if len(r.RelatedLocations) != 1 || r.RelatedLocations[0].Message.Text != "feeds.LastPrice is declared here" {
					t.Errorf("LastPrice: related locations %+v", r.RelatedLocations)
				}
			case strings.Contains(r.Message.Text, "http.NewRequest blocks"):
				if loc.Region.StartLine != 23 || loc.Region.StartColumn != 14 {
					t.Errorf("NewRequest: region %+v, want 23:14", loc.Region)
				}
				if len(r.Fixes) != 1 || !strings.Contains(r.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text, "NewRequestWithContext") {
					t.Errorf("NewRequest: fixes %+v", r.Fixes)
				}
			case strings.Contains(r.Message.Text, "response body"):
				if len(r.RelatedLocations) != 1 || r.RelatedLocations[0].Message.Text != "the response body leaks through this return" {
					t.Errorf("response body: related locations %+v", r.RelatedLocations)
				}
			case strings.Contains(r.Message.Text, "cancel function"):
				if r.Properties.Category != "lostcancel" {
					t.Errorf("cancel: category %q, want lostcancel", r.Properties.Category)
				}
			}
		}
		for _, want := range []string{"blockingcall app/app.go", "closecheck leak/leak.go", "ctxleak leak/leak.go"} {
			if !found[want] {
				t.Errorf("no result %s; got %v", want, found)
			}
		}
	}

	// Nothing found is still a valid log, with an empty list of results.
	res := asynclint(t, dir, "-sarif", "./clean")
	if res.code != exitClean {
		t.Errorf("-sarif ./clean: exit status %d", res.code)
	}
	if err := sarif.Validate([]byte(res.stdout)); err != nil {
		t.Errorf("-sarif ./clean: %v", err)
	}
	if !strings.Contains(res.stdout, `"results": []`) {
		t.Errorf("-sarif ./clean: no empty results")
	}
}

func TestSARIFBroken(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "-sarif", "./broken", "./clean")
	if res.code != exitError {
		t.Errorf("exit status %d, want %d", res.code, exitError)
	}
	if err := sarif.Validate([]byte(res.stdout)); err != nil {
		t.Fatalf("invalid SARIF: %v", err)
	}
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct{ Message struct{ Text string } }
			}
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) == 0 || !strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "broken.go") {
		t.Errorf("invocation %+v, want a failure naming broken.go", inv)
	}
}

func TestGateFlagErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-sarif", "-json", "./clean"},
		{"-format", "sarif", "-fix", "./clean"},
		{"-format", "xml", "./clean"},
		{"-baseline-write", "b.json", "-baseline", "b.json", "./clean"},
		{"-baseline-write", "b.json", "-json", "./clean"},
		{"-baseline", "nosuch.json", "./clean"},
	} {
		if res := asynclint(t, demo, args...); res.code != exitError {
			t.Errorf("%v: exit status %d, want %d", args, res.code, exitError)
		}
	}
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	dir := gateDemo(t)
	base := filepath.Join(dir, "asynclint-baseline.json")

	res := asynclint(t, dir, "-baseline-write", base, "./...")
	if res.code != exitClean {
		t.Fatalf("-baseline-write: exit status %d, want %d", res.code, exitClean)
	}
	data := mustRead(t, base)
	if bytes.Contains(data, []byte("line 29")) || !bytes.Contains(data, []byte("line N")) || !bytes.Contains(data, []byte(`"function": "Status"`)) {
		t.Errorf("baseline keys keep line numbers or lack functions:\n%s", data)
	}

	// Unchanged code: nothing new.
	if res := asynclint(t, dir, "-baseline", base, "./..."); res.code != exitClean || len(parseText(res.stderr)) != 0 {
		t.Errorf("-baseline on unchanged code: exit status %d, findings %v", res.code, parseText(res.stderr))
	}

	// Lines inserted above the findings: still known.
	leak := filepath.Join(dir, "leak", "leak.go")
	src := string(mustRead(t, leak))
	shifted := strings.Replace(src, "// Wait forgets", "// Padding moves every finding down.\nfunc Padding() {\n\tprintln()\n}\n\n// Wait forgets", 1)
	writeFile(t, leak, shifted)
	app := filepath.Join(dir, "app", "app.go")
	writeFile(t, app, strings.Replace(string(mustRead(t, app)), "// Handle reports", "// A comment\n// of three\n// lines.\n\n// Handle reports", 1))
	if res := asynclint(t, dir, "-baseline", base, "./..."); res.code != exitClean || len(parseText(res.stderr)) != 0 {
		t.Errorf("-baseline after inserting lines: exit status %d, findings %v", res.code, parseText(res.stderr))
	}

	// A new bug, of a kind the baseline knows elsewhere: reported alone.
	writeFile(t, leak, shifted+`
// Again forgets to cancel too.
func Again(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	_ = cancel
	<-ctx.Done()
}
`)
	res = asynclint(t, dir, "-baseline", base, "./...")
	if res.code != exitFindings {
		t.Errorf("-baseline with a new bug: exit status %d, want %d", res.code, exitFindings)
	}
	got := parseText(res.stderr)
	if len(got) != 1 || !strings.HasPrefix(string(got[0]), "leak/leak.go:") || !strings.Contains(string(got[0]), "context.WithCancel is discarded") {
		t.Errorf("-baseline with a new bug reported %v, want only the WithCancel in Again", got)
	}

	// The same in JSON and SARIF.
	res = asynclint(t, dir, "-baseline", base, "-json", "./...")
	if diags := parseJSON(t, res.stdout); res.code != exitFindings || len(diags) != 1 {
		t.Errorf("-baseline -json: exit status %d, %d findings, want %d and 1", res.code, len(diags), exitFindings)
	}
	res = asynclint(t, dir, "-baseline", base, "-sarif", "./...")
	if err := sarif.Validate([]byte(res.stdout)); err != nil || res.code != exitFindings || strings.Count(res.stdout, `"ruleId"`) != 1 {
		t.Errorf("-baseline -sarif: exit status %d, %d results, error %v; want %d and 1", res.code, strings.Count(res.stdout, `"ruleId"`), err, exitFindings)
	}

	// From another directory, the baseline's paths still match.
	res = asynclint(t, filepath.Join(dir, "leak"), "-baseline", base, "./...")
	if got := parseText(res.stderr); res.code != exitFindings || len(got) != 1 {
		t.Errorf("-baseline from leak/: exit status %d, findings %v", res.code, got)
	}

	// A fixed finding is gone from the run and said to be gone from the baseline.
	writeFile(t, app, strings.Replace(string(mustRead(t, app)), `http.NewRequest("GET"`, `http.NewRequestWithContext(ctx, "GET"`, 1))
	res = asynclint(t, dir, "-baseline", base, "./app")
	if res.code != exitClean || !strings.Contains(res.stderr, "1 it records are gone") {
		t.Errorf("-baseline after a fix: exit status %d, want %d and a note of the gone finding", res.code, exitClean)
	}
}

// TestChecksDoc checks that docs/checks.md is what -gendocs prints from
// the analyzers' documentation.
func TestChecksDoc(t *testing.T) {
	t.Parallel()
	const file = "../../docs/checks.md"
	cmd := exec.CommandContext(t.Context(), binary, "-gendocs")
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("asynclint -gendocs: %v", err)
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("docs/checks.md is stale (%v): regenerate it, at the root of the module, with\n\n\tgo run ./cmd/asynclint -gendocs > docs/checks.md", err)
	}
	for _, a := range suite {
		if ours(a) && !bytes.Contains(got, []byte("\n## "+a.Name+"\n")) {
			t.Errorf("docs/checks.md has no section for %s", a.Name)
		}
	}
}
