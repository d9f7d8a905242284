# Shared by the side-by-side benchmark scripts (core.sh, coordination.sh); source it after
# setting "here" and "root". Builds the bench module if a source is newer than its jars, and
# defines CP, FAST, LAUNCHER, PY, have_uvloop, out, and one().
source "$root/scripts/env.sh"
ROUNDS="${ROUNDS:-3}"
PY="${PYTHON:-/usr/bin/python3}"
out="${OUT:-$root/bench-results/$1-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

if [ ! -d "$here/target/lib" ] || [ -n "$(find "$root" -name '*.java' -newer "$here/target/lib" -print -quit)" ]; then
    (cd "$root" && $MVN package -DskipTests -pl jasyncio-bench -am) 2>&1 | jasyncio_plain >&2
    touch "$here/target/lib"
fi
CP="$here/target/classes:$here/target/lib/*"
FAST="--add-opens java.base/java.lang=ALL-UNNAMED"
LAUNCHER="$JASYNCIO_LAUNCHER_OPTS"
have_uvloop=1; "$PY" -c 'import uvloop' 2>/dev/null || have_uvloop=0

# one NAME LABEL BENCH CMD...: append {"name","label","bench","result"|"error","rss_kb"} to results.jsonl
one() {
    local name="$1" label="$2" bench="$3"; shift 3
    local tv="$out/$name-$bench.time" line rss
    if line=$(/usr/bin/time -f "%M" -o "$tv" timeout 600 "$@" 2>>"$out/$name-$bench.err" | tail -1) && [ -n "$line" ]; then
        rss=$(tail -1 "$tv")
        echo "{\"name\":\"$name\",\"label\":\"$label\",\"bench\":\"$bench\",\"rss_kb\":$rss,\"result\":$line}" >>"$out/results.jsonl"
    else
        echo "{\"name\":\"$name\",\"label\":\"$label\",\"bench\":\"$bench\",\"error\":\"see $name-$bench.err\"}" >>"$out/results.jsonl"
    fi
}
