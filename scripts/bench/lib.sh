# Shared by the benchmark scripts (sourced, not run). Each script makes one temp directory with
# a bundle per container image it needs, gives every runtime its own --root there, names every
# container "bk<pid>-..." and removes all of it on exit, even when interrupted: containers are
# force-deleted through their runtime, then anything still named after the prefix (processes in
# its cgroups, cgroup directories, mounts) is removed and reported as a leftover.
#
# Modes. crun 1.8.1 refuses this host's hybrid cgroup layout (v1 controllers plus a cgroup2 mount
# at /sys/fs/cgroup/unified). The "ns" mode runs a command in a private mount namespace where that
# cgroup2 mount is unmounted, so all three runtimes see pure cgroup v1 there; "host" mode is the
# host as it is (burk and runc only). Every figure says which mode it comes from.

set -euo pipefail
BENCH_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
BURK="$BENCH_HOME/bin/burk"
PREFIX="bk$$"
[[ $(id -u) -eq 0 ]] || { echo "bench: run as root (the benchmarks run real containers)" >&2; exit 1; }
[[ -x $BENCH_HOME/build/rootfs/bin/busybox ]] || { echo "bench: no build/rootfs: run setup or scripts/make-rootfs build/rootfs" >&2; exit 1; }
[[ -r $BENCH_HOME/target/burk.jar ]] || { echo "bench: no target/burk.jar: build first (mvn -DskipTests package)" >&2; exit 1; }

# A phase (a script re-run inside the "ns" mode's namespace) shares its parent's temp directory
# and prefix; the parent alone removes them.
if [[ -n ${BENCH_PHASE_OF:-} ]]; then
    BENCH_TMP=$BENCH_PHASE_OF
    PREFIX=$BENCH_PREFIX
else
    BENCH_TMP=$(mktemp -d /tmp/burk-bench.XXXXXX)
    mkdir -p "$BENCH_TMP/results"
    MAKE_CGROUP_PARENT=1
fi
BENCH_DAEMON_PID=""
_bench_cleaned=""

# The runtime binaries; burk is bin/burk. "burk-jvm" is bin/burk forced to a JVM per call (no
# resident daemon), for the before/after figures of the daemon; "burk-noaot" is a JVM per call
# without the AOT cache (only when asked for in BENCH_RUNTIMES), for what the cache buys;
# "burk-front" is the native front called directly (with the daemon), as an engine configured
# with target/burk-front as its runtime path would call it: no sh in front of it.
rt_bin() {
    case $1 in
        burk|burk-jvm|burk-noaot) echo "$BURK" ;;
        burk-front) echo "$BENCH_HOME/target/burk-front" ;;
        runc) command -v runc ;;
        crun) command -v crun ;;
        *) echo "bench: unknown runtime $1" >&2; return 1 ;;
    esac
}

# Runs one runtime command with its own state root: rt RUNTIME ARGS...
rt() {
    local r=$1; shift
    local bin; bin=$(rt_bin "$r")
    if [[ $r == burk-jvm ]]; then
        BURK_NO_DAEMON=1 "$bin" --root "$BENCH_TMP/state/$r" "$@"
    elif [[ $r == burk-noaot ]]; then
        BURK_NO_DAEMON=1 BURK_NO_AOT=1 "$bin" --root "$BENCH_TMP/state/$r" "$@"
    else
        "$bin" --root "$BENCH_TMP/state/$r" "$@"
    fi
}

have_rt() { rt_bin "$1" >/dev/null 2>&1 && [[ -n $(rt_bin "$1") ]]; }

# in_mode MODE CMD...: runs CMD on the host, or in a private mount namespace without cgroup2.
in_mode() {
    local mode=$1; shift
    case $mode in
        host) "$@" ;;
        ns) unshare -m --propagation private -- bash -c \
                'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec "$@"' bench "$@" ;;
        *) echo "bench: unknown mode $mode" >&2; return 1 ;;
    esac
}

# A bundle in $BENCH_TMP/bundles/NAME whose process runs ARGS... (a JSON array body, e.g. '"true"'),
# rootfs shared read-only. ociVersion 1.0.2: crun 1.8.1 refuses newer versions ("unknown version
# specified"); every runtime gets the very same config.json.
make_bundle() {
    local name=$1 args=$2 mem=${3:-}
    local b="$BENCH_TMP/bundles/$name"
    if [[ -r $b/config.json ]]; then echo "$b"; return 0; fi
    mkdir -p "$b"
    [[ -d $BENCH_TMP/rootfs ]] || cp -a "$BENCH_HOME/build/rootfs" "$BENCH_TMP/rootfs"
    BURK_NO_DAEMON=1 "$BURK" spec -b "$b"
    sed -i -e 's/"ociVersion": "[^"]*"/"ociVersion": "1.0.2"/' \
           -e 's/"terminal": true/"terminal": false/' \
           -e "s|\"path\": \"rootfs\"|\"path\": \"$BENCH_TMP/rootfs\"|" \
           -e 's/"readonly": false/"readonly": true/' "$b/config.json"
    # the default args are ["sh"]: replace that array's body
    sed -i -e '/"args": \[/,/\]/{/"args": \[/!{/\]/!d}}' -e "s|\"args\": \[|\"args\": [ $args|" "$b/config.json"
    if [[ -n $mem ]]; then
        grep -q '"resources": {' "$b/config.json" || { echo "bench: no linux.resources in the default spec" >&2; return 1; }
        sed -i "s|\"resources\": {|\"resources\": {\"memory\": {\"limit\": $mem},|" "$b/config.json"
    fi
    echo "$b"
}

# The benchmark's own cgroup parent, /PREFIX in every hierarchy, made before any runtime runs so
# that none of them owns (and removes) it; bench_cleanup removes it. A new v1 cpuset is empty and
# refuses tasks: it gets the root's cpus and mems.
make_cgroup_parent() {
    local h
    for h in /sys/fs/cgroup/*/; do
        [[ $(stat -f -c %T "$h") == cgroup* ]] || continue
        mkdir -p "$h$PREFIX"
        if [[ -e $h$PREFIX/cpuset.cpus ]]; then
            cat "${h}cpuset.cpus" > "$h$PREFIX/cpuset.cpus"
            cat "${h}cpuset.mems" > "$h$PREFIX/cpuset.mems"
        fi
    done
}

# ctr_bundle TEMPLATE ID: a bundle for one container, the template's config.json with
# linux.cgroupsPath /PREFIX/ID, for every runtime alike. Other work on this machine runs other
# builds of burk whose cleanup of the shared default parent (/burk) can remove a cgroup of ours
# between its mkdir and its first task; a parent of the benchmark's own keeps them apart.
ctr_bundle() {
    local t=$BENCH_TMP/bundles/$1 b=$BENCH_TMP/bundles/c/$2
    mkdir -p "$b"
    sed "s|\"linux\": {|\"linux\": {\"cgroupsPath\": \"/$PREFIX/$2\",|" "$t/config.json" > "$b/config.json"
    echo "$b"
}

# The waiter: blocks until a pid has exited (pidfd_open + poll), so "wait" costs no polling loop
# and no sleep quantum. Not a subreaper: the exit is seen even while the process is a zombie.
PIDWAIT="$BENCH_TMP/pidwait"
[[ -x $PIDWAIT ]] || { cat > "$BENCH_TMP/pidwait.c" <<'EOF'
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        int fd = (int) syscall(SYS_pidfd_open, atoi(argv[i]), 0);
        if (fd < 0) continue; /* already gone */
        struct pollfd p = { .fd = fd, .events = POLLIN };
        while (poll(&p, 1, -1) < 0) {}
        close(fd);
    }
    return 0;
}
EOF
gcc -O2 -o "$PIDWAIT" "$BENCH_TMP/pidwait.c"; }

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# stats: reads numbers (one a line) on stdin, prints "median p10 p90 n" (nearest-rank).
stats() {
    sort -n | awk '{a[NR]=$1} END {
        if (NR == 0) { print "- - - 0"; exit }
        m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
        i10 = int(NR*0.1 + 0.5); if (i10 < 1) i10 = 1
        i90 = int(NR*0.9 + 0.5); if (i90 < 1) i90 = 1
        printf "%.1f %.1f %.1f %d\n", m, a[i10], a[i90], NR }'
}
median() { stats | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b+0 == 0 || a == "-" || b == "-") print "-"; else printf "%.2f", a/b }'; }

# Starts a resident burk daemon for the rest of the script (in the given mode's namespace when
# the script itself runs there); returns once its socket answers.
# Each phase has its own daemon and socket (a daemon serves only callers in its own mount
# namespace, and the "ns" phase runs in another one). bin/burk finds it through
# BURK_DAEMON_SOCKET; "burk-jvm" sets BURK_NO_DAEMON and never asks it.
start_daemon() {
    [[ -n $BENCH_DAEMON_PID ]] && return 0
    local mode=$1
    export BURK_DAEMON_SOCKET=$BENCH_TMP/daemon-$mode/socket
    BURK_NO_DAEMON=1 "$BURK" daemon >"$BENCH_TMP/daemon-$mode.log" 2>&1 &
    BENCH_DAEMON_PID=$!
    for _ in $(seq 1 200); do
        if "$BURK" daemon status >/dev/null 2>&1; then
            # a first command of each kind, so that the figures are not its class loading
            warm_daemon
            return 0
        fi
        sleep 0.05
    done
    echo "bench: the burk daemon did not come up; see $BENCH_TMP/daemon-$mode.log" >&2
    return 1
}

warm_daemon() {
    make_bundle true '"true"' >/dev/null
    local i b
    for i in 1 2 3; do
        b=$(ctr_bundle true "$PREFIX-burk-warm$i")
        rt burk run --bundle "$b" "$PREFIX-burk-warm$i" </dev/null >/dev/null
        rt burk create --bundle "$b" "$PREFIX-burk-warm$i" </dev/null >/dev/null
        rt burk state "$PREFIX-burk-warm$i" >/dev/null
        rt burk delete --force "$PREFIX-burk-warm$i" >/dev/null
    done
}

stop_daemon() {
    [[ -z $BENCH_DAEMON_PID ]] && return 0
    kill "$BENCH_DAEMON_PID" 2>/dev/null || true
    wait "$BENCH_DAEMON_PID" 2>/dev/null || true
    BENCH_DAEMON_PID=""
}

# Lists what is left of this run: containers in any runtime root, processes in cgroups named
# after the prefix, cgroup directories, mounts under the temp directory.
leftovers() {
    local r
    for r in burk burk-jvm burk-noaot burk-front runc crun; do
        if [[ -d $BENCH_TMP/state/$r ]]; then
            find "$BENCH_TMP/state/$r" -mindepth 1 -maxdepth 1 -type d -name "$PREFIX*" -printf "container state: %p\n"
        fi
    done
    find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name "$PREFIX-*" -printf "cgroup: %p\n" 2>/dev/null |
        if [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == tmpfs ]]; then grep -v '^cgroup: /sys/fs/cgroup/unified/'; else cat; fi || true
    # An exited init is a zombie until the host's pid 1 reaps it, which can take a second or two
    # here; give it five before calling it a leftover.
    local i procs
    for i in $(seq 1 50); do
        procs=$(grep -l -s "/$PREFIX" /proc/[0-9]*/cgroup 2>/dev/null | sed 's|/proc/\([0-9]*\)/cgroup|\1|' || true)
        [[ -z $procs ]] && break
        sleep 0.1
    done
    for i in $procs; do echo "process: $i $(ps -o stat=,comm= -p "$i" 2>/dev/null)"; done
    awk -v t="$BENCH_TMP" '$5 == t || index($5, t "/") == 1 { print "mount: " $5 }' /proc/self/mountinfo
    # In "ns" mode crun 1.8.1 still treats /sys/fs/cgroup/unified as a cgroup2 mount: it makes a
    # directory with a cgroup.procs file there, on the tmpfs under the unmounted mount point, and
    # does not remove it. The host cannot see those (the cgroup2 mount hides them); look from a
    # namespace without it.
    in_mode ns find /sys/fs/cgroup/unified -mindepth 1 -maxdepth 2 -name "$PREFIX-*" -printf "under the cgroup2 mount point (tmpfs): %p\n" 2>/dev/null || true
}

# Removes everything this run made. Called on EXIT, INT and TERM.
bench_cleanup() {
    [[ -n $_bench_cleaned ]] && return 0
    _bench_cleaned=1
    set +e
    local r id pid d
    stop_daemon
    [[ -n ${BENCH_PHASE_OF:-} ]] && return 0
    for r in burk-jvm burk-noaot burk-front runc crun burk; do
        [[ -d $BENCH_TMP/state/$r ]] || continue
        for d in "$BENCH_TMP/state/$r"/"$PREFIX"*; do
            [[ -d $d ]] || continue
            id=${d##*/}
            # made in either mode: a delete from the wrong one may fail; the sweep below follows
            for mode in host ns; do
                in_mode $mode env BURK_NO_DAEMON=1 "$(rt_bin $r)" --root "$BENCH_TMP/state/$r" delete -f "$id" >/dev/null 2>&1
            done
        done
    done
    for pid in $(grep -l -s "/$PREFIX" /proc/[0-9]*/cgroup 2>/dev/null | sed 's|/proc/\([0-9]*\)/cgroup|\1|'); do
        kill -9 "$pid" 2>/dev/null
    done
    sleep 0.1
    find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -depth -type d -name "$PREFIX*" -exec rmdir {} \; 2>/dev/null
    in_mode ns bash -c '[[ $(stat -f -c %T /sys/fs/cgroup/unified) == tmpfs ]] && rm -rf /sys/fs/cgroup/unified/"$1"*' \
        bench "$PREFIX" 2>/dev/null
    awk -v t="$BENCH_TMP" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r m; do umount -l "$m"; done
    rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_phase MODE FUNCTION: runs FUNCTION MODE in this script, in MODE's namespace. The phase
# writes its figures under $BENCH_TMP/results; the caller prints them.
run_phase() {
    local mode=$1 fn=$2
    (export BENCH_PHASE_OF=$BENCH_TMP BENCH_PREFIX=$PREFIX; in_mode "$mode" "$0" --phase "$fn" "$mode")
}

# Called first thing by a script: when it was re-run as a phase, runs that phase and exits.
phase_dispatch() {
    if [[ ${1:-} == --phase ]]; then
        "$2" "$3"
        exit 0
    fi
}

# Ends a script: prints what is left (burk must leave nothing; what runc or crun leave is
# reported as theirs) before the cleanup removes it.
check_leftovers() {
    local l; l=$(leftovers)
    local mine; mine=$(grep -v -e "$PREFIX-runc-" -e "$PREFIX-crun-" <<<"$l" || true)
    local theirs; theirs=$(grep -e "$PREFIX-runc-" -e "$PREFIX-crun-" <<<"$l" || true)
    if [[ -n $theirs ]]; then
        echo "left by runc/crun (not burk; removed now): $(wc -l <<<"$theirs") entries, e.g."
        head -3 <<<"$theirs" | sed 's/^/    /'
    fi
    if [[ -n $mine ]]; then
        echo "LEFTOVERS of burk (a bug):"; echo "$mine"
        return 1
    fi
    echo "leftovers of burk: none"
}

# True when this build has the resident daemon and its native front (bin/burk then uses the
# daemon when one runs; "burk-jvm" measures the same commands with a JVM per call).
daemon_supported() { [[ -x $BENCH_HOME/target/burk-front ]]; }

# The runtimes measured in MODE: crun only in "ns" (it refuses the hybrid host); BENCH_RUNTIMES
# narrows the list (e.g. BENCH_RUNTIMES="burk runc").
runtimes_for() {
    local mode=$1 r out=()
    local want=${BENCH_RUNTIMES:-burk-jvm burk runc crun}
    for r in $want; do
        [[ $r == crun && $mode == host ]] && continue
        [[ $r == burk-jvm || $r == burk-front ]] && ! daemon_supported && continue
        [[ $r == runc || $r == crun ]] && ! command -v "$r" >/dev/null && continue
        out+=("$r")
    done
    echo "${out[@]}"
}

# Starts the daemon in this phase when "burk" is to be measured with it.
maybe_daemon() {   # maybe_daemon MODE RUNTIMES...
    local mode=$1; shift
    if daemon_supported && [[ " $* " == *" burk "* || " $* " == *" burk-front "* ]]; then start_daemon "$mode"; fi
}

# How many iterations a runtime gets: a JVM per call (burk-jvm, burk-noaot) is the slow fallback,
# measured BENCH_JVM_N times (default 20) so that the whole run stays near 10 minutes.
iterations() {
    case $1 in
        burk-jvm|burk-noaot) echo $(( ${BENCH_JVM_N:-20} < $2 ? ${BENCH_JVM_N:-20} : $2 )) ;;
        *) echo "$2" ;;
    esac
}

# result MODE RUNTIME METRIC VALUE: appends a figure (ms, KiB, ...) to the run's results.
result() { echo "$4" >> "$BENCH_TMP/results/$1.$2.$3"; }
results_of() { cat "$BENCH_TMP/results/$1.$2.$3" 2>/dev/null || true; }

# table MODE METRIC UNIT RUNTIMES...: one line per runtime with median, p10, p90 and n, then the
# ratios of each burk's median to runc's and crun's (same mode, same run).
table() {
    local mode=$1 metric=$2 unit=$3; shift 3
    local r s
    declare -A med=()
    for r in "$@"; do
        s=$(results_of "$mode" "$r" "$metric" | stats)
        [[ ${s##* } == 0 ]] && continue
        med[$r]=${s%% *}
        printf '  %-4s %-18s %-8s median %8s %-3s (p10 %s, p90 %s, n %s)\n' "$mode" "$metric" "$r" "${med[$r]}" "$unit" \
            "$(cut -d' ' -f2 <<<"$s")" "$(cut -d' ' -f3 <<<"$s")" "${s##* }"
    done
    for r in burk burk-front burk-jvm burk-noaot; do
        [[ -n ${med[$r]:-} ]] || continue
        local line=""
        [[ -n ${med[runc]:-} ]] && line+=" $r/runc $(ratio "${med[$r]}" "${med[runc]}")"
        [[ -n ${med[crun]:-} ]] && line+=" $r/crun $(ratio "${med[$r]}" "${med[crun]}")"
        [[ -n $line ]] && printf '  %-4s %-18s ratios:%s\n' "$mode" "$metric" "$line"
    done
    return 0
}

# The parent is made once, by the script itself (not by its phases), after the cleanup trap is set.
if [[ -n ${MAKE_CGROUP_PARENT:-} ]]; then make_cgroup_parent; fi
