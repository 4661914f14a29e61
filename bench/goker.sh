#!/usr/bin/env bash
# bench/goker.sh: how many of the GoKer blocking-bug kernels shipped with Go
# (runtime/testdata/testgoroutineleakprofile/goker, MIT licensed) asynclint
# finds, scored at the goroutines the runtime's leak profile test says are
# stuck. See bench/README.md.
#
# usage: bash bench/goker.sh [-v] [-k] [-j FINDINGS.json] [-a ANALYZER] [-h]
#
# Needs only Go (1.26 or later, whose GOROOT has the kernels). The kernels
# are copied at run time into a scratch module in a temporary directory,
# one package per kernel, which is removed on exit (-k keeps it).
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: bash bench/goker.sh [-v] [-k] [-j FINDINGS.json] [-a ANALYZER] [-h]

  -v        print, per kernel, the functions its leaked goroutines are
            stuck in, and every finding with the level it reaches
  -k        keep the scratch directory (its path is printed)
  -j FILE   score FILE (asynclint -json output, or a hand-written one)
            instead of running asynclint; file names in it are matched by
            their last two elements, <kernel dir>/<file>.go
  -a NAME   the analyzer scored on its own (default ctxleak)
  -h        this help

environment:
  ASYNCLINT=path   use this asynclint binary instead of building ./cmd/asynclint

exit status: 0 scored; 1 scored, but some kernel did not build or its
analysis failed; 2 setup error. Findings are not failures.
USAGE
}

VERBOSE=()
KEEP=0
FROM_JSON=
ANALYZER=ctxleak
while getopts ':vkj:a:h' opt; do
	case $opt in
	v) VERBOSE=(-v) ;;
	k) KEEP=1 ;;
	j) FROM_JSON=$OPTARG ;;
	a) ANALYZER=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "goker: -$OPTARG needs a value" >&2; usage >&2; exit 2 ;;
	*) echo "goker: unknown flag -$OPTARG" >&2; usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "goker: no arguments expected" >&2; usage >&2; exit 2; }

log() { printf 'goker: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

command -v go >/dev/null || die "go not on PATH"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || die "cannot cd to $REPO"
if [ -n "$FROM_JSON" ]; then
	[ -r "$FROM_JSON" ] || die "-j $FROM_JSON: not readable"
	FROM_JSON=$(cd "$(dirname "$FROM_JSON")" && pwd)/$(basename "$FROM_JSON")
fi

GOROOT=$(go env GOROOT)
GOVERSION=$(go env GOVERSION)
LEAKDIR=$GOROOT/src/runtime/testdata/testgoroutineleakprofile
GOKER=$LEAKDIR/goker
CASES=$GOROOT/src/runtime/goroutineleakprofile_test.go
REASONS=$GOROOT/src/runtime/runtime2.go
[ -d "$GOKER" ] || die "$GOKER not found: Go 1.26 or later ships the GoKer kernels"
[ -r "$CASES" ] || die "$CASES not found"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/goker.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "$KEEP" = 1 ]; then
		log "scratch kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# The scratch module must not see a go.work or GOFLAGS meant for this
# repository.
export GOWORK=off GOFLAGS=

# --- 1. tools -------------------------------------------------------------

BIN=$TMP/bin
mkdir -p "$BIN"
if [ -n "$FROM_JSON" ]; then
	AL=
elif [ -n "${ASYNCLINT:-}" ]; then
	AL=$ASYNCLINT
	[ -x "$AL" ] || die "ASYNCLINT=$AL is not executable"
	log "using asynclint $AL"
else
	AL=$BIN/asynclint
	log "building ./cmd/asynclint"
	go build -o "$AL" ./cmd/asynclint || die "go build ./cmd/asynclint failed (or set ASYNCLINT=path)"
fi
go build -o "$BIN/gokerscore" ./bench/gokerscore || die "go build ./bench/gokerscore failed"

# --- 2. scratch module: one package per kernel ----------------------------

# The kernels are package main and call register (and use yieldCount) from
# the support file main.go of their directory (older layouts: its parent).
SUPPORT=$GOKER/main.go
[ -r "$SUPPORT" ] || SUPPORT=$LEAKDIR/main.go
[ -r "$SUPPORT" ] || die "no main.go next to the kernels or in $LEAKDIR"

MOD=$TMP/mod
mkdir -p "$MOD"
GOLINE=$(printf '%s\n' "$GOVERSION" | sed -n 's/^go\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
printf 'module goker\n\ngo %s\n' "${GOLINE:-1.26}" >"$MOD/go.mod"
for f in LICENSE README.md; do
	[ -r "$GOKER/$f" ] && cp "$GOKER/$f" "$MOD/"
done
[ -r "$MOD/LICENSE" ] || die "$GOKER/LICENSE not found: the kernels are copied only with their license"
NK=0
for f in "$GOKER"/*.go; do
	b=$(basename "$f" .go)
	[ "$b" = main ] && continue
	mkdir -p "$MOD/$b"
	cp "$f" "$MOD/$b/"
	cp "$SUPPORT" "$MOD/$b/main.go"
	NK=$((NK + 1))
done
[ "$NK" -gt 0 ] || die "no kernels in $GOKER"
log "$NK kernels copied to $MOD (one package each)"

# --- 3. build, analyze, score ---------------------------------------------

log "building the kernels"
(cd "$MOD" && go build ./...) 2>"$TMP/build.log"
BUILD_RC=$?
if [ "$BUILD_RC" -ne 0 ] && ! grep -q '^# ' "$TMP/build.log"; then
	cat "$TMP/build.log" >&2
	die "go build ./... failed in the scratch module"
fi

FINDINGS=$TMP/findings.json
if [ -n "$FROM_JSON" ]; then
	cp "$FROM_JSON" "$FINDINGS"
	log "scoring $FROM_JSON"
else
	if ! "$AL" -explain "$ANALYZER" >/dev/null 2>&1; then
		log "note: $ANALYZER is not in this asynclint (cmd/asynclint/suite.go); the other analyzers are scored"
	fi
	log "running asynclint -json ./... on the kernels"
	(cd "$MOD" && "$AL" -json ./...) >"$FINDINGS" 2>"$TMP/asynclint.err"
	AL_RC=$?
	if [ "$AL_RC" -ge 2 ]; then
		log "asynclint exited $AL_RC; stderr tail:"
		tail -n 5 "$TMP/asynclint.err" | sed 's/^/    /' >&2
		[ -s "$FINDINGS" ] || die "asynclint printed no JSON"
	fi
fi

echo
"$BIN/gokerscore" -dir "$MOD" -from-json "$FINDINGS" -cases "$CASES" -reasons "$REASONS" \
	-build-log "$TMP/build.log" -analyzer "$ANALYZER" \
	-source "$GOVERSION, \$GOROOT/${GOKER#"$GOROOT"/}" "${VERBOSE[@]}"
RC=$?
[ "$RC" -le 2 ] || RC=2
exit "$RC"
