#!/usr/bin/env bash
# Core-runtime benchmarks, jasyncio side by side with CPython asyncio and uvloop in one run:
#   (a) task switch: TASKS tasks each yield YIELDS times through sleep(0); ns per switch
#   (b) spawn: create N tasks that each sleep(0) once and gather them; in-process time and peak RSS
#   (c) timers: N callLater timers scheduled and fired; ms
# Each figure is the median of ROUNDS separate processes (default 3), with min-max; ratios are
# "x uvloop", higher = better. Needs python3 with uvloop for the peers (apt-get install
# python3-uvloop); the jasyncio rows run without them.
#
#   jasyncio-bench/core.sh                # everything (~3 min)
#   ONLY=switch jasyncio-bench/core.sh    # one bench: switch, spawn or timers
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
TASKS="${SWITCH_TASKS:-1000}"
JVM_YIELDS="${SWITCH_JVM_YIELDS:-1000}"
PY_YIELDS="${SWITCH_PY_YIELDS:-200}"
SPAWN_N="${SPAWN_N:-1000000}"
TIMERS_N="${TIMERS_N:-1000000}"
ONLY="${ONLY:-switch spawn timers}"
source "$here/lib.sh" core

for ((r = 1; r <= ROUNDS; r++)); do
    echo "round $r/$ROUNDS" >&2
    for b in $ONLY; do
        case "$b" in
        switch)
            one asyncio "CPython asyncio" switch "$PY" "$here/peers/py_core.py" asyncio switch "$TASKS" "$PY_YIELDS" 1 1
            [ $have_uvloop = 1 ] && one uvloop "uvloop" switch "$PY" "$here/peers/py_core.py" uvloop switch "$TASKS" "$PY_YIELDS" 1 1
            one jasyncio-shared "jasyncio, no JVM flags (shared scheduler)" switch "$JAVA" -cp "$CP" io.jasyncio.bench.CoreBench switch "$TASKS" "$JVM_YIELDS" 1 5
            one jasyncio-dedicated "jasyncio, --add-opens (dedicated carrier)" switch "$JAVA" $FAST -cp "$CP" io.jasyncio.bench.CoreBench switch "$TASKS" "$JVM_YIELDS" 1 5
            ;;
        spawn)
            one asyncio "CPython asyncio" spawn "$PY" "$here/peers/py_core.py" asyncio spawn "$SPAWN_N"
            [ $have_uvloop = 1 ] && one uvloop "uvloop" spawn "$PY" "$here/peers/py_core.py" uvloop spawn "$SPAWN_N"
            one jasyncio-shared "jasyncio, no JVM flags" spawn "$JAVA" -cp "$CP" io.jasyncio.bench.CoreBench spawn "$SPAWN_N"
            one jasyncio-launcher "jasyncio, launcher flags (scripts/env.sh)" spawn "$JAVA" $LAUNCHER -cp "$CP" io.jasyncio.bench.CoreBench spawn "$SPAWN_N"
            ;;
        timers)
            one asyncio "CPython asyncio" timers "$PY" "$here/peers/py_core.py" asyncio timers "$TIMERS_N" 1 1
            [ $have_uvloop = 1 ] && one uvloop "uvloop" timers "$PY" "$here/peers/py_core.py" uvloop timers "$TIMERS_N" 1 1
            one jasyncio-shared "jasyncio, no JVM flags" timers "$JAVA" -cp "$CP" io.jasyncio.bench.CoreBench timers "$TIMERS_N" 1 3
            one jasyncio-dedicated "jasyncio, --add-opens" timers "$JAVA" $FAST -cp "$CP" io.jasyncio.bench.CoreBench timers "$TIMERS_N" 1 3
            ;;
        esac
    done
done
"$PY" "$here/report.py" "$out/results.jsonl" | tee "$out/table.md"
echo "raw results: $out" >&2
