#!/usr/bin/env bash
# Runs targets/install.sh into temporary roots and checks: the package layout (tools,
# links that resolve inside the root, /service, man pages), an upgrade that moves the
# daemontools-rs link, the prefix layout with DESTDIR/PREFIX as variables and as options,
# that a second run changes nothing, the boot files of every init system (the right
# svscanboot command, lines appended once, rc.local's final `exit 0` kept last),
# `systemd-analyze verify` of the unit when systemd-analyze is there, `sh -n` of the
# shell files, usage and missing-binary errors, an install from a release archive
# (targets/release.sh; install.sh --from) equal to one from the build tree, and finally
# runs the installed tools.
# Prints "install test: ok", or names the check that failed.
# Usage: tests/install.sh   (after targets/build.sh for this machine)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
inst=$repo/targets/install.sh

fail() { printf 'install test: %s\n' "$*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t=$(targets/host-target.sh) || fail "no target for this machine"
dist=$repo/target/dist/$t
version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
               s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
tools=()
for f in bins/src/bin/*.rs; do f=${f##*/}; tools+=("${f%.rs}"); done
for tool in "${tools[@]}"; do [ -x "$dist/$tool" ] || fail "$dist/$tool missing: run targets/build.sh $t"; done
tools+=(svscanboot)
src() { if [ "$1" = svscanboot ]; then echo bins/svscanboot; else echo "$dist/$1"; fi; }

# run_install ARGS...: runs the installer, which must succeed; its messages are in $tmp/err.
run_install() { "$inst" "$@" 2> "$tmp/err" || fail "install.sh $* failed: $(cat "$tmp/err")"; }
# snapshot ROOT: every path with its link target, mode, size and mtime, and every file's
# checksum: a second run of the installer must leave it identical.
snapshot() {
  find "$1" -printf '%p %l %m %s %T@\n' | sort
  find "$1" -type f -exec md5sum {} + | sort
}
# once FILE LINE: LINE is in FILE exactly once.
once() {
  local n; n=$(grep -cxF -- "$2" "$1" || true)
  [ "$n" = 1 ] || fail "$1 holds '$2' $n times, not once"
}
mode() { [ "$(stat -c %a "$1")" = "$2" ] || fail "$1 has mode $(stat -c %a "$1"), not $2"; }
lnk() { [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ] || fail "$1 is not a link to $2"; }
twice_same() {   # twice_same ROOT ARGS...: a second run changes nothing in ROOT
  local root=$1; shift
  snapshot "$root" > "$tmp/before"
  run_install "$@"
  snapshot "$root" > "$tmp/after"
  diff "$tmp/before" "$tmp/after" > /dev/null ||
    fail "second run of install.sh $* changed $root: $(diff "$tmp/before" "$tmp/after" | head -5)"
}
# boot_files ROOT CMD OPENWRT_CMD: the files of --boot inittab rc.local systemd upstart
# openwrt, each with the right svscanboot command.
boot_files() {
  local r=$1 cmd=$2 owrt=$3 u=$1/etc/systemd/system
  once "$r/etc/inittab" "SV:123456:respawn:$cmd"
  once "$r/etc/rc.local" "$cmd &"
  [ "$(grep -v '^[[:space:]]*$' "$r/etc/rc.local" | tail -n 1)" = 'exit 0' ] ||
    fail "$r/etc/rc.local does not end with exit 0"
  [ -x "$r/etc/rc.local" ] || fail "$r/etc/rc.local is not executable"
  sh -n "$r/etc/rc.local" || fail "$r/etc/rc.local: sh -n fails"
  once "$u/daemontools.service" "ExecStart=$cmd"
  mode "$u/daemontools.service" 644
  lnk "$u/multi-user.target.wants/daemontools.service" ../daemontools.service
  [ -f "$u/multi-user.target.wants/daemontools.service" ] || fail "the systemd enable link is dangling"
  once "$r/etc/init/svscan.conf" "exec $cmd"
  for s in 'start on runlevel [12345]' 'stop on runlevel [^12345]' respawn; do
    once "$r/etc/init/svscan.conf" "$s"
  done
  once "$r/etc/init.d/svscan" "	procd_set_param command $owrt"
  once "$r/etc/init.d/svscan" 'USE_PROCD=1'
  once "$r/etc/init.d/svscan" 'START=95'
  mode "$r/etc/init.d/svscan" 755
  sh -n "$r/etc/init.d/svscan" || fail "$r/etc/init.d/svscan: sh -n fails"
  lnk "$r/etc/rc.d/S95svscan" ../init.d/svscan
  [ -f "$r/etc/rc.d/S95svscan" ] || fail "the OpenWrt enable link is dangling"
  if grep -rq '@SVSCANBOOT@' "$r/etc"; then fail "a template placeholder is left in $r/etc"; fi
}
# verify_unit ROOT: systemd-analyze verify of the installed unit, inside a copy of ROOT
# that also holds this machine's systemd units (sysinit.target and the like) and /bin/sh,
# so the ExecStart path is looked up inside the root.
verify_unit() {
  local units=
  if ! command -v systemd-analyze > /dev/null; then
    echo "install test: note: no systemd-analyze, unit not verified" >&2; return 0; fi
  for d in /usr/lib/systemd/system /lib/systemd/system; do
    [ -f "$d/sysinit.target" ] && { units=$d; break; }
  done
  if [ -z "$units" ]; then
    echo "install test: note: no systemd units here to verify against, unit not verified" >&2; return 0; fi
  rm -rf "$tmp/verify"; cp -a "$1" "$tmp/verify"
  mkdir -p "$tmp/verify/usr/lib/systemd" "$tmp/verify/bin"
  cp -a "$units" "$tmp/verify/usr/lib/systemd/system"
  cp /bin/sh "$tmp/verify/bin/sh"   # for ExecStop
  systemd-analyze verify --root="$tmp/verify" daemontools.service > "$tmp/verify.out" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
  [ ! -s "$tmp/verify.out" ] || fail "systemd-analyze verify complains: $(cat "$tmp/verify.out")"
  # and it does notice a missing ExecStart program
  rm -f "$tmp/verify"/usr/bin/svscanboot "$tmp/verify/package/admin/daemontools-rs/command/svscanboot"
  if systemd-analyze verify --root="$tmp/verify" daemontools.service > /dev/null 2>&1; then
    fail "systemd-analyze verify does not notice a missing svscanboot"; fi
  rm -rf "$tmp/verify"
}

# ---- package layout, with the boot files of every init system but busybox ----------
R=$tmp/pkg
mkdir -p "$R/etc"
printf '%s\n' 'id:2:initdefault:' 'si::sysinit:/etc/init.d/rcS' > "$R/etc/inittab"
printf '%s\n' '#!/bin/sh -e' '# rc.local' '' 'exit 0' '' > "$R/etc/rc.local"
chmod 755 "$R/etc/rc.local"
boots=(--boot inittab --boot rc.local --boot systemd --boot upstart --boot openwrt)
run_install package --root "$R" "${boots[@]}"
pkg=$R/package/admin/daemontools-rs-$version
[ -d "$pkg/command" ] || fail "$pkg/command missing"
mode "$R/service" 755
lnk "$R/package/admin/daemontools-rs" "daemontools-rs-$version"
for tool in "${tools[@]}"; do
  lnk "$R/command/$tool" "/package/admin/daemontools-rs/command/$tool"
  # the absolute link, read inside the root, ends at the tool in the versioned directory
  real=$(readlink -f "$R$(readlink "$R/command/$tool")")
  [ "$real" = "$pkg/command/$tool" ] || fail "$R/command/$tool leads to $real"
  [ -f "$real" ] && [ -x "$real" ] || fail "$real is not an executable file"
  cmp -s "$real" "$(src "$tool")" || fail "$real differs from $(src "$tool")"
done
for m in bins/man/*.8; do
  if command -v gzip > /dev/null; then
    gzip -dc "$R/usr/share/man/man8/${m##*/}.gz" | cmp -s - "$m" || fail "man page ${m##*/}.gz wrong"
  else
    cmp -s "$R/usr/share/man/man8/${m##*/}" "$m" || fail "man page ${m##*/} wrong"
  fi
done
once "$R/etc/inittab" 'si::sysinit:/etc/init.d/rcS'
boot_files "$R" /command/svscanboot /command/svscanboot
twice_same "$R" package --root "$R" "${boots[@]}"
boot_files "$R" /command/svscanboot /command/svscanboot
verify_unit "$R"

# ---- a copy of the repository: an older version, and binaries missing ---------------
fake=$tmp/repo
mkdir -p "$fake/targets" "$fake/bins/src/bin" "$fake/target/dist"
cp -r targets/install.sh targets/host-target.sh targets/targets.txt targets/boot "$fake/targets/"
cp -r bins/man bins/svscanboot "$fake/bins/"
for tool in "${tools[@]}"; do [ "$tool" = svscanboot ] || touch "$fake/bins/src/bin/$tool.rs"; done
printf '%s\n' '[workspace]' '[workspace.package]' 'version = "0.0.1"' > "$fake/Cargo.toml"
ln -s "$dist" "$fake/target/dist/$t"
U=$tmp/upgrade
"$fake/targets/install.sh" package --root "$U" 2> /dev/null || fail "install of 0.0.1 failed"
lnk "$U/package/admin/daemontools-rs" daemontools-rs-0.0.1
run_install package --root "$U"
lnk "$U/package/admin/daemontools-rs" "daemontools-rs-$version"
[ -x "$U/package/admin/daemontools-rs-0.0.1/command/svc" ] || fail "the old version was removed"
[ "$(readlink -f "$U$(readlink "$U/command/svc")")" = "$U/package/admin/daemontools-rs-$version/command/svc" ] ||
  fail "after the upgrade $U/command/svc does not lead to $version"
rm "$fake/target/dist/$t"; mkdir "$fake/target/dist/$t"
rc=0; "$fake/targets/install.sh" prefix --destdir "$tmp/none" --target "$t" 2> "$tmp/err" || rc=$?
[ $rc = 111 ] || fail "missing binaries: exit $rc, not 111"
first=${tools[0]}   # the installer checks them in the same order
grep -qxF "install: fatal: target/dist/$t/$first missing: run targets/build.sh $t" "$tmp/err" ||
  fail "missing binaries: message $(cat "$tmp/err")"
[ ! -e "$tmp/none" ] || fail "missing binaries: something was installed"

# ---- prefix layout ------------------------------------------------------------------
check_prefix() {   # check_prefix DESTDIR PREFIX
  local b=$1$2/bin
  for tool in "${tools[@]}"; do
    [ -f "$b/$tool" ] && [ ! -L "$b/$tool" ] || fail "$b/$tool missing"
    mode "$b/$tool" 755
    cmp -s "$b/$tool" "$(src "$tool")" || fail "$b/$tool differs from $(src "$tool")"
  done
  for m in bins/man/*.8; do
    cmp -s "$1$2/share/man/man8/${m##*/}" "$m" || fail "$1$2/share/man/man8/${m##*/} wrong"
  done
}
# from the environment, as firmware build systems pass them; no boot files, no /service
P=$tmp/fw
DESTDIR=$P PREFIX=/usr "$inst" prefix 2> "$tmp/err" || fail "DESTDIR=$P install.sh prefix: $(cat "$tmp/err")"
check_prefix "$P" /usr
[ ! -e "$P/service" ] && [ ! -e "$P/etc" ] || fail "the prefix layout without --boot made /service or /etc"
twice_same "$P" prefix --destdir "$P" --prefix /usr
# as options, which win over the environment
P=$tmp/opt
DESTDIR=$tmp/wrong PREFIX=/wrong "$inst" prefix --destdir "$P" --prefix /opt/dt/ 2> "$tmp/err" ||
  fail "install.sh prefix --destdir $P: $(cat "$tmp/err")"
check_prefix "$P" /opt/dt
[ ! -e "$tmp/wrong" ] && [ ! -e "$P/wrong" ] || fail "the environment won over the options"
# with the boot files: /service for all but OpenWrt, which gets /etc/service
P=$tmp/fwboot
mkdir -p "$P/etc"; printf '%s\n' '#!/bin/sh' 'exit 0' > "$P/etc/rc.local"; chmod 644 "$P/etc/rc.local"
DESTDIR=$P "$inst" prefix "${boots[@]}" 2> "$tmp/err" || fail "DESTDIR=$P install.sh prefix: $(cat "$tmp/err")"
check_prefix "$P" /usr
boot_files "$P" '/usr/bin/svscanboot /service /usr/bin' '/usr/bin/svscanboot /etc/service /usr/bin'
mode "$P/service" 755
mode "$P/etc/service" 755
twice_same "$P" prefix --destdir "$P" "${boots[@]}"
boot_files "$P" '/usr/bin/svscanboot /service /usr/bin' '/usr/bin/svscanboot /etc/service /usr/bin'
verify_unit "$P"

# ---- busybox init, and files that do not exist yet ----------------------------------
B=$tmp/bb
run_install prefix --destdir "$B" --boot busybox --boot rc.local
run_install prefix --destdir "$B" --boot busybox --boot rc.local
once "$B/etc/inittab" '::respawn:/usr/bin/svscanboot /service /usr/bin'
once "$B/etc/inittab" '::sysinit:/etc/init.d/rcS'   # busybox's own entries kept
[ "$(head -n 1 "$B/etc/rc.local")" = '#!/bin/sh' ] || fail "a new rc.local lacks #!/bin/sh"
once "$B/etc/rc.local" '/usr/bin/svscanboot /service /usr/bin &'
[ -x "$B/etc/rc.local" ] || fail "a new rc.local is not executable"
sh -n "$B/etc/rc.local" || fail "$B/etc/rc.local: sh -n fails"
B=$tmp/bbpkg
run_install package --root "$B" --boot busybox
once "$B/etc/inittab" '::respawn:/command/svscanboot'

# ---- errors -------------------------------------------------------------------------
# expect CODE ARGS...: the installer fails with CODE and an "install: usage:" or
# "install: fatal:" message.
expect() {
  local code=$1 rc=0 kind=usage; shift
  [ "$code" = 100 ] || kind=fatal
  "$inst" "$@" > /dev/null 2> "$tmp/err" || rc=$?
  [ "$rc" = "$code" ] || fail "install.sh $*: exit $rc, not $code"
  grep -q "^install: $kind: " "$tmp/err" || fail "install.sh $*: message $(cat "$tmp/err")"
}
expect 100
expect 100 unpack
expect 100 package --root
expect 100 package --root "$tmp/e" --boot runit
expect 100 package --destdir "$tmp/e"
expect 100 prefix --root "$tmp/e"
expect 100 prefix --destdir "$tmp/e" --prefix usr
expect 100 prefix --destdir "$tmp/e" --target sparc-unknown-linux-gnu
[ ! -e "$tmp/e" ] || fail "a usage error installed something"
# a different svscanboot line is left alone, not doubled
mkdir -p "$tmp/conflict/etc"
echo 'SV:123456:respawn:/usr/local/bin/svscanboot' > "$tmp/conflict/etc/inittab"
expect 111 package --root "$tmp/conflict" --boot inittab
once "$tmp/conflict/etc/inittab" 'SV:123456:respawn:/usr/local/bin/svscanboot'

# ---- from a release archive (targets/release.sh), without the build tree -----------
# The same files as from the build tree, by the archive's own install.sh and by
# targets/install.sh --from; a changed file, a wrong --target and a directory that is
# no archive are refused.
"$repo/targets/release.sh" "$t" 2> "$tmp/err" || fail "release.sh $t: $(cat "$tmp/err")"
mkdir "$tmp/rel"
tar -C "$tmp/rel" -xzf "$repo/target/archives/daemontools-rs-$version-$t.tar.gz" ||
  fail "cannot unpack the release archive"
A=$tmp/rel/daemontools-rs-$version-$t
[ -x "$A/install.sh" ] && [ -f "$A/SHA256SUMS" ] || fail "the archive lacks install.sh or SHA256SUMS"
(cd "$A" && sha256sum -c --quiet SHA256SUMS) || fail "the archive's SHA256SUMS do not match"
# same_tree A B: the same paths, link targets, modes and contents
same_tree() {
  (cd "$1" && find . -printf '%p %l %m\n' | sort) > "$tmp/ta"
  (cd "$2" && find . -printf '%p %l %m\n' | sort) > "$tmp/tb"
  diff "$tmp/ta" "$tmp/tb" > /dev/null || fail "$1 and $2 differ: $(diff "$tmp/ta" "$tmp/tb" | head -5)"
  diff -r --no-dereference "$1" "$2" > /dev/null || fail "$1 and $2 differ in content"
}
run_install package --root "$tmp/ref-pkg" --boot systemd --boot inittab
"$A/install.sh" package --root "$tmp/arc-pkg" --boot systemd --boot inittab 2> "$tmp/err" ||
  fail "the archive's install.sh failed: $(cat "$tmp/err")"
same_tree "$tmp/ref-pkg" "$tmp/arc-pkg"
twice_same "$tmp/arc-pkg" package --from "$A" --root "$tmp/arc-pkg" --boot systemd --boot inittab
run_install prefix --destdir "$tmp/ref-fw" --boot openwrt
cp -r "$A" "$tmp/moved"   # anywhere, under any name
run_install prefix --from "$tmp/moved" --target "$t" --destdir "$tmp/arc-fw" --boot openwrt
same_tree "$tmp/ref-fw" "$tmp/arc-fw"
printf 'x' >> "$tmp/moved/bin/svc"
expect 111 prefix --from "$tmp/moved" --destdir "$tmp/e"
grep -q 'SHA256SUMS' "$tmp/err" || fail "a changed file: message $(cat "$tmp/err")"
expect 100 prefix --from "$A" --target sparc-unknown-linux-gnu --destdir "$tmp/e"
expect 111 prefix --from "$tmp" --destdir "$tmp/e"
expect 100 prefix --from
[ ! -e "$tmp/e" ] || fail "a refused --from installed something"

# ---- the installed tools run --------------------------------------------------------
R=$tmp/pkg
cd "$tmp"
out=$("$R$(readlink "$R/command/svstat")" X 2>&1) || true
[ "$out" = 'X: unable to chdir: file does not exist' ] || fail "installed svstat says: $out"
if [ "$(id -u)" = 0 ] && command -v chroot > /dev/null; then
  # inside the root, through /command/svstat, as the booted system runs it
  out=$(chroot "$R" /command/svstat X 2>&1) || true
  [ "$out" = 'X: unable to chdir: file does not exist' ] || fail "chroot /command/svstat says: $out"
fi
out=$("$tmp/fw/usr/bin/svstat" X 2>&1) || true
[ "$out" = 'X: unable to chdir: file does not exist' ] || fail "prefix svstat says: $out"
out=$(echo hello | "$tmp/fw/usr/bin/tai64n")
[[ $out =~ ^@[0-9a-f]{24}\ hello$ ]] || fail "prefix tai64n says: $out"

# The unit's ExecStop, run by hand as systemd would ($$ as $, MAINPID set), against the
# installed svscanboot on a scratch service with a logger: the service gets TERM before
# its logger stops (its last line is logged), and the whole tree ends.
if command -v setsid > /dev/null && command -v pkill > /dev/null && command -v pgrep > /dev/null; then
  S=$tmp/stop/service
  mkdir -p "$S/s/log"
  printf '%s\n' '#!/bin/sh' 'exec 2>&1' "trap 'echo got TERM; exit 0' TERM" \
    'while :; do echo tick; sleep 0.1; done' > "$S/s/run"
  printf '%s\n' '#!/bin/sh' "exec cat >> $tmp/stop/log" > "$S/s/log/run"
  chmod +x "$S/s/run" "$S/s/log/run"
  setsid "$tmp/fw/usr/bin/svscanboot" "$S" "$tmp/fw/usr/bin" < /dev/null > /dev/null 2>&1 &
  boot=$!
  # on failure, stop what is left of the tree (only this session, pid by pid)
  trap 'for p in $(pgrep -s "$boot"); do [ "$p" -gt 1 ] && kill -9 "$p"; done; rm -rf "$tmp"' EXIT
  for _ in $(seq 50); do grep -qs tick "$tmp/stop/log" && break; sleep 0.1; done
  grep -qs tick "$tmp/stop/log" || fail "svscanboot did not start the scratch service"
  [ "$(ps -o sid= -p "$boot" | tr -d ' ')" = "$boot" ] || fail "svscanboot is not its own session"
  stop=$(sed -n "s/^ExecStop=\/bin\/sh -c '\(.*\)'\$/\1/p" "$tmp/pkg/etc/systemd/system/daemontools.service")
  [ -n "$stop" ] || fail "no ExecStop=/bin/sh -c '...' in the unit"
  MAINPID=$boot timeout 30 sh -c "${stop//\$\$/\$}" || fail "ExecStop failed"
  for _ in $(seq 50); do kill -0 "$boot" 2> /dev/null || break; sleep 0.1; done
  left=$(pgrep -s "$boot" | tr '\n' ' ' || true)
  [ -z "$left" ] || fail "after ExecStop these still run: $left"
  [ "$(tail -n 1 "$tmp/stop/log")" = 'got TERM' ] || fail "the service's last line was not logged"
else
  echo "install test: note: no setsid, pkill or pgrep: the unit's ExecStop not run" >&2
fi

echo 'install test: ok'
