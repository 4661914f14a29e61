// Command custom-gcl is golangci-lint v2 with asynclint's analyzers built in
// as module plugins: what `golangci-lint custom` builds from the repository's
// .custom-gcl.yml, made from the module proxy alone (custom clones
// golangci-lint's git repository). main.go is golangci-lint's
// cmd/golangci-lint/main.go and plugins.go the file custom generates beside
// it, so the binary behaves as the one custom builds.
//
// Build it with -buildvcs=false (as plugin/plugin_test.go does): its version
// is then "(devel)", so golangci-lint keys its result cache on the binary
// itself and a change to the analyzers invalidates it.
//
//	go build -buildvcs=false -o custom-gcl ./tools/custom-gcl
//
// (from tools/custom-gcl: go build -buildvcs=false -o custom-gcl .)
package main
