#!/usr/bin/env bash
# The same suite of sleeps on real time and on a VirtualClock: TASKS tasks, each sleeping SLEEPS
# times for 10..100 ms (seeded). The virtual runs repeat in one JVM, as a test suite does; the
# figure is the median of the warm runs (the first run of each process is cold and shown apart).
# Prints the wall time of each and the speed-up.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$root/scripts/env.sh"
ROUNDS="${ROUNDS:-3}"; TASKS="${TASKS:-200}"; SLEEPS="${SLEEPS:-20}"
(cd "$root" && $MVN package -DskipTests -pl jasyncio-bench -am) 2>&1 | jasyncio_plain >&2
CP="$here/target/classes:$here/target/lib/*"
declare -a real=() virt=()
for ((r = 0; r < ROUNDS; r++)); do
    real+=("$("$JAVA" -cp "$CP" io.jasyncio.bench.CoreBench sleeps real "$TASKS" "$SLEEPS")")
    virt+=("$("$JAVA" -cp "$CP" io.jasyncio.bench.CoreBench sleeps virtual "$TASKS" "$SLEEPS" 10)")
done
python3 - "${real[*]}" "${virt[*]}" <<'PY'
import json, statistics, sys
def parse(s): return [json.loads(x) for x in s.replace('} {', '}\n{').splitlines() if x.strip()]
real, virt = parse(sys.argv[1]), parse(sys.argv[2])
mr = statistics.median(r["ms"][0] for r in real)
cold = [v["ms"][0] for v in virt]
warm = [x for v in virt for x in v["ms"][1:]]
mv = statistics.median(warm)
r0 = real[0]
print(f"{r0['tasks']} tasks x {r0['sleeps']} sleeps of 10-100 ms (longest chain {r0['longest_chain_seconds']:.2f} s):")
runs_r = ", ".join("%.0f" % r["ms"][0] for r in real)
print(f"  real time:          {mr:8.1f} ms  (processes: {runs_r})")
print(f"  virtual time, warm: {mv:8.1f} ms  (median of {len(warm)} runs, {min(warm):.1f}-{max(warm):.1f}); loop clock reached {virt[0]['loop_seconds']:.3f} s")
print(f"  virtual time, cold: {statistics.median(cold):8.1f} ms  (first run in a fresh JVM)")
print(f"  speed-up:           {mr / mv:8.0f}x warm, {mr / statistics.median(cold):.0f}x cold")
PY
