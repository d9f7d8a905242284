#!/usr/bin/env bash
# JMH micro-benchmarks of the loop (jasyncio-bench/src/main/java/io/jasyncio/bench/jmh).
#   jasyncio-bench/jmh.sh                     # all, both scheduling modes
#   jasyncio-bench/jmh.sh LoopBench.callSoon  # a regex, and any JMH options after it
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$root/scripts/env.sh"
(cd "$root" && $MVN package -DskipTests -pl jasyncio-bench -am) 2>&1 | jasyncio_plain >&2
exec "$JAVA" -cp "$here/target/classes:$here/target/lib/*" org.openjdk.jmh.Main "${@:-io.jasyncio.bench.jmh}"
