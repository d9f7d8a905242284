# Sourced by the project's scripts: finds JDK 25+ and Maven, or says clearly what is missing.
# Sets JAVA_HOME, JAVA, MVN (a command line) and MAVEN_OPTS.

jasyncio_java_major() {  # jasyncio_java_major JAVA_HOME -> prints the feature version, or nothing
    local v="" line
    # A JDK's release file says its version: reading it costs nothing, starting java costs ~50 ms.
    if [ -f "$1/release" ]; then
        while IFS= read -r line; do
            case "$line" in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; break ;; esac
        done <"$1/release"
    fi
    [ -n "$v" ] || v=$("$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
    v=${v#1.}
    echo "${v%%[.+-]*}"
}

jasyncio_find_jdk() {
    local d m
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        m=$(jasyncio_java_major "$JAVA_HOME")
        if [ "${m:-0}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
    fi
    for d in /usr/lib/jvm/*/ /usr/java/*/ /opt/java/*/ /Library/Java/JavaVirtualMachines/*/Contents/Home/; do
        [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
        m=$(jasyncio_java_major "${d%/}")
        if [ "${m:-0}" -ge 25 ] 2>/dev/null; then echo "${d%/}"; return 0; fi
    done
    return 1
}

if ! JAVA_HOME=$(jasyncio_find_jdk); then
    echo "jasyncio needs JDK 25 or newer. None was found: JAVA_HOME is unset or older," >&2
    echo "and no JDK 25+ is installed under /usr/lib/jvm. Install one (for example Temurin 25)" >&2
    echo "or point JAVA_HOME at it." >&2
    exit 3
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

# Maven: the system's mvn if it is 3.8 or newer, else a pinned Maven fetched once from Maven Central.
# A script that needs Maven only sometimes (the launcher) sets JASYNCIO_MAVEN_LATER=1 before sourcing
# this file and calls jasyncio_setup_maven when it does: asking mvn its version takes a quarter second.
JASYNCIO_MAVEN_VERSION=3.9.11
jasyncio_find_maven() {
    local v
    if command -v mvn >/dev/null 2>&1; then
        v=$(JAVA_HOME="$JAVA_HOME" mvn -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9]*\.[0-9]*\).*/\1/p' | head -1)
        case "$v" in 3.[89]|3.1[0-9]|[4-9].*) echo mvn; return 0 ;; esac
    fi
    local cache="${XDG_CACHE_HOME:-$HOME/.cache}/jasyncio/apache-maven-$JASYNCIO_MAVEN_VERSION"
    if [ ! -x "$cache/bin/mvn" ]; then
        local url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$JASYNCIO_MAVEN_VERSION/apache-maven-$JASYNCIO_MAVEN_VERSION-bin.tar.gz"
        echo "Fetching Maven $JASYNCIO_MAVEN_VERSION from Maven Central..." >&2
        mkdir -p "$(dirname "$cache")" || return 1
        if command -v curl >/dev/null 2>&1; then
            curl -fsSL "$url" | tar -xz -C "$(dirname "$cache")" || return 1
        else
            wget -qO- "$url" | tar -xz -C "$(dirname "$cache")" || return 1
        fi
    fi
    echo "$cache/bin/mvn"
}
jasyncio_setup_maven() {  # sets MVN (quiet) and MVN_LOUD, or exits 3
    if ! MVN=$(jasyncio_find_maven); then
        echo "Maven 3.8+ was not found and could not be fetched from Maven Central." >&2
        exit 3
    fi
    # Maven's own libraries call sun.misc.Unsafe; JDK 24+ warns about it on every build.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    # MVN_LOUD keeps Maven's per-test-class lines and results (the test command uses it); MVN is quiet.
    MVN_LOUD="$MVN -B --no-transfer-progress -Dstyle.color=never"
    MVN="$MVN_LOUD -q"
}
[ -n "${JASYNCIO_MAVEN_LATER:-}" ] || jasyncio_setup_maven
# Maven 3.8 prints stray ANSI reset codes in quiet batch mode; pipe its output through this.
jasyncio_plain() { sed -u -e 's/\x1b\[[0-9;]*m//g'; }

# JVM options of the project's own programs (the launcher and the benchmarks' "launcher" rows):
#   --add-opens java.base/java.lang   opts in to the dedicated-carrier scheduler (Scheduling.DEDICATED)
#   UseCompactObjectHeaders           8-byte object headers (a product flag in JDK 25): every task is smaller
#   UseParallelGC                     a throughput collector; the programs keep small heaps, so pauses stay short,
#                                     and it handles a million suspended tasks' stacks in half G1's time
#   jdk.trackAllThreads=false         the JDK otherwise keeps every virtual thread in a map, for jcmd's thread
#                                     dump; jasyncio's own task dump lists tasks instead
#   jasyncio.dumpSignal=USR1          kill -USR1 PID prints every task (SIGQUIT belongs to the JVM)
JASYNCIO_LAUNCHER_OPTS="--add-opens java.base/java.lang=ALL-UNNAMED -XX:+UseCompactObjectHeaders -XX:+UseParallelGC -Djdk.trackAllThreads=false -Djasyncio.dumpSignal=USR1"
