#!/usr/bin/env bash
# svscan as init, as a router feels it (issue 13): real Debian 12 kernels under
# qemu-system (TCG), booted with the initramfs of tests/boot/boot.sh (whose functions
# this script sources: same kernels, qemu, busybox and tools, same cache), measured
# from the kernel's own time stamps on the console.
#
# Usage: bench/init.sh [boot] [memory] [ARCH...]     (default: both, all three archs)
#   boot    on each ARCH (x86_64 armv7 mipsel), REPS boots with rdinit=/bin/svscan:
#           a boot hook (.svscan/boot: proc, sysfs, devtmpfs, a tmpfs on /run, the
#           hostname), 20 services each with a multilog logger, and a trigger that, once
#           all 40 run and 2 s have passed, sends TERM to process 1 (reboot); a router's
#           shutdown hook (swapoff -a; umount -a -r). Measured: kernel start -> the
#           first service's ./run running (its /proc/uptime), svscan's exec (the
#           kernel's "Run /bin/svscan as init process") -> the first (and how much of
#           that the boot hook took) and -> the last of the 20, and TERM -> the
#           kernel's "reboot: Restarting system". Twice: the
#           service directories made in /service (as tests/boot has them) and made in
#           /etc/sv and linked into /service (svscan starts a directory made in place
#           only once it has been left alone for a second, and the kernel unpacked the
#           initramfs moments ago; a linked one at once). With BB=1
#           (default) the same with busybox init (rdinit=/bin/init, an inittab with
#           the hooks as sysinit and shutdown lines, one respawn line per service
#           piped into its multilog) for comparison.
#   memory  x86_64 only: one boot (MEM_MB of RAM) whose only service runs
#           bench/init-guest/mem: for MEM_REPS rounds, each suite (ours, daemontools
#           0.76, runit, s6: Debian 12's dynamically linked binaries and the libraries
#           ldd names, copied into the initramfs) runs MEM_N services, each `sleep`
#           with a logger (multilog, svlogd, s6-log), and MEM_N `sleep` alone (the
#           service without supervision); what MemAvailable lost (caches dropped,
#           settled) divided by MEM_N, and the same for AnonPages and the kernel's own
#           fields (KernelStack, PageTables, SUnreclaim).
# Environment: REPS=3 BB=1 MEM_N=100 MEM_REPS=3 MEM_MB=512; BOOT_OUT (default
# target/bench/init: trees, images, console logs), BOOT_CACHE and DIST as for
# tests/boot/boot.sh. Needs what tests/boot/boot.sh needs; the peers are fetched with
# apt-get download into BOOT_CACHE (nothing is installed). Prints markdown tables
# (medians [min-max]) as in README's Speed section. A benchmark, not a test: it exits
# non-zero only when a boot did not give its figures.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export BOOT_OUT=${BOOT_OUT:-$PWD/target/bench/init}
REPS=${REPS:-3} BB=${BB:-1} MEM_N=${MEM_N:-100} MEM_REPS=${MEM_REPS:-3} MEM_MB=${MEM_MB:-512}
GUEST=$PWD/bench/init-guest
NSERV=20

# tests/boot/boot.sh's functions (arch_info, setup_qemu, setup_guest, make_tree,
# download, deb_of, ...) and variables, without its boots; sourced in a function so that
# it sees no arguments
load_boot() { BOOT_LIB=1 . tests/boot/boot.sh; }
load_boot || exit 2

parts=() archs=()
for a in "$@"; do
    case $a in
    boot | memory) parts+=("$a") ;;
    x86_64 | armv7 | mipsel) archs+=("$a") ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$a' (boot, memory; x86_64 armv7 mipsel)" ;;
    esac
done
[ ${#parts[@]} -gt 0 ] || parts=(boot memory)
[ ${#archs[@]} -gt 0 ] || archs=(x86_64 armv7 mipsel)
RUNS=$BOOT_OUT/runs    # one line per boot: kind arch init rep console
mkdir -p "$BOOT_OUT" && : > "$RUNS"

# guest_tree ARCH INIT DIR: the initramfs tree of a boot bench. INIT: svscan (the
# service directories in /service, as in tests/boot), linked (in /etc/sv, linked into
# /service) or busybox (busybox init)
guest_tree() {
    local arch=$1 init=$2 R=$3 i s d=service
    # the "int" mode's tree: the boot test's tools and busybox, nothing mode-specific
    make_tree "$arch" int "$R"
    rm -rf "$R/service" && mkdir -p "$R/service/.svscan" "$R/etc/bench"
    cp "$GUEST"/* "$R/etc/bench/"
    cp "$GUEST/boot" "$GUEST/shutdown" "$R/service/.svscan/"
    [ "$init" = linked ] && d=etc/sv
    for s in $(seq -f 's%02g' 1 $NSERV) trigger; do
        mkdir -p "$R/$d/$s"
        [ "$d" = service ] || ln -s "/$d/$s" "$R/service/$s"
        [ "$s" = trigger ] && continue
        mkdir -p "$R/$d/$s/log"
        cp "$GUEST/service-run" "$R/$d/$s/run"
        cp "$GUEST/log-run" "$R/$d/$s/log/run"
    done
    if [ "$init" != busybox ]; then
        printf '#!/bin/sh\nexec /etc/bench/trigger %s\n' $NSERV > "$R/$d/trigger/run"
        chmod 755 "$R/$d/trigger/run"
    else
        rm -rf "$R/service/trigger"
        {
            echo "::sysinit:/service/.svscan/boot"
            for i in $(seq -w 1 $NSERV); do echo "::respawn:/etc/bench/bbsvc s$i"; done
            echo "::once:/etc/bench/trigger $NSERV"
            echo "::shutdown:/service/.svscan/shutdown"
        } > "$R/etc/inittab"
    fi
    chmod -R a+rX "$R/service" "$R/etc/bench"
}

# run_guest DIR MEM_MB TIMEOUT APPEND...: one boot of the tree DIR/root; console in
# DIR/console.txt
run_guest() {
    local w=$1 mem=$2 t=$3; shift 3
    python3 tests/boot/mkcpio.py "$w/root" "$w/initramfs.cpio" || die "mkcpio failed"
    timeout -k 5 "$t" "$QEMU_BIN" -nographic -m "$mem" -no-reboot -accel tcg -smp 1 -nic none \
        "${MACHINE[@]}" -L "$HOSTQ/usr/share/qemu" -L "$HOSTQ/usr/share/seabios" \
        -kernel "$KERNEL" -initrd "$w/initramfs.cpio" -append "$*" \
        </dev/null > "$w/console.log" 2>&1
    local rc=$?
    tr -d '\r' < "$w/console.log" > "$w/console.txt"
    return $rc
}

# The peers for the memory bench (amd64): Debian's packages, unpacked into
# $CACHE/peers-amd64; their binaries and the libraries ldd names go into the tree
PEERS_PKGS=(daemontools runit s6 libskarnet2.13 libs6-2.11 libc6)
peers_tree() { # peers_tree DIR
    local R=$1 U=$CACHE/peers-amd64 p f b lib
    if [ ! -e "$U/.done" ]; then
        download amd64 "${PEERS_PKGS[@]}"
        rm -rf "$U" && mkdir -p "$U"
        for p in "${PEERS_PKGS[@]}"; do
            f=$(deb_of "$p" amd64); [ -n "$f" ] || die "no .deb for $p"
            dpkg-deb -x "$f" "$U" || die "dpkg-deb -x $f failed"
        done
        touch "$U/.done"
    fi
    mkdir -p "$R/opt/daemontools/bin" "$R/opt/runit/bin" "$R/usr/bin"
    for b in svscan supervise multilog; do cp "$U/usr/bin/$b" "$R/opt/daemontools/bin/"; done
    for b in runsvdir runsv svlogd; do cp "$U/usr/bin/$b" "$R/opt/runit/bin/"; done
    # s6-svscan runs /usr/bin/s6-supervise (an absolute path)
    for b in s6-svscan s6-supervise s6-log; do cp "$U/usr/bin/$b" "$R/usr/bin/"; done
    # the libraries, at the paths ldd names, taken from the unpacked packages (/lib or
    # /usr/lib: bookworm's packages are not merged yet)
    for lib in $(ldd "$R"/opt/*/bin/* "$R"/usr/bin/* 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
        f=$U$lib; [ -e "$f" ] || f=$U/usr$lib; [ -e "$f" ] || f=$U${lib#/usr}
        [ -e "$f" ] || die "no $lib in the unpacked ${PEERS_PKGS[*]}"
        mkdir -p "$R$(dirname "$lib")" && cp -L "$f" "$R$lib"
    done
}

say "$(date -u '+%F %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
kernels=""
status=0
for part in "${parts[@]}"; do
    case $part in
    boot)
        for ARCH in "${archs[@]}"; do
            arch_info "$ARCH"; setup_qemu; setup_guest "$ARCH"
            kernels+=" $ARCH: $(basename "$KERNEL"),"
            inits=(svscan linked); [ "$BB" = 1 ] && inits+=(busybox)
            for init in "${inits[@]}"; do
                w=$BOOT_OUT/$ARCH-$init
                guest_tree "$ARCH" "$init" "$w/root"
                for r in $(seq 1 "$REPS"); do
                    append="console=$CONSOLE panic=-1 printk.devkmsg=on"
                    if [ "$init" = busybox ]; then append+=" rdinit=/bin/init"
                    else append+=" rdinit=/bin/svscan -- /service"; fi
                    say "$ARCH $init: boot $r of $REPS"
                    run_guest "$w" 256 120 "$append" || { say "$ARCH $init: boot $r: qemu ended with status $?"; status=1; }
                    cp "$w/console.txt" "$w/console-$r.txt"
                    echo "boot $ARCH $init $r $w/console-$r.txt" >> "$RUNS"
                done
            done
        done
        ;;
    memory)
        ARCH=x86_64
        arch_info "$ARCH"; setup_qemu; setup_guest "$ARCH"
        w=$BOOT_OUT/$ARCH-memory
        make_tree "$ARCH" int "$w/root"
        rm -rf "$w/root/service" && mkdir -p "$w/root/service/.svscan" "$w/root/service/mem" "$w/root/etc/bench"
        cp "$GUEST"/* "$w/root/etc/bench/"
        cp "$GUEST/boot" "$w/root/service/.svscan/"
        printf '#!/bin/sh\nexec /etc/bench/mem %s %s > /dev/console 2>&1\n' "$MEM_N" "$MEM_REPS" > "$w/root/service/mem/run"
        chmod 755 "$w/root/service/mem/run"
        peers_tree "$w/root"
        say "$ARCH memory: $MEM_REPS rounds of $MEM_N services per suite ($MEM_MB MB guest)"
        run_guest "$w" "$MEM_MB" 3600 "console=$CONSOLE panic=-1 rdinit=/bin/svscan -- /service" ||
            { say "memory: qemu ended with status $?"; status=1; }
        echo "memory $ARCH svscan 1 $w/console.txt" >> "$RUNS"
        ;;
    esac
done
python3 bench/init.py "$RUNS" "$NSERV" || status=1
[ -z "$kernels" ] || echo "Kernels:${kernels%,}; qemu: $("$QEMU_BIN" --version | head -n 1)"
echo "Wall time of bench/init.sh: $SECONDS s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
