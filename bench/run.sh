#!/usr/bin/env bash
# bench/run.sh: wall time and peak RSS of asynclint, staticcheck -checks 'SA*'
# and a go/packages "load floor" on the same package patterns. See
# bench/README.md.
#
# usage: bench/run.sh [-n N] [-w W] [-x] [-k] [-h] [PATTERN-SET...]
#
# Each argument is one pattern set, measured on its own; put several
# patterns in one quoted argument to measure them together
# ('net/http net/url'). Patterns are resolved from the repository root.
# Default: net/http, then ./... (this repository).
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: bench/run.sh [-n N] [-w W] [-x] [-k] [-h] [PATTERN-SET...]

  PATTERN-SET   one argument per set of go package patterns, resolved from
                the repository root; quote several patterns to measure them
                as one set ('net/http net/url'). Default: net/http ./...
  -n N          timed runs per tool and set, interleaved a,b,c,a,b,c...;
                the median is reported (default 3, or $BENCH_N)
  -w W          untimed warm-up rounds per set (default 1, or $BENCH_WARMUP)
  -x            also measure the load floor in LoadSyntax mode (deps from
                export data, as staticcheck type-checks) as "floor-x"
  -k            keep going without asynclint when ./cmd/asynclint does not
                build (its columns print as n/a)
  -h            this help

environment:
  ASYNCLINT=path   use this asynclint binary instead of building ./cmd/asynclint
  BENCH_WORK=dir   scratch directory (default bench/.work): bin/ holds
                   staticcheck, asynclint and loadfloor; results.tsv the raw runs
  GOCACHE          the Go build cache shared (warm) by all tools; default
                   $(go env GOCACHE)

exit status: 0 all runs measured; 1 some run failed (exit status >= 2 or a
tool missing); 2 usage or setup error. Findings (exit 1) are not failures.
USAGE
}

STATICCHECK_MODULE=honnef.co/go/tools/cmd/staticcheck
STATICCHECK_VERSION=v0.8.2 # pinned: module version; prints as "2026.2.2 (0.8.2)"

N=${BENCH_N:-3}
WARMUP=${BENCH_WARMUP:-1}
EXPORT_FLOOR=0
KEEP_GOING=0
while getopts ':n:w:xkh' opt; do
	case $opt in
	n) N=$OPTARG ;;
	w) WARMUP=$OPTARG ;;
	x) EXPORT_FLOOR=1 ;;
	k) KEEP_GOING=1 ;;
	h) usage; exit 0 ;;
	:) echo "bench: -$OPTARG needs a value" >&2; usage >&2; exit 2 ;;
	*) echo "bench: unknown flag -$OPTARG" >&2; usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if ! [[ $N =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ ]]; then
	echo "bench: -n must be >= 1 and -w >= 0" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	set -- net/http ./...
fi
SETS=("$@")

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

TIME=/usr/bin/time
[ -x "$TIME" ] || die "GNU time not found at $TIME (apt-get install time)"
command -v go >/dev/null || die "go not on PATH"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || die "cannot cd to $REPO"

WORK=${BENCH_WORK:-$REPO/bench/.work}
mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
BIN=$WORK/bin
TMP=$WORK/tmp
LOGS=$WORK/logs
mkdir -p "$BIN" "$TMP" "$LOGS"

# One build cache for everything, fixed before XDG_CACHE_HOME is pointed at
# fresh directories below (go derives the default GOCACHE from it).
GOCACHE=${GOCACHE:-$(go env GOCACHE)}
export GOCACHE

# --- 1. tools -------------------------------------------------------------

SC=$BIN/staticcheck
if [ -x "$SC" ] && "$SC" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
	log "staticcheck $STATICCHECK_VERSION already in $BIN"
else
	log "installing $STATICCHECK_MODULE@$STATICCHECK_VERSION into $BIN"
	GOBIN=$BIN go install "$STATICCHECK_MODULE@$STATICCHECK_VERSION" ||
		die "go install $STATICCHECK_MODULE@$STATICCHECK_VERSION failed"
fi
SC_VERSION=$("$SC" -version 2>&1)

HAVE_ASYNCLINT=1
FAILED=0
if [ -n "${ASYNCLINT:-}" ]; then
	AL=$ASYNCLINT
	[ -x "$AL" ] || die "ASYNCLINT=$AL is not executable"
	log "using asynclint $AL"
else
	AL=$BIN/asynclint
	log "building ./cmd/asynclint"
	if ! go build -o "$AL" ./cmd/asynclint 2>"$LOGS/asynclint-build.log"; then
		cat "$LOGS/asynclint-build.log" >&2
		if [ "$KEEP_GOING" = 1 ]; then
			log "asynclint does not build; going on without it (-k)"
			HAVE_ASYNCLINT=0
			FAILED=1
		else
			die "go build ./cmd/asynclint failed (use -k to measure the others anyway, or ASYNCLINT=path)"
		fi
	fi
fi

# The load floor is built from this repository's go.mod, so it loads with the
# same golang.org/x/tools (go/packages) version as asynclint.
LF=$BIN/loadfloor
log "building bench/loadfloor"
go build -o "$LF" ./bench/loadfloor || die "go build bench/loadfloor failed"

TOOLS=()
[ "$HAVE_ASYNCLINT" = 1 ] && TOOLS+=(asynclint)
TOOLS+=(staticcheck floor)
[ "$EXPORT_FLOOR" = 1 ] && TOOLS+=(floor-x)

# --- 2. measuring ---------------------------------------------------------

RESULTS=$WORK/results.tsv
printf 'set\ttool\trun\twall_s\tpeak_kib\texit\tcpu_s\n' >"$RESULTS"

# run_tool TOOL SETIDX RUN(0 = warm-up) PATTERNS...
# Every run gets a fresh XDG_CACHE_HOME (os.UserCacheDir) and, for
# staticcheck, a fresh STATICCHECK_CACHE: analysis caches are cold, the Go
# build cache is the shared warm one.
run_tool() {
	local tool=$1 setidx=$2 run=$3
	shift 3
	local cache
	cache=$(mktemp -d "$TMP/cache.XXXXXX")
	local -a cmd
	case $tool in
	asynclint) cmd=("$AL" "$@") ;;
	staticcheck) cmd=("$SC" -checks 'SA*' "$@") ;;
	floor) cmd=("$LF" -mode=all "$@") ;;
	floor-x) cmd=("$LF" -mode=syntax "$@") ;;
	esac
	local out=$LOGS/$tool.set$setidx.run$run
	local rc=0
	XDG_CACHE_HOME=$cache STATICCHECK_CACHE=$cache/staticcheck \
		"$TIME" -f '%e %M %U %S' -o "$out.time" -- "${cmd[@]}" >"$out.out" 2>"$out.err" </dev/null || rc=$?
	rm -rf "$cache"
	local wall kib usr sys cpu=NaN
	read -r wall kib usr sys < <(tail -n 1 "$out.time")
	[ -n "${sys:-}" ] && cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	if [ "$rc" -ge 2 ] || [ -z "${kib:-}" ]; then
		log "$tool (set $setidx, run $run) exited $rc; stderr tail ($out.err):"
		tail -n 5 "$out.err" | sed 's/^/    /' >&2
		FAILED=1
	fi
	if [ "$run" -gt 0 ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$setidx" "$tool" "$run" "${wall:-NaN}" "${kib:-NaN}" "$rc" "$cpu" >>"$RESULTS"
	fi
}

for i in "${!SETS[@]}"; do
	read -r -a pats <<<"${SETS[$i]}"
	log "set $i: ${pats[*]}: warming the build cache (go list -export -deps -test)"
	# The export data staticcheck and LoadSyntax ask for; LoadAllSyntax asks
	# go list for the same graph without -export.
	if ! go list -export -deps -test -compiled -f '' "${pats[@]}" >/dev/null 2>"$LOGS/golist.set$i.err"; then
		head -n 5 "$LOGS/golist.set$i.err" | sed 's/^/    /' >&2
		log "set $i: go list failed: the figures for this set measure a failing load ($LOGS/golist.set$i.err)"
		FAILED=1
	fi
	for ((w = 1; w <= WARMUP; w++)); do
		log "set $i: warm-up round $w/$WARMUP"
		for t in "${TOOLS[@]}"; do run_tool "$t" "$i" 0 "${pats[@]}"; done
	done
	for ((r = 1; r <= N; r++)); do
		log "set $i: run $r/$N"
		for t in "${TOOLS[@]}"; do run_tool "$t" "$i" "$r" "${pats[@]}"; done
	done
done

# --- 3. report ------------------------------------------------------------

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
echo
echo "asynclint benchmark: median of $N interleaved run(s) after $WARMUP warm-up round(s); $NCPU CPUs; $(go version | cut -d' ' -f3-)"
echo "staticcheck: $SC_VERSION, -checks 'SA*', fresh STATICCHECK_CACHE per run; GOCACHE=$GOCACHE (warm, shared)"
echo "wall = elapsed seconds; MiB = peak RSS of the largest process in the tool's tree (GNU time %M)"
echo

SETNAMES=$(for i in "${!SETS[@]}"; do printf '%s\t%s\n' "$i" "${SETS[$i]}"; done)
awk -F'\t' -v tools="${TOOLS[*]}" -v setnames="$SETNAMES" '
function median(arr, n,    i, j, t, a) {
	for (i = 1; i <= n; i++) a[i] = arr[i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	if (n % 2) return a[(n+1)/2]
	return (a[n/2] + a[n/2+1]) / 2
}
function ratio(x, y) { return (y > 0 && x != "") ? sprintf("%.2f", x / y) : "n/a" }
function verdict(r, goal) { return r == "n/a" ? "" : (r + 0 <= goal ? " ok" : " OVER") }
function cell(s, t, what) { return ((s, t) in med_w) ? (what == "w" ? sprintf("%.2f", med_w[s, t]) : sprintf("%.0f", med_m[s, t])) : "n/a" }
BEGIN {
	nt = split(tools, T, " ")
	ns = split(setnames, L, "\n")
	for (i = 1; i <= ns; i++) { split(L[i], kv, "\t"); name[kv[1]] = kv[2]; order[i] = kv[1] }
	label["asynclint"] = "asynclint"; label["staticcheck"] = "staticcheck"
	label["floor"] = "load floor"; label["floor-x"] = "floor-x"
}
NR == 1 { next }
{
	k = $1 SUBSEP $2
	if ($4 != "NaN") { nw[k]++; W[k, nw[k]] = $4 }
	if ($5 != "NaN") { nm[k]++; M[k, nm[k]] = $5 / 1024 }
	if ($7 != "NaN") { nc[k]++; C[k, nc[k]] = $7 }
	if ($6 >= 2) bad[k] = 1
}
END {
	for (k in nw) { delete a; for (i = 1; i <= nw[k]; i++) a[i] = W[k, i]; med_w[k] = median(a, nw[k]) }
	for (k in nm) { delete a; for (i = 1; i <= nm[k]; i++) a[i] = M[k, i]; med_m[k] = median(a, nm[k]) }
	for (k in nc) { delete a; for (i = 1; i <= nc[k]; i++) a[i] = C[k, i]; med_c[k] = median(a, nc[k]) }

	w = 16
	for (i = 1; i <= ns; i++) if (length(name[order[i]]) > w) w = length(name[order[i]])
	printf "%-*s", w, "pattern set"
	for (t = 1; t <= nt; t++) printf "  %22s", label[T[t]] " (s, MiB)"
	printf "\n"
	for (i = 1; i <= ns; i++) {
		s = order[i]
		printf "%-*s", w, name[s]
		for (t = 1; t <= nt; t++) {
			c = sprintf("%s s %s MiB", cell(s, T[t], "w"), cell(s, T[t], "m"))
			if ((s, T[t]) in bad) c = c "!"
			printf "  %22s", c
		}
		printf "\n"
	}
	print ""
	printf "%-*s  %-20s  %-20s  %-20s  %s\n", w, "ratios", "a/sc wall (<=0.5)", "a/sc mem (<=1.0)", "a/floor wall (<=3)", "a/floor mem"
	for (i = 1; i <= ns; i++) {
		s = order[i]
		r1 = ((s, "asynclint") in med_w && (s, "staticcheck") in med_w) ? ratio(med_w[s, "asynclint"], med_w[s, "staticcheck"]) : "n/a"
		r2 = ((s, "asynclint") in med_m && (s, "staticcheck") in med_m) ? ratio(med_m[s, "asynclint"], med_m[s, "staticcheck"]) : "n/a"
		r3 = ((s, "asynclint") in med_w && (s, "floor") in med_w) ? ratio(med_w[s, "asynclint"], med_w[s, "floor"]) : "n/a"
		r4 = ((s, "asynclint") in med_m && (s, "floor") in med_m) ? ratio(med_m[s, "asynclint"], med_m[s, "floor"]) : "n/a"
		printf "%-*s  %-20s  %-20s  %-20s  %s\n", w, name[s], r1 verdict(r1, 0.5), r2 verdict(r2, 1.0), r3 verdict(r3, 3), r4
	}
	print ""
	printf "%-*s", w, "cpu s (user+sys)"
	for (t = 1; t <= nt; t++) printf "  %22s", label[T[t]]
	printf "\n"
	for (i = 1; i <= ns; i++) {
		s = order[i]
		printf "%-*s", w, name[s]
		for (t = 1; t <= nt; t++) printf "  %22s", ((s, T[t]) in med_c) ? sprintf("%.2f", med_c[s, T[t]]) : "n/a"
		printf "\n"
	}
	print ""
	print "a = asynclint, sc = staticcheck, floor = go/packages LoadAllSyntax load alone; ! = a run exited >= 2"
}' "$RESULTS"
echo "raw runs: $RESULTS; outputs: $LOGS"

exit "$FAILED"
