#!/usr/bin/env bash
# docs/init.md's router example, booted: svscan as process 1 (rdinit=/bin/svscan --
# /etc/service) of a Debian 12 kernel under qemu-system, with the guide's boot and
# shutdown hooks, the root remounted read-only, supervise/ links into a tmpfs, a logged
# service whose multilog writes to /tmp/log, and a console shell (setsid cttyhack sh)
# driven over the serial line: it reports what it sees, exits (supervise starts a new
# shell), and powers the machine off with busybox poweroff. Uses tests/boot/boot.sh's
# kernels, qemu and initramfs tree (sourced). Usage: docs/init-example.sh [ARCH]
# (x86_64, armv7, mipsel; default x86_64). Prints the lines that matter and PASS/FAIL
# per expectation; exits 1 if one failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export BOOT_OUT=$PWD/target/boot-example
load_boot() { BOOT_LIB=1 . tests/boot/boot.sh; }
load_boot
ARCH=${1:-x86_64}
arch_info $ARCH; setup_qemu; setup_guest $ARCH
w=$BOOT_OUT/$ARCH; R=$w/root
make_tree $ARCH int "$R"    # the "int" mode's tree: tools and busybox, nothing mode-specific
rm -rf "$R/service" "$R/etc/lib.sh" "$R/etc/check"
mkdir -p "$R/etc/service/.svscan" "$R/etc/sv/ticker/log" "$R/etc/sv/console"
cat > "$R/etc/service/.svscan/boot" <<'EOF'
#!/bin/sh
PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755,size=4m run /run
mount -t tmpfs -o mode=1777,size=16m tmp /tmp
mkdir -p /run/supervise /tmp/log
hostname -F /etc/hostname
ip link set lo up
mount -o remount,ro /
echo "EXAMPLE boot hook: args '$*' cwd $PWD; / is $(grep ' / ' /proc/mounts)"
EOF
cat > "$R/etc/service/.svscan/shutdown" <<'EOF'
#!/bin/sh
PATH=/bin:/sbin:/usr/bin:/usr/sbin
echo "EXAMPLE shutting down for $1; ticker's log ends: $(tail -n 1 /tmp/log/ticker/current)"
swapoff -a
umount -a -r
echo "EXAMPLE after umount -a -r: $(cat /proc/mounts 2>&1 | wc -l) mounts"
EOF
echo router > "$R/etc/hostname"
printf '#!/bin/sh\nexec 2>&1\nexec sh -c '\''i=0; while :; do i=$((i+1)); echo tick $i; sleep 1; done'\''\n' > "$R/etc/sv/ticker/run"
printf '#!/bin/sh\nexec multilog t s100000 n4 /tmp/log/ticker\n' > "$R/etc/sv/ticker/log/run"
ln -s /run/supervise/ticker "$R/etc/sv/ticker/supervise"
ln -s /run/supervise/ticker.log "$R/etc/sv/ticker/log/supervise"
printf '#!/bin/sh\nexec setsid cttyhack sh -l\n' > "$R/etc/sv/console/run"
ln -s /run/supervise/console "$R/etc/sv/console/supervise"
ln -s /etc/sv/ticker "$R/etc/service/ticker"
ln -s /etc/sv/console "$R/etc/service/console"
chmod 755 "$R"/etc/service/.svscan/* "$R"/etc/sv/*/run "$R"/etc/sv/*/log/run
python3 tests/boot/mkcpio.py "$R" "$w/initramfs.cpio"
{
  sleep 25
  printf '%s\n' 'echo EXAMPLE-SHELL tty $(tty) pid $$ ppid $PPID; echo EXAMPLE-SVSTAT $(/bin/svstat /etc/service/ticker /etc/service/ticker/log /etc/service/console)'
  sleep 3
  printf '%s\n' 'echo EXAMPLE-LOG $(ls /run/supervise) $(wc -l < /tmp/log/ticker/current) lines; echo EXAMPLE-HOST $(hostname); touch /x 2>&1 | sed "s/^/EXAMPLE-RO /"'
  sleep 3
  printf '%s\n' 'exit'
  sleep 5
  printf '%s\n' 'echo EXAMPLE-SHELL2 pid $$; poweroff'
  sleep 20
} | timeout -k 5 150 "$QEMU_BIN" -nographic -m 256 -no-reboot -accel tcg -smp 1 -nic none \
    "${MACHINE[@]}" -L "$HOSTQ/usr/share/qemu" -L "$HOSTQ/usr/share/seabios" \
    -kernel "$KERNEL" -initrd "$w/initramfs.cpio" -append "console=$CONSOLE rdinit=/bin/svscan -- /etc/service" \
    > "$w/console.log" 2>&1
rc=$?
tr -d '\r' < "$w/console.log" > "$w/console.txt"
grep -a -E '^EXAMPLE|svscan:|supervise:|multilog:|reboot:|panic' "$w/console.txt"
status=0
expect() { # expect NAME PATTERN: a console line matches
    if grep -a -q -E "$2" "$w/console.txt"; then echo "PASS $1"; else echo "FAIL $1"; status=1; fi
}
expect boot-hook "EXAMPLE boot hook: args '' cwd /etc/service; / is rootfs / rootfs ro"
expect console-shell "EXAMPLE-SHELL tty /dev/$CONSOLE "
expect services-up "EXAMPLE-SVSTAT /etc/service/ticker: up .* /etc/service/ticker/log: up .* /etc/service/console: up "
expect supervise-in-tmpfs "EXAMPLE-LOG console ticker ticker.log [1-9][0-9]* lines"
expect read-only-root "EXAMPLE-RO .*Read-only file system"
expect shell-restarted "EXAMPLE-SHELL2 pid "
expect shutdown-hook "EXAMPLE shutting down for poweroff; ticker's log ends: @4[0-9a-f]{23} tick "
expect power-off "reboot: Power down"
[ "$rc" = 0 ] || { echo "FAIL qemu ended with status $rc"; status=1; }
exit $status
