#!/usr/bin/env bash
# The HTTP client benchmark of issue 15: io.jasyncio.bench.HttpBenchClient measured first, side by
# side with the shared harness's clients (aiohttp on asyncio and uvloop, the JDK's HttpClient,
# Vert.x's HttpClient and WebClient), in one run of ../shared/bench/http/client-run.sh: N small
# requests over keep-alive to a local Netty server, 64 and 1 in flight.
#
#   jasyncio-bench/http-client.sh
#   CLIENT_N=20000 CLIENT_WARM_N=5000 CLIENT_CONNS=64 CLIENT_PEERS="jasyncio vertx-httpclient aiohttp-uvloop" jasyncio-bench/http-client.sh
#   PEERS=/path/to/shared/bench  (default: ../shared/bench beside the project, or ../../shared/bench)
# Also: memory per idle pooled connection, against the same kind of server:
#   java -cp "$CP" io.jasyncio.bench.HttpBenchClient --idle-memory http://127.0.0.1:PORT/ 2000
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/lib.sh" http-client
# ../shared/bench beside the checkout (or beside the worktrees' parent, for a git worktree)
if [ -z "${PEERS:-}" ]; then
    PEERS="$(cd "$root/.." && pwd)/shared/bench"
    [ -d "$PEERS" ] || PEERS="$(cd "$root/../.." && pwd)/shared/bench"
fi
if [ ! -x "$PEERS/http/client-run.sh" ]; then
    echo "the shared bench harness was not found at $PEERS (set PEERS=...)" >&2
    exit 1
fi
# The harness writes beside itself: work on a copy, its Java peers (JDK HttpClient, Vert.x) built once.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/jasyncio/bench-peers-http"
if [ ! -x "$cache/http/client-run.sh" ]; then
    mkdir -p "$cache" && cp -r "$PEERS/." "$cache/"
fi
if [ ! -d "$cache/jdk/classes" ] || [ -z "$(ls "$cache/jdk/classes" 2>/dev/null)" ]; then
    mkdir -p "$cache/jdk/classes"
    "$JAVA_HOME/bin/javac" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -d "$cache/jdk/classes" "$cache"/jdk/src/*.java
fi
if [ ! -d "$cache/jvm/target/lib" ]; then
    echo "building the Netty/Vert.x peers (once)..." >&2
    mkdir -p "$cache/build"
    (cd "$cache/jvm" && JAVA_HOME="$JAVA_HOME" mvn -B -q package -DskipTests >"$cache/build/mvn-jvm.log" 2>&1) \
        || echo "the Netty/Vert.x peers failed to build: see $cache/build/mvn-jvm.log" >&2
fi
export CLIENT_EXTRA_NAME="${CLIENT_EXTRA_NAME:-jasyncio}"
export CLIENT_EXTRA_CMD="$JAVA_HOME/bin/java $FAST -cp $CP io.jasyncio.bench.HttpBenchClient"
if [ -n "${CLIENT_PEERS:-}" ] && [[ " $CLIENT_PEERS " != *" $CLIENT_EXTRA_NAME "* ]]; then
    export CLIENT_PEERS="$CLIENT_EXTRA_NAME $CLIENT_PEERS"
fi
"$cache/http/client-run.sh" | tee "$out/client-table.txt"
echo "results in $out" >&2
