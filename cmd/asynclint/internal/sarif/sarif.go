// Package sarif writes findings in the Static Analysis Results
// Interchange Format (SARIF) 2.1.0, which code-scanning services such as
// GitHub's read, and checks the structure of what it wrote.
//
// It holds only the part of the format asynclint uses: one run, whose
// tool has a rule per analyzer; results with a region, related
// locations and fixes; notifications for what stopped the tool from
// seeing every package. File locations are relative to the
// %SRCROOT% base where possible, which the run defines.
package sarif

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Version and Schema identify the format.
const (
	Version = "2.1.0"
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SrcRoot is the uriBaseId of relative locations.
const SrcRoot = "%SRCROOT%"

// A Log is a SARIF log file.
type Log struct {
	Version string `json:"version"`
	Schema  string `json:"$schema"`
	Runs    []*Run `json:"runs"`
}

// A Run is one invocation of one tool.
type Run struct {
	Tool               Tool                         `json:"tool"`
	Invocations        []*Invocation                `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]*ArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []*Result                    `json:"results"` // empty, not absent, when nothing was found
	ColumnKind         string                       `json:"columnKind,omitempty"`
}

// A Tool describes the analysis tool.
type Tool struct {
	Driver ToolComponent `json:"driver"`
}

// A ToolComponent is the tool's driver.
type ToolComponent struct {
	Name            string                 `json:"name"`
	Version         string                 `json:"version,omitempty"`
	SemanticVersion string                 `json:"semanticVersion,omitempty"`
	InformationURI  string                 `json:"informationUri,omitempty"`
	Rules           []*ReportingDescriptor `json:"rules"`
}

// A ReportingDescriptor describes a rule.
type ReportingDescriptor struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name,omitempty"`
	ShortDescription     *Message                `json:"shortDescription,omitempty"`
	FullDescription      *Message                `json:"fullDescription,omitempty"`
	Help                 *Message                `json:"help,omitempty"`
	HelpURI              string                  `json:"helpUri,omitempty"`
	DefaultConfiguration *ReportingConfiguration `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any          `json:"properties,omitempty"`
}

// A ReportingConfiguration holds a rule's default level.
type ReportingConfiguration struct {
	Level string `json:"level,omitempty"`
}

// A Message is plain text, with an optional Markdown rendering.
type Message struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// An Invocation says whether the tool ran to completion.
type Invocation struct {
	ExecutionSuccessful        bool            `json:"executionSuccessful"`
	ToolExecutionNotifications []*Notification `json:"toolExecutionNotifications,omitempty"`
}

// A Notification is an error the tool met, such as a package that
// does not type-check.
type Notification struct {
	Level     string      `json:"level"`
	Message   Message     `json:"message"`
	Locations []*Location `json:"locations,omitempty"`
}

// A Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []*Location       `json:"locations"`
	RelatedLocations    []*Location       `json:"relatedLocations,omitempty"`
	Fixes               []*Fix            `json:"fixes,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

// A Location is a place in a file, with a message for related ones.
type Location struct {
	ID               *int              `json:"id,omitempty"`
	PhysicalLocation *PhysicalLocation `json:"physicalLocation,omitempty"`
	Message          *Message          `json:"message,omitempty"`
}

// A PhysicalLocation is a region of a file.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// An ArtifactLocation names a file: a URI relative to URIBaseID, or an
// absolute one.
type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// A Region is a span of a file. Lines and columns are 1-based; columns
// count UTF-16 code units, the format's default. ByteOffset and
// ByteLength, when set, locate the same span in bytes (fixes set them,
// as they must be exact).
type Region struct {
	StartLine   int  `json:"startLine"`
	StartColumn int  `json:"startColumn,omitempty"`
	EndLine     int  `json:"endLine,omitempty"`
	EndColumn   int  `json:"endColumn,omitempty"`
	ByteOffset  *int `json:"byteOffset,omitempty"`
	ByteLength  *int `json:"byteLength,omitempty"`
}

// A Fix is a suggested fix: replacements in one or more files.
type Fix struct {
	Description     *Message          `json:"description,omitempty"`
	ArtifactChanges []*ArtifactChange `json:"artifactChanges"`
}

// An ArtifactChange is the part of a fix that edits one file.
type ArtifactChange struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Replacements     []*Replacement   `json:"replacements"`
}

// A Replacement deletes a region and inserts text in its place.
type Replacement struct {
	DeletedRegion   Region           `json:"deletedRegion"`
	InsertedContent *ArtifactContent `json:"insertedContent,omitempty"`
}

// An ArtifactContent is inserted text.
type ArtifactContent struct {
	Text string `json:"text"`
}

// New returns a log of one run of the named tool, whose relative
// locations are relative to the directory root.
func New(name, version, informationURI, root string) *Log {
	run := &Run{
		Tool: Tool{Driver: ToolComponent{
			Name:            name,
			Version:         strings.TrimPrefix(version, "v"),
			SemanticVersion: strings.TrimPrefix(version, "v"),
			InformationURI:  informationURI,
			Rules:           []*ReportingDescriptor{},
		}},
		Results:    []*Result{},
		ColumnKind: "utf16CodeUnits",
	}
	if root != "" {
		run.OriginalURIBaseIDs = map[string]*ArtifactLocation{SrcRoot: {URI: DirURI(root)}}
	}
	return &Log{Version: Version, Schema: Schema, Runs: []*Run{run}}
}

// Write writes the log as indented JSON.
func (l *Log) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(l)
}

// DirURI returns the file URI of an absolute directory, ending in a
// slash as a base URI must.
func DirURI(dir string) string {
	u := FileURI(dir)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// FileURI returns the file URI of an absolute file name.
func FileURI(name string) string {
	p := filepath.ToSlash(name)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// Artifact returns the location of the file name: relative to SrcRoot
// if it lies under root, and an absolute file URI otherwise.
func Artifact(root, name string) ArtifactLocation {
	if root != "" {
		if rel, err := filepath.Rel(root, name); err == nil && filepath.IsLocal(rel) {
			return ArtifactLocation{URI: RelURI(rel), URIBaseID: SrcRoot}
		}
	}
	return ArtifactLocation{URI: FileURI(name)}
}

// RelURI returns the relative URI reference of a relative file name,
// escaping each segment.
func RelURI(rel string) string {
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// UTF16Column converts a 1-based byte column of line into a 1-based
// column counted in UTF-16 code units. A column beyond the line (such as
// the end of its newline) counts the missing bytes as one unit each.
func UTF16Column(line []byte, col int) int {
	if col < 1 {
		return col
	}
	n := min(col-1, len(line))
	units := 1 + (col - 1 - n)
	for b := line[:n]; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		b = b[size:]
	}
	return units
}
