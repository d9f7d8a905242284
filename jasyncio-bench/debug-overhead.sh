#!/usr/bin/env bash
# What debug mode costs: the switch benchmark (1000 tasks x 1000 sleep(0)) on this tree with debug
# off and on, against a baseline revision built from git, interleaved, ROUNDS processes each.
#   jasyncio-bench/debug-overhead.sh BASE_REV      (e.g. the commit before debug mode existed)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$root/scripts/env.sh"
base="${1:?usage: debug-overhead.sh BASE_REV}"
ROUNDS="${ROUNDS:-5}"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/base" "$base"
(cd "$work/base" && $MVN package -DskipTests -pl jasyncio-bench -am) 2>&1 | jasyncio_plain >&2
(cd "$root" && $MVN package -DskipTests -pl jasyncio-bench -am) 2>&1 | jasyncio_plain >&2
NEW="$here/target/classes:$here/target/lib/*"
OLD="$work/base/jasyncio-bench/target/classes:$work/base/jasyncio-bench/target/lib/*"
run() {  # run CP DEBUG MODE -> median ns per switch of 5 in-process runs
    "$JAVA" --add-opens java.base/java.lang=ALL-UNNAMED -Djasyncio.scheduler="$3" -Djasyncio.debug="$2" -cp "$1" \
        io.jasyncio.bench.CoreBench switch 1000 1000 5 5 | python3 -c 'import json,sys,statistics; print(statistics.median(json.loads(sys.stdin.read())["ns_per_switch"]))'
}
for mode in ${MODES:-dedicated shared}; do
    declare -a old=() new=() dbg=()
    for ((r = 0; r < ROUNDS; r++)); do
        old+=("$(run "$OLD" false $mode)")
        new+=("$(run "$NEW" false $mode)")
        dbg+=("$(run "$NEW" true $mode)")
    done
    python3 - "$mode" "${old[*]}" "${new[*]}" "${dbg[*]}" <<'PY'
import statistics, sys
mode, old, new, dbg = sys.argv[1], *[list(map(float, a.split())) for a in sys.argv[2:5]]
mo, mn, md = statistics.median(old), statistics.median(new), statistics.median(dbg)
print(f"{mode:9s} baseline {mo:6.1f} ns ({min(old):.0f}-{max(old):.0f})  debug off {mn:6.1f} ns ({min(new):.0f}-{max(new):.0f}) = {100*(mn/mo-1):+.1f}%  "
      f"debug on {md:6.1f} ns ({min(dbg):.0f}-{max(dbg):.0f}) = {100*(md/mo-1):+.1f}%")
PY
done
