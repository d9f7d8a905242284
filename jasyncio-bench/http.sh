#!/usr/bin/env bash
# HTTP server benchmark (issue 14): jasyncio's HttpBenchServer (one loop; GET / and /json) side by
# side with the peers of the shared harness (../shared/bench/http/run.sh: wrk -t1, 1 and 64
# connections, unpinned and pinned to CPU 0; aiohttp, uvloop, Netty, Vert.x, Helidon), in one run.
# Without the harness, wrk alone against our server. Results (the table) go to bench-results/http-*/.
#
#   jasyncio-bench/http.sh
#   HTTP_SECS=3 HTTP_SERVERS="vertx-epoll aiohttp-uvloop" jasyncio-bench/http.sh
#   PEERS=/path/to/shared/bench  (default: ../shared/bench beside the project, if present)
#   JASYNCIO_HTTP_FLAGS="..."   extra JVM flags for our server (default: the launcher's fast scheduler)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/lib.sh" http
# The harness beside the project: ../shared/bench from the main checkout, ../../shared/bench from a worktree.
if [ -z "${PEERS:-}" ]; then
    for d in "$root/../shared/bench" "$root/../../shared/bench"; do
        [ -x "$d/http/run.sh" ] && { PEERS="$(cd "$d" && pwd)"; break; }
    done
    PEERS="${PEERS:-$root/../shared/bench}"
fi
FLAGS="${JASYNCIO_HTTP_FLAGS:-$LAUNCHER}"
CMD="$JAVA $FLAGS -cp $CP io.jasyncio.bench.HttpBenchServer {port} 600"

if [ -x "$PEERS/http/run.sh" ]; then
    # The harness writes beside itself: work on a copy, whose JVM peers (Netty, Vert.x, Helidon)
    # are built once.
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/jasyncio/bench-peers-http"
    if [ ! -d "$cache/http" ]; then
        mkdir -p "$cache" && cp -r "$PEERS/." "$cache/"
    fi
    if [ ! -d "$cache/jvm/target/lib" ]; then
        echo "building the JVM peers (once)..." >&2
        (cd "$cache/jvm" && JAVA_HOME="$JAVA_HOME" $MVN -B -q package -DskipTests) 2>&1 | jasyncio_plain >&2 \
            || echo "the JVM peers failed to build: their rows are skipped" >&2
    fi
    servers="${HTTP_SERVERS:-}"
    [ -n "$servers" ] && servers="jasyncio $servers"
    HTTP_SERVERS="$servers" HTTP_EXTRA_NAME=jasyncio HTTP_EXTRA_CMD="$CMD" "$cache/http/run.sh" | tee "$out/table.txt"
else
    echo "the peers harness was not found at $PEERS (set PEERS=...): wrk against jasyncio alone" >&2
    command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
    port=19499
    ${CMD//\{port\}/$port} &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
    for path in / /json; do
        for c in 1 64; do
            wrk -t1 -c"$c" -d"${HTTP_SECS:-4}s" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
            echo "== $path c=$c"; wrk -t1 -c"$c" -d"${HTTP_SECS:-4}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|99%"
        done
    done | tee "$out/table.txt"
fi
