#!/usr/bin/env bash
# Echo benchmark (issue 5): jasyncio streams and protocols side by side with CPython asyncio and
# uvloop (streams and protocols) and Netty (epoll, one event loop), all driven by the one closed-loop
# C load generator of the shared peers harness (../shared/bench/echo/loadgen.c), in one run:
#   round trips/s over persistent connections: 1 and 100 connections x 64 B and 4 KiB, unpinned;
#   then 1 and 100 connections x 64 B with the client and every server thread pinned to CPU 0;
#   and memory per idle connection: a fresh server's RSS growth with 10,000 open connections.
# Each figure is the median of ROUNDS rounds (default 3); the table gives min-max and the ratios to
# uvloop (streams rows to uvloop streams, protocol rows to uvloop protocols) and to Netty.
#
#   jasyncio-bench/echo.sh                               # everything (~6 min per round)
#   ROUNDS=1 SECS=2 ONLY="jasyncio-proto-launcher uvloop-proto" jasyncio-bench/echo.sh
#   PEERS=/path/to/shared/bench  (default: ../shared/bench beside the project, if present)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/lib.sh" echo
SECS="${SECS:-4}"
WARM="${WARM:-0.5}"
JVM_WARM="${JVM_WARM:-3}"
IDLE_CONNS="${IDLE_CONNS:-10000}"
PEERS="${PEERS:-$(cd "$root/.." && pwd)/shared/bench}"
ALL="asyncio-streams asyncio-proto uvloop-streams uvloop-proto netty-epoll jasyncio-streams-shared jasyncio-streams-launcher jasyncio-proto-shared jasyncio-proto-launcher"
ONLY="${ONLY:-$ALL}"
MODES="${MODES:-rt idle}"

# The peers harness writes beside itself: work on a copy, built once. Without it, only the jasyncio
# rows run, driven by our own load generator (loadgen/echo_load.c: the same closed loop).
cache="${XDG_CACHE_HOME:-$HOME/.cache}/jasyncio/bench-peers"
if [ ! -x "$cache/build/loadgen" ] && [ -d "$PEERS/echo" ]; then
    mkdir -p "$cache" && cp -r "$PEERS/." "$cache/"
    mkdir -p "$cache/build"
    gcc -O2 -o "$cache/build/loadgen" "$cache/echo/loadgen.c"
fi
if [ -x "$cache/build/loadgen" ]; then
    LOADGEN="$cache/build/loadgen"
else
    echo "the peers harness was not found at $PEERS (set PEERS=...): jasyncio rows only, own load generator" >&2
    mkdir -p "$out/bin" && gcc -O2 -o "$out/bin/echo_load" "$here/loadgen/echo_load.c"
    LOADGEN="$out/bin/echo_load"
    ONLY=$(for n in $ONLY; do [[ $n == jasyncio* ]] && echo -n "$n "; done)
fi
NETTY_CP="$cache/jvm/target/classes:$cache/jvm/target/lib/*"
if [[ " $ONLY " == *" netty-epoll "* ]] && [ ! -d "$cache/jvm/target/lib" ]; then
    echo "building the Netty peer (once)..." >&2
    (cd "$cache/jvm" && JAVA_HOME="$JAVA_HOME" $MVN package -DskipTests) 2>&1 | jasyncio_plain >&2 || echo "Netty peer failed to build" >&2
fi
NETTY_FLAGS="--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"

server_cmd() {  # server_cmd NAME PORT -> the command line
    local n="$1" p="$2"
    case "$n" in
    asyncio-streams) echo "$PY $cache/echo/py_echo.py --loop asyncio --api streams --port $p --max-secs 300" ;;
    asyncio-proto) echo "$PY $cache/echo/py_echo.py --loop asyncio --api proto --port $p --max-secs 300" ;;
    uvloop-streams) echo "$PY $cache/echo/py_echo.py --loop uvloop --api streams --port $p --max-secs 300" ;;
    uvloop-proto) echo "$PY $cache/echo/py_echo.py --loop uvloop --api proto --port $p --max-secs 300" ;;
    netty-epoll) echo "$JAVA $NETTY_FLAGS -cp $NETTY_CP anchors.NettyEcho epoll 1 $p 300" ;;
    jasyncio-streams-shared) echo "$JAVA -cp $CP io.jasyncio.bench.EchoServer streams $p 300" ;;
    jasyncio-proto-shared) echo "$JAVA -cp $CP io.jasyncio.bench.EchoServer proto $p 300" ;;
    jasyncio-streams-launcher) echo "$JAVA $LAUNCHER -cp $CP io.jasyncio.bench.EchoServer streams $p 300" ;;
    jasyncio-proto-launcher) echo "$JAVA $LAUNCHER -cp $CP io.jasyncio.bench.EchoServer proto $p 300" ;;
    esac
}
label() {
    case "$1" in
    asyncio-streams) echo "CPython asyncio streams" ;; asyncio-proto) echo "CPython asyncio protocol" ;;
    uvloop-streams) echo "uvloop streams" ;; uvloop-proto) echo "uvloop protocol" ;;
    netty-epoll) echo "Netty epoll, 1 loop" ;;
    jasyncio-streams-shared) echo "jasyncio streams, no flags" ;; jasyncio-proto-shared) echo "jasyncio protocol, no flags" ;;
    jasyncio-streams-launcher) echo "jasyncio streams, launcher flags" ;; jasyncio-proto-launcher) echo "jasyncio protocol, launcher flags" ;;
    esac
}

PORT=19400
SPID=""
start() {  # start NAME -> sets PORT, SPID
    PORT=$((PORT + 1))
    timeout --kill-after=5 320 $(server_cmd "$1" "$PORT") >"$out/server-$1.log" 2>&1 &
    SPID=$!
    for ((i = 0; i < 600; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
        kill -0 "$SPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
stop() { [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; }; }
trap stop EXIT

run_cfg() {  # run_cfg NAME ROUND CONNS SIZE PIN
    local pre="" line
    [ "$5" = cpu0 ] && pre="taskset -c 0"
    line=$(timeout $((${SECS%.*} + 30)) $pre "$LOADGEN" -p "$PORT" -c "$3" -s "$4" -d "$SECS" -w "$WARM" 2>&1 | tail -1) || true
    echo "{\"name\":\"$1\",\"label\":\"$(label "$1")\",\"round\":$2,\"conns\":$3,\"size\":$4,\"pin\":\"$5\",\"line\":\"$line\"}" >>"$out/results.jsonl"
}

for ((r = 1; r <= ROUNDS; r++)); do
    for n in $ONLY; do
        if [[ " $MODES " == *" rt "* ]]; then
            echo "round $r/$ROUNDS: $n" >&2
            if ! start "$n"; then echo "$n did not start; see $out/server-$n.log" >&2; stop; continue; fi
            [[ "$n" == jasyncio* || "$n" == netty* ]] && "$LOADGEN" -p "$PORT" -c 100 -s 64 -d "$JVM_WARM" -w 0 >/dev/null 2>&1
            for c in 1 100; do for s in 64 4096; do run_cfg "$n" "$r" "$c" "$s" none; done; done
            kid=$(pgrep -P "$SPID" | head -1 || true)
            if [ -n "$kid" ] && taskset -a -p -c 0 "$kid" >/dev/null; then
                run_cfg "$n" "$r" 1 64 cpu0
                run_cfg "$n" "$r" 100 64 cpu0
            fi
            stop
        fi
        if [[ " $MODES " == *" idle "* ]]; then
            echo "round $r/$ROUNDS: $n, $IDLE_CONNS idle connections" >&2
            if start "$n"; then
                kid=$(pgrep -P "$SPID" | head -1 || true)
                idle=$("$PY" "$here/peers/idle_conns.py" "$PORT" "${kid:-$SPID}" "$IDLE_CONNS" 2>>"$out/idle-$n.err" | tail -1) || idle=""
                [ -n "$idle" ] && echo "{\"name\":\"$n\",\"label\":\"$(label "$n")\",\"round\":$r,\"idle\":$idle}" >>"$out/results.jsonl"
            fi
            stop
        fi
    done
done
"$PY" "$here/echo_report.py" "$out/results.jsonl" | tee "$out/table.md"
echo "raw results: $out" >&2
