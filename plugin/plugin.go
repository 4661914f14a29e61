// Package plugin registers asynclint's analyzers with golangci-lint v2 as
// module plugins, one per analyzer: blockingcall, closecheck and ctxleak.
//
// Importing it (blank) into a golangci-lint binary built by
// `golangci-lint custom` makes each analyzer a linter of its own, so
// //nolint:closecheck, enable/disable and the rule ids of golangci-lint's
// reports use the analyzer's name. Each is configured in .golangci.yml under
// linters.settings.custom.<name>, with type: module; the keys of its
// settings are the analyzer's flags, without the analyzer's prefix:
//
//	linters:
//	  enable: [blockingcall, closecheck, ctxleak]
//	  settings:
//	    custom:
//	      blockingcall:
//	        type: module
//	        settings:
//	          funcs: [example.com/feeds.LastPrice, (*example.com/db.Pool).Get]
//	      closecheck:
//	        type: module
//	      ctxleak:
//	        type: module
//
// A value may be a string, a bool, a number or a list of those (joined with
// commas, as the command line takes it). A key that is no flag of the
// analyzer, or a value its flag does not accept, is an error.
package plugin

import (
	"fmt"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
	"github.com/asynclint/asynclint/analyzers/closecheck"
	"github.com/asynclint/asynclint/analyzers/ctxleak"
)

// Analyzers are the analyzers registered as plugins, each under its Name.
var Analyzers = []*analysis.Analyzer{
	blockingcall.Analyzer,
	closecheck.Analyzer,
	ctxleak.Analyzer,
}

func init() {
	for _, a := range Analyzers {
		register.Plugin(a.Name, func(settings any) (register.LinterPlugin, error) {
			return New(a, settings)
		})
	}
}

// linter is the register.LinterPlugin for one analyzer.
type linter struct {
	analyzer *analysis.Analyzer
}

// New returns the plugin for a, with its flags set from settings (the value
// of linters.settings.custom.<name>.settings, nil when there is none).
func New(a *analysis.Analyzer, settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Name, err)
	}
	if err := s.apply(a); err != nil {
		return nil, err
	}
	return &linter{analyzer: a}, nil
}

func (l *linter) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{l.analyzer}, nil
}

// GetLoadMode: the analyzers need types (and SSA built from them), and
// their facts cross packages.
func (l *linter) GetLoadMode() string { return register.LoadModeTypesInfo }
