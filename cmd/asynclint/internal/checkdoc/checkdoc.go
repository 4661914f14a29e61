// Package checkdoc turns the documentation of an analyzer (its doc.go,
// as analyzerdoc gives it in Analyzer.Doc) into the reference of its
// check: docs/checks.md, asynclint -explain, and the rule descriptions
// of SARIF output. The doc.go stays the one source.
//
// The documentation is a Go doc comment, read this way:
//
//	NAME: one-line summary                  the first paragraph
//
//	Why it matters, in one paragraph.        the second paragraph
//
//	What it finds: any paragraphs, lists,
//	code blocks and # headings.
//
//	Directives:                             a paragraph so headed, and
//	                                        the code block after it
//	//nolint:... paragraphs                  (how to suppress)
//
//	Flags:                                  a paragraph so headed, and
//	                                        the code block after it
//
//	# Examples                              a heading "Examples" (or
//	                                        "Example"), last: pairs of
//	Bad:                                    paragraphs "Bad:" and "Good:",
//	                                        optionally with a label, as
//		code                                "Bad (lostcancel):", each
//	                                        followed by a code block;
//	Good:                                   other paragraphs there are
//	                                        kept as commentary.
//		code
//
// A check without examples, or without directives, is documented
// without them; nothing is required but the summary.
package checkdoc

import (
	"bytes"
	"fmt"
	"go/doc/comment"
	"regexp"
	"strings"
)

// Since is the version that introduced every check so far: the first
// release. A check added later says so in a "Since:" paragraph of its
// documentation ("Since: v0.2.0"), which overrides it.
const Since = "v0.1.0"

// A Check is the parsed documentation of one analyzer.
type Check struct {
	Name    string
	Summary string // the one-line summary, without "NAME: "
	Since   string
	URL     string // where the check is documented online, if known

	why        []comment.Block
	body       []comment.Block // what it finds
	directives []comment.Block // the directives block and //nolint paragraphs
	flags      []comment.Block
	Examples   []Example
	examples   []comment.Block // commentary in the examples section
}

// An Example is a bad and good pair of code.
type Example struct {
	Label     string // such as "lostcancel", or ""
	Bad, Good string // code, ending in a newline; either may be empty
}

var exampleLabel = regexp.MustCompile(`^(Bad|Good)(?: \(([^)]*)\))?:$`)

// Parse parses the documentation doc of the analyzer name.
func Parse(name, doc string) *Check {
	var p comment.Parser
	d := p.Parse(doc)
	c := &Check{Name: name, Since: Since}
	blocks := d.Content

	if len(blocks) > 0 {
		if para, ok := blocks[0].(*comment.Paragraph); ok {
			c.Summary = strings.TrimPrefix(plain(para.Text), name+": ")
			blocks = blocks[1:]
		}
	}
	if len(blocks) > 0 {
		if para, ok := blocks[0].(*comment.Paragraph); ok {
			c.why = blocks[:1]
			blocks = blocks[1:]
			// A paragraph ending in a colon introduces the
			// code block that follows it.
			if len(blocks) > 0 && strings.HasSuffix(plain(para.Text), ":") {
				if _, ok := blocks[0].(*comment.Code); ok {
					c.why = append(c.why, blocks[0])
					blocks = blocks[1:]
				}
			}
		}
	}

	section := &c.body
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		next := func() comment.Block {
			if i+1 < len(blocks) {
				return blocks[i+1]
			}
			return nil
		}
		switch b := b.(type) {
		case *comment.Heading:
			switch plain(b.Text) {
			case "Examples", "Example":
				section = &c.examples
				continue
			default:
				if section == &c.examples {
					section = &c.body // a heading after the examples
				}
			}
		case *comment.Paragraph:
			text := plain(b.Text)
			if section == &c.examples {
				if m := exampleLabel.FindStringSubmatch(text); m != nil {
					code, _ := next().(*comment.Code)
					if code != nil {
						i++
					}
					c.addExample(m[1], m[2], code)
					continue
				}
			}
			switch {
			case text == "Directives:":
				c.directives = append(c.directives, b)
				if code, ok := next().(*comment.Code); ok {
					c.directives = append(c.directives, code)
					i++
				}
				continue
			case strings.HasPrefix(text, "//nolint"):
				continue // the common text of Suppressing says it
			case text == "Flags:":
				if code, ok := next().(*comment.Code); ok {
					c.flags = append(c.flags, code)
					i++
				}
				continue
			case strings.HasPrefix(text, "Since: "):
				c.Since = strings.TrimSpace(strings.TrimPrefix(text, "Since: "))
				continue
			}
		}
		*section = append(*section, b)
	}
	return c
}

// addExample adds code as the bad or good half of the example labelled
// label, starting a new example unless the last one lacks that half.
func (c *Check) addExample(kind, label string, code *comment.Code) {
	text := ""
	if code != nil {
		text = code.Text
	}
	if n := len(c.Examples); n > 0 {
		last := &c.Examples[n-1]
		if kind == "Good" && last.Good == "" && (label == "" || label == last.Label) {
			last.Good = text
			return
		}
	}
	ex := Example{Label: label}
	if kind == "Bad" {
		ex.Bad = text
	} else {
		ex.Good = text
	}
	c.Examples = append(c.Examples, ex)
}

// plain returns the text of a doc comment span without markup.
func plain(text []comment.Text) string {
	var b strings.Builder
	for _, t := range text {
		switch t := t.(type) {
		case comment.Plain:
			b.WriteString(string(t))
		case comment.Italic:
			b.WriteString(string(t))
		case *comment.Link:
			b.WriteString(plain(t.Text))
		case *comment.DocLink:
			b.WriteString(plain(t.Text))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Why returns the paragraph that says why the check matters, as text.
func (c *Check) Why() string {
	return strings.TrimSpace(c.text(c.why, ""))
}

func (c *Check) text(blocks []comment.Block, prefix string) string {
	if len(blocks) == 0 {
		return ""
	}
	p := comment.Printer{TextPrefix: prefix, TextWidth: 76}
	return string(p.Text(&comment.Doc{Content: blocks}))
}

func markdown(blocks []comment.Block, level int) string {
	if len(blocks) == 0 {
		return ""
	}
	p := comment.Printer{HeadingLevel: level, HeadingID: func(*comment.Heading) string { return "" }}
	return string(p.Markdown(&comment.Doc{Content: blocks}))
}

// suppress is how to silence any check, in Markdown, with NAME for the
// check's name.
const suppress = "Put `//asynclint:ignore NAME <reason>` on the line of the finding, " +
	"the line above it, or in the doc comment of the enclosing function; " +
	"the reason is required, and an ignore that silences nothing is itself reported. " +
	"`//nolint:asynclint` and `//nolint:NAME` work too. " +
	"To adopt the check on existing code without fixing every finding first, " +
	"record them with `asynclint -baseline-write FILE ./...` and run `asynclint -baseline FILE ./...`."

func (c *Check) suppress() string {
	return strings.ReplaceAll(suppress, "NAME", c.Name)
}

// Markdown returns the check's section of docs/checks.md, under a
// heading of the given level.
func (c *Check) Markdown(level int) []byte {
	var b bytes.Buffer
	h := func(l int, title string) {
		fmt.Fprintf(&b, "%s %s\n\n", strings.Repeat("#", l), title)
	}
	h(level, c.Name)
	fmt.Fprintf(&b, "%s\n\n", escape(c.Summary))
	fmt.Fprintf(&b, "Since %s. Run it alone with `asynclint -%s ./...`; `asynclint -explain %s` prints this.\n\n", c.Since, c.Name, c.Name)

	if len(c.why) > 0 {
		h(level+1, "Why it matters")
		b.WriteString(markdown(c.why, level+2))
		b.WriteString("\n")
	}
	if len(c.body) > 0 {
		h(level+1, "What it finds")
		b.WriteString(markdown(c.body, level+2))
		b.WriteString("\n")
	}
	h(level+1, "Examples")
	if len(c.Examples) == 0 && len(c.examples) == 0 {
		b.WriteString("No examples yet.\n\n")
	}
	if len(c.examples) > 0 {
		b.WriteString(markdown(c.examples, level+2))
		b.WriteString("\n")
	}
	for _, ex := range c.Examples {
		for _, half := range []struct{ kind, code string }{{"Bad", ex.Bad}, {"Good", ex.Good}} {
			if half.code == "" {
				continue
			}
			label := half.kind
			if ex.Label != "" {
				label += " (" + ex.Label + ")"
			}
			fmt.Fprintf(&b, "%s:\n\n```go\n%s```\n\n", label, half.code)
		}
	}
	h(level+1, "Suppressing")
	b.WriteString(markdown(c.directives, level+2))
	if len(c.directives) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s\n\n", c.suppress())
	if len(c.flags) > 0 {
		h(level+1, "Flags")
		b.WriteString(markdown(c.flags, level+2))
		b.WriteString("\n")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// Text returns the check's documentation as plain text, for -explain
// and terminals: the documentation as written, then how to suppress
// findings and since when the check exists.
func (c *Check) Text(doc string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(doc))
	b.WriteString("\n\nSuppressing:\n\n")
	var p comment.Parser
	b.WriteString(c.text(p.Parse(strings.ReplaceAll(c.suppress(), "`", "")).Content, "\t"))
	fmt.Fprintf(&b, "\nSince %s.", c.Since)
	if c.URL != "" {
		fmt.Fprintf(&b, " %s", c.URL)
	}
	b.WriteString("\n")
	return b.String()
}

// escape escapes the characters of plain text that Markdown would take
// for markup.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Document returns docs/checks.md: an introduction and each check's
// section, in the order given.
func Document(checks []*Check, generator string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- Code generated by %s; DO NOT EDIT. -->\n\n", generator)
	b.WriteString("# asynclint checks\n\n")
	b.WriteString("Each check is a go/analysis analyzer; its findings name it, and its documentation\n")
	b.WriteString("is the package comment of its `doc.go`, from which this file is generated.\n\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "- [%s](#%s): %s\n", c.Name, c.Name, escape(c.Summary))
	}
	b.WriteString("\n")
	for _, c := range checks {
		b.Write(c.Markdown(2))
		b.WriteString("\n\n")
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}
