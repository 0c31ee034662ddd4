#!/usr/bin/env bash
# Real-kernel boot test: boots Debian 12's kernel for x86_64, armv7 and mipsel under
# qemu-system (TCG) with an initramfs whose process 1 is our svscan, lets a check service
# inside the guest exercise the tools (tests/boot/guest/check), and reads its verdicts
# from the serial console. See tests/boot/README.md.
#
# Usage: tests/boot/boot.sh [ARCH...] [MODE...]
#   ARCH: x86_64 armv7 mipsel (default: all three)
#   MODE: svscan  the kernel starts /bin/svscan itself (rdinit=/bin/svscan -- /service);
#                 every check; ends with busybox reboot (TERM to process 1)
#         init    a busybox /init script mounts proc, sys, devtmpfs and tmpfs, then
#                 execs svscan /service; every check; ends with busybox poweroff (USR2)
#         int     as svscan, but only the boot and a service that ignores TERM; ends
#                 with kill -INT 1
#         halt    as init, but only the boot; ends with busybox halt (USR1)
#         (default: all four)
# Environment:
#   BOOT_TIMEOUT=240   seconds one boot may take before qemu is killed (a failure)
#   DIST=target/dist   where the tools are (DIST/<rust target>/svscan ...)
#   BOOT_CACHE=target/boot-cache   downloads and unpacked packages, kept between runs
#   BOOT_OUT=target/boot           initramfs trees and images, console logs
# Needs apt-get (download only: nothing is installed), dpkg-deb, python3 and timeout;
# no root, no KVM. Exits 0 only if every check of every boot passed.
set -uo pipefail
PATH=$PATH:/usr/sbin:/sbin     # mke2fs, debugfs, e2fsck, dumpe2fs (e2fsprogs) for ordinary users too
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
HERE=$ROOT/tests/boot
CACHE=${BOOT_CACHE:-$ROOT/target/boot-cache}
OUT=${BOOT_OUT:-$ROOT/target/boot}
DIST=${DIST:-$ROOT/target/dist}
TIMEOUT=${BOOT_TIMEOUT:-240}

# seconds since the host booted: unlike the wall clock, other tests do not set it
now() { local up _; read -r up _ < /proc/uptime; echo "$up"; }
say() { printf 'boot: %s\n' "$*" >&2; }
die() { printf 'boot: %s\n' "$*" >&2; exit 2; }

archs=() modes=()
for a in "$@"; do
    case $a in
    x86_64|armv7|mipsel) archs+=("$a") ;;
    svscan|init|int|halt) modes+=("$a") ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$a' (arch: x86_64 armv7 mipsel; mode: svscan init int halt)" ;;
    esac
done
[ ${#archs[@]} -gt 0 ] || archs=(x86_64 armv7 mipsel)
[ ${#modes[@]} -gt 0 ] || modes=(svscan init int halt)

arch_info() { # arch_info ARCH: sets DEBARCH KMETA QEMU QEMU_PKG MACHINE CONSOLE TRIPLE
    # and the disk's device and transport module: virtio-blk over PCI (q35, malta), over
    # MMIO on virt (the 32-bit kernel cannot claim virt's PCIe ECAM above 4 GiB)
    DISK_DEV=virtio-blk-pci DISK_BUS=virtio_pci
    case $1 in
    x86_64) DEBARCH=amd64 KMETA=linux-image-amd64 QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86
            MACHINE=(-M q35 -vga none) CONSOLE=ttyS0 TRIPLE=x86_64-unknown-linux-musl ;;
    armv7)  DEBARCH=armhf KMETA=linux-image-armmp QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm
            MACHINE=(-M virt -cpu cortex-a15) CONSOLE=ttyAMA0 TRIPLE=armv7-unknown-linux-musleabihf
            DISK_DEV=virtio-blk-device DISK_BUS=virtio_mmio ;;
    mipsel) DEBARCH=mipsel KMETA=linux-image-4kc-malta QEMU=qemu-system-mipsel QEMU_PKG=qemu-system-mips
            MACHINE=(-M malta -cpu 24Kf) CONSOLE=ttyS0 TRIPLE=mipsel-unknown-linux-musl ;;
    esac
}

# ------------------------------------------------------------------------ downloads
# Everything comes from Debian's archive with `apt-get download` and is unpacked with
# `dpkg-deb -x`; nothing is installed. .debs are kept in $CACHE/debs, so a second run
# needs no network.
mkdir -p "$CACHE/debs" "$OUT"

have_deb() { compgen -G "$CACHE/debs/${1}_*_${2}.deb" >/dev/null; }
deb_of() { compgen -G "$CACHE/debs/${1}_*_${2}.deb" | sort -V | tail -n 1; }

apt_opts() { # apt_opts DEBARCH: options for a private apt state for a foreign architecture,
    # so that the system's apt and dpkg configuration stays as it is
    APT=()
    # root: download as root (apt's _apt user cannot write into the cache)
    [ "$(id -u)" = 0 ] && APT=(-o APT::Sandbox::User=root)
    [ "$1" = amd64 ] && return
    local a=$CACHE/apt-$1
    APT+=(-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o "Dir::State::status=$a/status"
         -o "APT::Architecture=$1" -o "APT::Architectures::=$1")
    if [ ! -e "$a/.updated" ]; then
        mkdir -p "$a/lists/partial" "$a/cache/archives/partial" && touch "$a/status"
        say "apt-get update for $1 (private state in $a)"
        apt-get "${APT[@]}" update -qq >&2 || die "apt-get update for $1 failed"
        touch "$a/.updated"
    fi
}

download() { # download DEBARCH PACKAGE...: the ones not in $CACHE/debs yet
    local arch=$1 p want=(); shift
    for p in "$@"; do have_deb "$p" "$arch" || have_deb "$p" all || want+=("$p:$arch"); done
    [ ${#want[@]} -gt 0 ] || return 0
    apt_opts "$arch"
    say "downloading ${want[*]}"
    (cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq "${want[@]}" >&2) ||
        die "apt-get download ${want[*]} failed$([ "$arch" = amd64 ] && echo " (apt-get update first?)")"
}

# The host's qemu: the package and every (recursive) dependency this machine does not have
# installed. Installing would be wrong: bookworm's qemu-system-* would replace a newer
# qemu-utils, and the test must leave the machine as it is.
host_missing() { # host_missing PACKAGE...: prints them and their missing dependencies
    local -A inst=() seen=()
    local p a alts pick queue=("$@")
    while read -r p a; do [ "$a" = installed ] && inst[${p%%:*}]=1; done \
        < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' 2>/dev/null)
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}; queue=("${queue[@]:1}")
        [ -n "${seen[$p]:-}" ] && continue; seen[$p]=1
        [ -n "${inst[$p]:-}" ] && continue
        echo "$p"
        # one line per dependency, its alternatives separated by spaces: none installed
        # -> the first real (not virtual) package
        while read -r alts; do
            pick=""
            for a in $alts; do [ -n "${inst[$a]:-}" ] && pick=- && break; done
            [ -n "$pick" ] && continue
            for a in $alts; do case $a in "<"*) ;; *) pick=$a; break ;; esac; done
            [ -n "$pick" ] && queue+=("$pick")
        done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
                     --no-replaces --no-enhances "$p" 2>/dev/null |
                 awk '/^ *\|?(Pre)?Depends:/ { alt = alt " " $2; if ($1 !~ /^\|/) { print alt; alt = "" } }')
    done
}

HOSTQ=$CACHE/host     # the unpacked qemu packages
setup_qemu() { # setup_qemu: sets QEMU_BIN and the environment it needs
    local list=$CACHE/host-$QEMU_PKG.list f
    if [ ! -s "$list" ]; then
        say "finding what $QEMU_PKG needs beyond the installed packages"
        host_missing "$QEMU_PKG" > "$list.new" && mv "$list.new" "$list"
    fi
    mapfile -t pkgs < "$list"
    download amd64 "${pkgs[@]}"
    for p in "${pkgs[@]}"; do
        f=$(deb_of "$p" amd64); [ -n "$f" ] || f=$(deb_of "$p" all)
        [ -n "$f" ] || die "no .deb for $p"
        [ -e "$HOSTQ/.unpacked/${f##*/}" ] && continue
        dpkg-deb -x "$f" "$HOSTQ" || die "dpkg-deb -x $f failed"
        mkdir -p "$HOSTQ/.unpacked" && touch "$HOSTQ/.unpacked/${f##*/}"
    done
    export LD_LIBRARY_PATH="$HOSTQ/usr/lib/x86_64-linux-gnu:$HOSTQ/lib/x86_64-linux-gnu"
    export QEMU_MODULE_DIR="$HOSTQ/usr/lib/x86_64-linux-gnu/qemu"
    QEMU_BIN=$HOSTQ/usr/bin/$QEMU
    "$QEMU_BIN" --version >/dev/null || die "$QEMU_BIN does not run (missing libraries? ldd it)"
}

setup_guest() { # setup_guest ARCH: sets KERNEL, MODULES and BUSYBOX (the guest architecture's)
    local g=$CACHE/guest-$1 kpkg
    if [ ! -e "$g/.done" ]; then
        download "$DEBARCH" "$KMETA" busybox-static
        # the metapackage depends on the current ABI's image (mipsel lags: no security updates)
        kpkg=$(dpkg-deb -f "$(deb_of "$KMETA" "$DEBARCH")" Depends | grep -o 'linux-image-[^ ,]*' | head -n 1)
        [ -n "$kpkg" ] || die "cannot tell the kernel package from $KMETA"
        download "$DEBARCH" "$kpkg"
        rm -rf "$g" && mkdir -p "$g"
        say "unpacking $kpkg"
        dpkg-deb --fsys-tarfile "$(deb_of "$kpkg" "$DEBARCH")" | tar -x -C "$g" --wildcards './boot/vmlinu*' ||
            die "cannot unpack the kernel of $kpkg"
        dpkg-deb -x "$(deb_of busybox-static "$DEBARCH")" "$g/bb" || die "cannot unpack busybox-static:$DEBARCH"
        touch "$g/.done"
    fi
    # the modules for the disk (virtio-blk over PCI, ext2 through the ext4 driver: all
    # modules in Debian's kernels), unpacked apart so that an older cache gets them too
    if [ ! -e "$g/.modules" ]; then
        kpkg=$(dpkg-deb -f "$(deb_of "$KMETA" "$DEBARCH")" Depends | grep -o 'linux-image-[^ ,]*' | head -n 1)
        kpkg=$(deb_of "$kpkg" "$DEBARCH")
        [ -n "$kpkg" ] || die "no kernel package for $DEBARCH in $CACHE/debs"
        rm -rf "$g/mod" && mkdir -p "$g/mod"
        dpkg-deb --fsys-tarfile "$kpkg" | tar -x -C "$g/mod" --wildcards './lib/modules/*/modules.builtin' \
            './lib/modules/*/kernel/fs/*' './lib/modules/*/kernel/lib/*' './lib/modules/*/kernel/crypto/*' \
            './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/*' ||
            die "cannot unpack the modules of $kpkg"
        touch "$g/.modules"
    fi
    MODULES=$(compgen -G "$g/mod/lib/modules/*" | head -n 1)
    KERNEL=$(compgen -G "$g/boot/vmlinu[xz]-*" | head -n 1)
    BUSYBOX=$g/bb/bin/busybox
    [ -n "$KERNEL" ] && [ -x "$BUSYBOX" ] || die "no kernel or busybox in $g"
}

# ------------------------------------------------------------------------ initramfs
# The applets busybox provides: the amd64 busybox-static (the same Debian version as every
# guest's) lists them
applets() {
    local d=$CACHE/busybox-amd64
    if [ ! -x "$d/bin/busybox" ]; then
        download amd64 busybox-static
        dpkg-deb -x "$(deb_of busybox-static amd64)" "$d" || die "cannot unpack busybox-static:amd64"
    fi
    "$d/bin/busybox" --list
}

make_tree() { # make_tree ARCH MODE DIR
    local arch=$1 mode=$2 R=$3 tools=$DIST/$TRIPLE a t
    for t in svscan supervise svc svok svstat multilog tai64nlocal pgrphack; do
        [ -x "$tools/$t" ] || die "no $tools/$t: run targets/build.sh $TRIPLE first"
    done
    rm -rf "$R" && mkdir -p "$R"/{bin,dev,proc,sys,run,tmp,etc,service}
    # our tools are real files in /bin (svscan finds supervise in /bin:/usr/bin when PATH
    # is unset, as it is for a process 1 started by the kernel); busybox gets a link for
    # every applet we do not replace (busybox has its own svc, svok, envdir, ...).
    cp "$BUSYBOX" "$R/bin/busybox"
    cp "$tools"/* "$R/bin/"
    for a in $(applets); do
        [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
    done
    cp "$HERE/guest/lib.sh" "$HERE/guest/check" "$R/etc/"
    cp "$HERE/guest/init" "$R/init"
    cp -R "$HERE/guest/service/." "$R/service/"
    chmod 755 "$R/init" "$R/etc/check" "$R"/service/*/run "$R"/service/*/log/run "$R"/service/.svscan/*
    chmod 1777 "$R/tmp"
    # halt: no /service when svscan starts; guest/init moves it in 2 s later
    [ "$mode" = halt ] && mv "$R/service" "$R/etc/late-service"
    disk_mode "$mode" || return 0
    # the disk: its modules in /lib/modules, the load order in /etc/modules (the boot hook
    # loads them, mounts the disk on /disk and links the service in /etc/disk into /service)
    mkdir -p "$R/disk" "$R/lib/modules"
    local m mods
    mods=$(python3 "$HERE/modules.py" "$MODULES" "$DISK_BUS" virtio_blk crc32c_generic ext4) ||
        die "cannot tell the modules for the disk"
    for m in $mods; do cp "$MODULES/$m" "$R/lib/modules/" && echo "${m##*/}"; done > "$R/etc/modules"
    cp -R "$HERE/guest/disk" "$R/etc/disk"
    chmod 755 "$R/etc/disk/run" "$R/etc/disk/log/run"
}

# disk_mode MODE: whether the mode's boot has the disk (an ext2 image, made here and
# read back after the boot)
disk_mode() { case $1 in svscan|init) return 0 ;; esac; return 1; }

# --------------------------------------------------------------------------- a boot
signame() { # signame ARCH NUMBER: the name of a core-dumping signal (MIPS numbers differ)
    local names
    case $1 in
    mipsel) names=(- - - QUIT ILL TRAP ABRT EMT FPE - BUS SEGV SYS) ;;
    *)      names=(- - - QUIT ILL TRAP ABRT BUS FPE - - SEGV) ;;
    esac
    case ${names[$2]:--} in -) echo "signal $2" ;; *) echo "SIG${names[$2]}" ;; esac
}

# The check names the guest must report as passed: the PLAN lines of guest/check (PLAN
# for svscan and init, PLAN_INT, PLAN_HALT), and the shutdown hook's
plan_of() { sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$HERE/guest/check"; }
for p in PLAN PLAN_INT PLAN_HALT; do [ -n "$(plan_of $p)" ] || die "no $p line in $HERE/guest/check"; done

# ending MODE: how the mode's boot ends (what the kernel prints last, reboot(2)'s
# "reboot: " line), and whether qemu (-no-reboot) then exits by itself (a halted machine
# stays: boot.sh stops it once the line is there)
ending() {
    case $1 in
    svscan|int) END_LINE="reboot: Restarting system" END_EXITS=1 ;;
    init) END_LINE="reboot: Power down" END_EXITS=1 ;;
    halt) END_LINE="reboot: System halted" END_EXITS=0 ;;
    esac
}

boot() { # boot ARCH MODE: one boot; prints its summary line; returns 0 if all passed
    local arch=$1 mode=$2 w=$OUT/$1-$2 append t0 secs rc name passed=0 total=0 failed=() plan qpid
    local stopped=0 sent at delay disk=()
    case $mode in int) plan="$(plan_of PLAN_INT)" ;; halt) plan="$(plan_of PLAN_HALT)" ;; *) plan="$(plan_of PLAN)" ;; esac
    plan+=" shutdown-hook"     # reported by the shutdown hook, .svscan/shutdown
    ending "$mode"
    make_tree "$arch" "$mode" "$w/root"
    python3 "$HERE/mkcpio.py" "$w/root" "$w/initramfs.cpio" || die "mkcpio failed"
    # BOOT_MODE=... is no kernel parameter, so the kernel hands it to process 1 as an
    # environment variable, and svscan passes it on to every service; what follows "--"
    # are process 1's arguments
    # print-fatal-signals: the kernel shows every process killed by a core-dumping
    # signal (SIGSEGV, SIGBUS, SIGILL, ...) with its registers
    append="console=$CONSOLE panic=-1 print-fatal-signals=1 BOOT_MODE=$mode"
    if disk_mode "$mode"; then
        # a real disk: an ext2 image made here with mke2fs -d (a mark and an empty log
        # directory), on virtio-blk (arch_info)
        rm -rf "$w/disk-tree" && mkdir -p "$w/disk-tree/log" && echo "$arch $mode" > "$w/disk-tree/made-on-host"
        rm -f "$w/disk.img"
        mke2fs -q -F -t ext2 -L boottest -d "$w/disk-tree" "$w/disk.img" 8M >/dev/null || die "mke2fs failed"
        disk=(-drive "file=$w/disk.img,format=raw,if=none,id=disk" -device "$DISK_DEV,drive=disk")
        append+=" BOOT_DISK=/dev/vda"
    fi
    case $mode in
    svscan|int) append+=" rdinit=/bin/svscan -- /service" ;;
    *) append+=" rdinit=/init" ;;
    esac
    say "$arch $mode: booting $(basename "$KERNEL") ($(( $(stat -c %s "$w/initramfs.cpio") / 1024 )) KiB initramfs)"
    t0=$(now)
    timeout -k 5 "$TIMEOUT" "$QEMU_BIN" -nographic -m 256 -no-reboot -accel tcg -smp 1 -nic none \
        "${MACHINE[@]}" "${disk[@]}" -L "$HOSTQ/usr/share/qemu" -L "$HOSTQ/usr/share/seabios" \
        -kernel "$KERNEL" -initrd "$w/initramfs.cpio" -append "$append" \
        </dev/null > "$w/console.log" 2>&1 &
    qpid=$!
    # a halted machine never ends qemu: stop it a moment after the kernel's last words
    if [ "$END_EXITS" = 0 ]; then
        while kill -0 "$qpid" 2>/dev/null; do
            if grep -a -q "$END_LINE" "$w/console.log" 2>/dev/null; then
                sleep 1; kill "$qpid" 2>/dev/null; stopped=1; break
            fi
            sleep 0.5
        done
    fi
    wait "$qpid"; rc=$?
    secs=$(awk "BEGIN { printf \"%.1f\", $(now) - $t0 }")
    tr -d '\r' < "$w/console.log" > "$w/console.txt"

    # the guest's verdicts, then the host's own: every planned check passed, and svscan
    # stopped the services and exited 0 when the checker sent it TERM
    grep -a -o 'BOOTCHECK \(PASS\|FAIL\) .*' "$w/console.txt" | sed "s/^BOOTCHECK /  $arch $mode /"
    for name in $plan; do
        total=$((total + 1))
        if grep -a -q "BOOTCHECK PASS $name:" "$w/console.txt" &&
           ! grep -a -q "BOOTCHECK FAIL $name:" "$w/console.txt"; then
            passed=$((passed + 1))
        else failed+=("$name"); fi
    done
    # the ending: the kernel's line for the mode's reboot, halt or power-off; qemu ended by
    # it (not by the timeout); process 1 never exited (no "Attempted to kill init"); the
    # time from the checker's signal to that line (kernel time stamps): under a stop
    # phase (10 s), or in the int boot, where a service ignores TERM, a whole stop phase
    # plus the grace time (3 s) at least: it was waited for, then killed
    total=$((total + 1))
    sent=$(sed -n 's/.*BOOTCHECK-INFO ending: mode [a-z]* at uptime \([0-9.]*\).*/\1/p' "$w/console.txt" | tail -n 1)
    at=$(grep -a -F "$END_LINE" "$w/console.txt" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' | tail -n 1)
    delay=$(awk -v s="$sent" -v a="$at" 'BEGIN { if (s != "" && a != "") printf "%.1f", a - s }')
    local why=""
    grep -a -q -F "$END_LINE" "$w/console.txt" || why+=" no '$END_LINE';"
    grep -a -q 'Attempted to kill init' "$w/console.txt" && why+=" process 1 exited;"
    if [ "$END_EXITS" = 1 ]; then [ "$rc" = 0 ] || why+=" qemu did not exit by itself (status $rc);"
    else [ "$stopped" = 1 ] || why+=" the machine did not halt;"; fi
    if [ -z "$delay" ]; then why+=" no signal time or kernel time stamp;"
    elif [ "$mode" = int ]; then awk -v d="$delay" 'BEGIN { exit !(d >= 13 && d < 30) }' || why+=" took $delay s, want 13-30 s;"
    else awk -v d="$delay" 'BEGIN { exit !(d < 10) }' || why+=" took $delay s, want under 10 s;"; fi
    if [ -z "$why" ]; then
        passed=$((passed + 1)); echo "  $arch $mode PASS ending: '$END_LINE' ${delay} s after the signal"
    else
        failed+=(ending)
        echo "  $arch $mode FAIL ending:$why the console says:"
        { grep -a -E 'Kernel panic|Attempted to kill init|fatal signal|unhandled|segfault|BOOTCHECK-INFO|reboot:' \
              "$w/console.txt" || grep -a -v '^ *$' "$w/console.txt"; } | tail -n 12 | sed 's/^/    | /'
    fi
    total=$((total + 1))
    local crashed n prog
    crashed=$(grep -a -A 1 'potentially unexpected fatal signal' "$w/console.txt" |
              sed -n 's/.*fatal signal \([0-9]*\).*/\1/p; s/.* Comm: \([^ ]*\).*/\1/p' |
              while read -r n && read -r prog; do printf '%s in %s, ' "$(signame "$arch" "$n")" "$prog"; done)
    if [ -z "$crashed" ]; then
        passed=$((passed + 1)); echo "  $arch $mode PASS no-crash: no process died of SIGSEGV, SIGBUS, SIGILL, ..."
    else
        failed+=(no-crash); echo "  $arch $mode FAIL no-crash: the kernel reports fatal signals: ${crashed%, }"
    fi
    if [ "$mode" = halt ]; then
        # svscan (process 1) said once that /service was missing, and stayed
        total=$((total + 1))
        local warned
        warned=$(grep -a -c -F 'svscan: warning: unable to chdir to /service: file does not exist' "$w/console.txt")
        if [ "$warned" = 1 ]; then
            passed=$((passed + 1)); echo "  $arch $mode PASS no-dir-warning: svscan warned once that /service was missing"
        else
            failed+=(no-dir-warning); echo "  $arch $mode FAIL no-dir-warning: $warned warnings 'unable to chdir to /service' (want 1)"
        fi
    fi
    if disk_mode "$mode"; then
        check_disk "$arch" "$mode" "$w"
        passed=$((passed + DISK_PASSED)); total=$((total + 2)); failed+=("${DISK_FAILED[@]}")
    fi
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && failed+=(timeout)
    if [ ${#failed[@]} -eq 0 ]; then
        printf 'boot: %-6s %-6s PASS %d/%d checks in %s s\n' "$arch" "$mode" "$passed" "$total" "$secs" | tee -a "$OUT/summary"
        return 0
    fi
    local which="${failed[*]}"
    if ! grep -a -q 'BOOTCHECK \(PASS\|FAIL\)' "$w/console.txt"; then   # the guest's names are no news then
        which="every guest check (none reported)"
        for name in "${failed[@]}"; do case " $plan " in *" $name "*) ;; *) which+=" $name" ;; esac; done
    fi
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && which+=" (timed out after $TIMEOUT s)"
    printf 'boot: %-6s %-6s FAIL %d/%d checks in %s s; failed: %s; console: %s\n' "$arch" "$mode" \
        "$passed" "$total" "$secs" "$which" "$w/console.txt" | tee -a "$OUT/summary"
    return 1
}

# check_disk ARCH MODE DIR: the host's checks of the disk image after the boot (qemu has
# exited): disk-log, every line the disk service wrote before the shutdown signal (the
# checker's count, on the console) is in its multilog's log on the disk, in order; and
# disk-clean, the file system was left clean (unmounted or remounted read-only: e2fsck
# -fn finds nothing, dumpe2fs says "clean"). Sets DISK_PASSED and DISK_FAILED.
check_disk() {
    local arch=$1 mode=$2 w=$3 img=$3/disk.img before final got first last files fsck state
    DISK_PASSED=0 DISK_FAILED=()
    before=$(sed -n 's/.*BOOTCHECK-INFO disk: \([0-9]*\) lines written before the signal.*/\1/p' "$w/console.txt" | tail -n 1)
    final=$(sed -n 's/.*BOOTCHECK-INFO disk: TERM after \([0-9]*\) lines.*/\1/p' "$w/console.txt" | tail -n 1)
    # every file of the log directory (current, and any rotated @....s or .u)
    files=$(debugfs -R 'ls -p /log' "$img" 2>/dev/null | awk -F/ '$6 ~ /^(current|@.*)$/ { print $6 }' | sort)
    for f in $files; do debugfs -R "cat /log/$f" "$img" 2>/dev/null; done > "$w/disk-log.txt"
    got=$(sed -n 's/^@4000[0-9a-f]\{20\} disk line \([0-9]*\)$/\1/p' "$w/disk-log.txt" |
          awk 'NR == 1 { f = $1 } $1 != f + NR - 1 { gap = 1 } END { if (NR == 0) print "none"; else if (gap) print "gap"; else print f, $1 }')
    read -r first last <<< "$got"
    if [ -n "$before" ] && [ "$before" -ge 10 ] && [ "$first" = 1 ] && [ "${last:-0}" -ge "$before" ] 2>/dev/null; then
        DISK_PASSED=$((DISK_PASSED + 1))
        echo "  $arch $mode PASS disk-log: lines 1-$last on the disk in order; $before written before the signal, $final in all"
    else
        DISK_FAILED+=(disk-log)
        echo "  $arch $mode FAIL disk-log: on the disk: ${got:-nothing} (files: $(echo $files)); written before the signal: ${before:-not reported}, in all: ${final:-not reported}"
    fi
    fsck=$(e2fsck -fn "$img" 2>&1); local frc=$?
    state=$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Filesystem state: *//p')
    if [ "$frc" = 0 ] && [ "$state" = clean ]; then
        DISK_PASSED=$((DISK_PASSED + 1))
        echo "  $arch $mode PASS disk-clean: e2fsck -fn finds nothing; state $state"
    else
        DISK_FAILED+=(disk-clean)
        echo "  $arch $mode FAIL disk-clean: state '${state:-?}', e2fsck -fn exit $frc: $(echo "$fsck" | grep -v '^e2fsck\|^Pass' | head -n 3 | tr '\n' ' ')"
    fi
}

# Sourced with BOOT_LIB=1 (bench/init.sh): the functions above, and no boot
[ -z "${BOOT_LIB:-}" ] || return 0

status=0
: > "$OUT/summary"
for ARCH in "${archs[@]}"; do
    arch_info "$ARCH"
    setup_qemu
    setup_guest "$ARCH"
    for mode in "${modes[@]}"; do
        boot "$ARCH" "$mode" || status=1
    done
done
# all the summary lines together at the end, when there was more than one boot
[ "$(wc -l < "$OUT/summary")" -gt 1 ] && { echo; cat "$OUT/summary"; }
exit $status
