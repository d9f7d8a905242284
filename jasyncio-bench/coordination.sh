#!/usr/bin/env bash
# Coordination benchmarks (issue 4), jasyncio side by side with CPython asyncio and uvloop in one run:
#   pingpong      two tasks bounce N items through two queues (N round trips); ms
#   lock          TASKS tasks each take one lock ITERS times, yielding while they hold it; ms
#   tothread      N toThread / to_thread calls one after another; ms
#   tothread-par  N toThread / to_thread calls at once, gathered; ms
# Each figure is the median of ROUNDS separate processes (default 3) of RUNS measured runs after
# warm-up runs, with min-max over all; ratios are "x uvloop", higher = better. Needs python3 with
# uvloop for the peers (apt-get install python3-uvloop); the jasyncio rows run without them.
#
#   jasyncio-bench/coordination.sh                  # everything (~4 min)
#   ONLY=pingpong jasyncio-bench/coordination.sh    # one bench
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
PINGPONG_N="${PINGPONG_N:-1000000}"
LOCK_TASKS="${LOCK_TASKS:-100}"
LOCK_ITERS="${LOCK_ITERS:-1000}"
TOTHREAD_N="${TOTHREAD_N:-100000}"
ONLY="${ONLY:-pingpong lock tothread tothread-par}"
source "$here/lib.sh" coordination

for ((r = 1; r <= ROUNDS; r++)); do
    echo "round $r/$ROUNDS" >&2
    for b in $ONLY; do
        case "$b" in
        pingpong) args=("$PINGPONG_N"); py_runs=(1 0); jvm_runs=(1 2) ;;
        lock) args=("$LOCK_TASKS" "$LOCK_ITERS"); py_runs=(1 1); jvm_runs=(1 3) ;;
        tothread | tothread-par) args=("$TOTHREAD_N"); py_runs=(1 0); jvm_runs=(1 2) ;;
        *) echo "unknown bench $b" >&2; exit 2 ;;
        esac
        one asyncio "CPython asyncio" "$b" "$PY" "$here/peers/py_coord.py" asyncio "$b" "${args[@]}" "${py_runs[@]}"
        [ $have_uvloop = 1 ] && one uvloop "uvloop" "$b" "$PY" "$here/peers/py_coord.py" uvloop "$b" "${args[@]}" "${py_runs[@]}"
        one jasyncio-shared "jasyncio, no JVM flags (shared scheduler)" "$b" "$JAVA" -cp "$CP" io.jasyncio.bench.CoordinationBench "$b" "${args[@]}" "${jvm_runs[@]}"
        one jasyncio-dedicated "jasyncio, --add-opens (dedicated carrier)" "$b" "$JAVA" $FAST -cp "$CP" io.jasyncio.bench.CoordinationBench "$b" "${args[@]}" "${jvm_runs[@]}"
    done
done
"$PY" "$here/report.py" "$out/results.jsonl" | tee "$out/table.md"
echo "raw results: $out" >&2
