#!/usr/bin/env bash
# Tests the packages (targets/deb.sh, targets/ipk.sh, targets/release.sh) without touching
# this machine's own packages: everything is installed into scratch roots under
# target/packages-cache/ and run there with chroot.
#   deb  structure and fields of every .deb, lintian (when installed) with no tag but the
#        explained override; then in a Debian bookworm chroot (debootstrap --variant=minbase,
#        cached): apt-get install daemontools daemontools-run, apt-get install ./ours
#        replaces daemontools while daemontools-run stays, update-service --add, our
#        svscanboot run as daemontools-run's unit's ExecStart starts the service and its
#        logger, update-service --remove stops them, apt-get remove leaves no file of
#        ours, and reinstalling Debian's daemontools works.
#   ipk  outer tar.gz members in opkg's order, control fields and architecture names,
#        `sh -n` of every script under busybox; then data.tar.gz laid out as opkg does in
#        a busybox-only root, /etc/init.d/svscan start (through a stand-in for procd's
#        rc.common) runs a service, and its stop ends svscan and the whole tree.
#   tar  the release archive installed with its own install.sh into a busybox-only
#        root; svscanboot runs a service there; TERM to svscan ends everything.
# Prints one line per check; exits non-zero on the first failure. Needs root, dpkg-deb,
# apt-get; the first run fetches debootstrap's base system and busybox-static (network,
# about 2-4 minutes), later runs use the cache (about a minute).
# Usage: tests/packages.sh [deb|ipk|tar]...   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cache=$repo/target/packages-cache
mkdir -p "$cache"
work=$(mktemp -d "$cache/run.XXXXXX")

ok() { printf 'packages: ok: %s\n' "$*"; }
fail() { printf 'packages: FAIL: %s\n' "$*" >&2; exit 1; }
note() { printf 'packages: note: %s\n' "$*" >&2; }

# Every process whose root is one of our scratch roots is ours: killed at the end.
ours() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2> /dev/null) || continue
    case $r in "$work"/*) echo "${p#/proc/}" ;; esac
  done
}
cleanup() {
  local p
  for p in $(ours); do kill -9 "$p" 2> /dev/null || true; done
  sleep 0.2
  for m in $(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
  done
  if awk -v w="$work/" 'index($2, w) == 1 { f = 1 } END { exit !f }' /proc/mounts; then
    echo "packages: warning: still mounted under $work: not removed" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "needs root (chroot, mount)"
t=x86_64-unknown-linux-musl
[ "$(targets/host-target.sh)" = "$t" ] || fail "the chroot tests need an x86_64 machine"
version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
               s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
tools=(svscanboot)
for f in bins/src/bin/*.rs; do f=${f##*/}; tools+=("${f%.rs}"); done

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
  local n=$(($1 * 10)); shift
  while [ $n -gt 0 ]; do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

# ---- busybox-static, for sh -n and the busybox-only roots --------------------------
busybox() {
  local d=$cache/busybox
  if [ ! -x "$d/root/bin/busybox" ]; then
    mkdir -p "$d"
    ls "$d"/busybox-static_*.deb > /dev/null 2>&1 ||
      (cd "$d" && apt-get download busybox-static > /dev/null) || fail "apt-get download busybox-static"
    rm -rf "$d/root"; dpkg-deb -x "$d"/busybox-static_*.deb "$d/root" || fail "cannot unpack busybox-static"
  fi
  BB=$d/root/bin/busybox
}
# bbroot DIR: a root with busybox as its only program (its applets as links in /bin),
# /proc mounted, /dev/null, /tmp
bbroot() {
  local r=$1
  mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/tmp" "$r/etc"
  cp "$BB" "$r/bin/busybox"
  chroot "$r" /bin/busybox --install -s /bin || fail "busybox --install in $r"
  mknod -m 666 "$r/dev/null" c 1 3
  mount -t proc proc "$r/proc"
}
# service DIR LOG: a service that says "started", logs "got TERM" on TERM, with a
# multilog logger into DIR/log/main
mkservice() {
  mkdir -p "$1/log"
  printf '%s\n' '#!/bin/sh' 'exec 2>&1' 'echo started' "trap 'echo got TERM; exit 0' TERM" \
    'while :; do sleep 1; done' > "$1/run"
  printf '%s\n' '#!/bin/sh' 'exec multilog ./main' > "$1/log/run"
  chmod 755 "$1/run" "$1/log/run"
}
logged() { grep -qs "$2" "$1/log/main/current"; }
# svscan_in ROOT: the pids of svscan running in ROOT
svscan_in() {
  local p
  for p in $(ours); do
    [ "$(readlink "/proc/$p/root")" = "$1" ] && [ "$(cat "/proc/$p/comm")" = svscan ] && echo "$p"
  done
  return 0
}
# gone ROOT: no process runs in ROOT any more
gone() { local p; for p in $(ours); do [ "$(readlink "/proc/$p/root")" = "$1" ] && return 1; done; return 0; }

# ---- Debian ------------------------------------------------------------------------
test_deb() {
  targets/deb.sh > /dev/null 2>&1 || fail "targets/deb.sh"
  local arch deb=target/packages/daemontools-rs_${version}_amd64.deb f
  for arch in amd64 i386 arm64 armhf armel mipsel riscv64; do
    f=target/packages/daemontools-rs_${version}_$arch.deb
    [ "$(dpkg-deb -f "$f" Architecture)" = "$arch" ] || fail "$f: Architecture"
    [ "$(dpkg-deb -f "$f" Provides)" = "daemontools (= 1:0.76+rs$version)" ] || fail "$f: Provides"
    [ "$(dpkg-deb -f "$f" Conflicts)" = daemontools ] && [ "$(dpkg-deb -f "$f" Replaces)" = daemontools ] ||
      fail "$f: Conflicts/Replaces"
    [ -z "$(dpkg-deb -f "$f" Depends)" ] || fail "$f: static, yet Depends"
  done
  ok "deb: 7 architectures built, Provides/Conflicts/Replaces daemontools, no Depends"
  dpkg-deb -c "$deb" | awk '{ print $6 }' > "$work/contents"
  for f in "${tools[@]}"; do grep -qxF "./usr/bin/$f" "$work/contents" || fail "deb lacks /usr/bin/$f"; done
  for f in bins/man/*.8; do
    grep -qxF "./usr/share/man/man8/${f##*/}.gz" "$work/contents" || fail "deb lacks ${f##*/}.gz"
  done
  for f in copyright changelog.gz; do
    grep -qxF "./usr/share/doc/daemontools-rs/$f" "$work/contents" || fail "deb lacks $f"
  done
  ok "deb: tools in /usr/bin, gzipped man pages in /usr/share/man/man8, copyright, changelog"
  if command -v lintian > /dev/null; then
    lintian --pedantic --info "$deb" > "$work/lintian" 2>&1 || true
    grep -v '^N:\|running with root privileges' "$work/lintian" > "$work/tags" || true
    [ ! -s "$work/tags" ] || fail "lintian: $(head -5 "$work/tags")"
    ok "deb: lintian --pedantic: no tags (statically-linked-binary overridden, explained in targets/deb.sh)"
  else
    note "no lintian: not run"
  fi

  # the cached chroot: debootstrap, then the lists and Debian's daemontools debs
  local base=$cache/deb-root R=$work/deb
  if [ ! -f "$base/.ready" ]; then
    command -v debootstrap > /dev/null || fail "no debootstrap (apt-get install debootstrap)"
    local mirror
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
               /etc/apt/sources.list /etc/apt/sources.list.d/* 2> /dev/null | head -n 1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    if [ ! -x "$base/usr/bin/apt-get" ]; then
      rm -rf "$base.new"
      debootstrap --variant=minbase bookworm "$base.new" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
        fail "debootstrap from $mirror (see $cache/debootstrap.log)"
      rm -rf "$base"; mv "$base.new" "$base"
    fi
    chroot "$base" apt-get -q update > /dev/null 2>&1 || fail "apt-get update in the chroot"
    chroot "$base" apt-get -qy install --download-only daemontools daemontools-run \
      tinydns djbdns-conf djbdns-utils > /dev/null 2>&1 ||
      fail "apt-get download of daemontools in the chroot"
    touch "$base/.ready"
  fi
  cp -a "$base" "$R"
  mount -t proc proc "$R/proc"
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"   # start nothing at install
  chmod 755 "$R/usr/sbin/policy-rc.d"
  inroot() { chroot "$R" env DEBIAN_FRONTEND=noninteractive "$@"; }
  status() { inroot dpkg-query -W -f '${Status}' "$1" 2> /dev/null || true; }
  installed() { [ "$(status "$1")" = "install ok installed" ]; }

  inroot apt-get -qy install daemontools daemontools-run > "$work/apt" 2>&1 || fail "apt-get install daemontools: $(tail -3 "$work/apt")"
  installed daemontools && installed daemontools-run || fail "Debian's daemontools not installed"
  ok "deb: chroot: Debian's daemontools and daemontools-run installed"
  cp "$deb" "$R/tmp/"
  inroot apt-get -qy install "/tmp/${deb##*/}" > "$work/apt" 2>&1 || fail "apt-get install ./ours: $(tail -3 "$work/apt")"
  installed daemontools-rs || fail "daemontools-rs not installed"
  ! installed daemontools || fail "daemontools still installed"
  installed daemontools-run || fail "daemontools-run was removed"
  for f in "${tools[@]}"; do cmp -s "$R/usr/bin/$f" "target/dist/$t/$f" || fail "/usr/bin/$f is not ours"; done
  [ "$(inroot dpkg -S /usr/bin/svscan | cut -d: -f1)" = daemontools-rs ] || fail "dpkg -S /usr/bin/svscan"
  inroot apt-get -qy check > /dev/null 2>&1 || fail "apt-get check: broken dependencies"
  ok "deb: apt-get install ./${deb##*/} replaced daemontools; daemontools-run stays, dependencies hold"

  local unit exec sv=/etc/sv/x
  unit=$(ls "$R"/lib/systemd/system/daemontools*.service | head -n 1)
  exec=$(sed -n 's/^ExecStart=//p' "$unit")
  [ "$exec" = "/usr/bin/svscanboot /etc/service/" ] || fail "the unit's ExecStart is $exec"
  mkservice "$R$sv"
  inroot update-service --add "$sv" > /dev/null || fail "update-service --add $sv"
  [ "$(readlink "$R/etc/service/x")" = "$sv" ] || fail "update-service did not link /etc/service/x"
  setsid chroot "$R" $exec < /dev/null > /dev/null 2>&1 &
  wait_for 10 logged "$R$sv" started || fail "the service did not start (svstat: $(inroot svstat "$sv" "$sv/log" 2>&1))"
  inroot svstat /etc/service/x | grep -q ': up (pid' || fail "svstat x: $(inroot svstat /etc/service/x)"
  inroot svstat /etc/service/x/log | grep -q ': up (pid' || fail "svstat x/log: $(inroot svstat /etc/service/x/log)"
  [ -d "$R/var/lib/supervise/x" ] && [ -d "$R/var/lib/supervise/x.log" ] ||
    fail "supervise did not follow update-service's supervise links into /var/lib/supervise"
  ok "deb: update-service --add, then the unit's ExecStart ($exec): service and logger up"
  inroot update-service --remove "$sv" > /dev/null || fail "update-service --remove"
  # (svc -dx goes to the service and its logger at once: its last line may not be logged)
  wait_for 10 sh -c "chroot '$R' svstat $sv $sv/log | grep -c 'supervise not running' | grep -qx 2" ||
    fail "after --remove: $(inroot svstat "$sv" "$sv/log" 2>&1)"
  ok "deb: update-service --remove: the service's and the logger's supervise ended"
  # A real daemon that depends on daemontools: Debian's tinydns, made by tinydns-conf,
  # added with update-service, answers through dnsq.
  # (Without its recommends: tinydns recommends runit, whose runit-run would take
  # daemontools-run's place.)
  inroot apt-get -qy install --no-install-recommends tinydns djbdns-conf djbdns-utils > "$work/apt" 2>&1 ||
    fail "apt-get install tinydns with ours as daemontools: $(tail -3 "$work/apt")"
  installed daemontools-rs || fail "installing tinydns replaced ours"
  for user in tinydns dnslog; do
    inroot id "$user" > /dev/null 2>&1 || inroot useradd --system --no-create-home "$user" || fail "useradd $user"
  done
  local dns_ip=127.0.0.57
  inroot tinydns-conf tinydns dnslog /etc/tinydns "$dns_ip" || fail "tinydns-conf"
  installed daemontools-run || fail "installing tinydns removed daemontools-run"
  # Debian's tinydns-conf links supervise to /run/runit/supervise/NAME; supervise makes
  # the link's target, one level, as Debian's does: the runit state directory must exist.
  mkdir -p "$R/run/runit/supervise"
  (cd "$R/etc/tinydns/root" && chroot "$R" sh -c 'cd /etc/tinydns/root && ./add-ns example.test 127.0.0.57 && ./add-host www.example.test 10.9.8.7 && tinydns-data') ||
    fail "tinydns-data"
  inroot update-service --add /etc/tinydns tinydns > /dev/null || fail "update-service --add /etc/tinydns"
  wait_for 15 sh -c "timeout 3 chroot '$R' dnsq a www.example.test $dns_ip 2>/dev/null | grep -q '10.9.8.7'" ||
    fail "tinydns did not answer (svstat: $(inroot svstat /etc/service/tinydns /etc/service/tinydns/log 2>&1); log: $(tail -3 "$R/etc/tinydns/log/main/current" 2>&1))"
  ok "deb: Debian's tinydns (depending on daemontools) installed beside ours, added with update-service, answers dnsq"
  inroot update-service --remove /etc/tinydns > /dev/null 2>&1 || true
  inroot apt-get -qy remove tinydns djbdns-conf djbdns-utils > /dev/null 2>&1 || true
  local svscan
  svscan=$(svscan_in "$R")
  [ -n "$svscan" ] || fail "no svscan running"
  kill -TERM $svscan
  wait_for 15 gone "$R" || fail "after TERM to svscan these still run: $(ours)"
  ok "deb: TERM to svscan ended svscanboot's whole tree"

  inroot dpkg -L daemontools-rs | sort > "$work/files"
  inroot apt-get -qy remove daemontools-rs > "$work/apt" 2>&1 || fail "apt-get remove: $(tail -3 "$work/apt")"
  ! installed daemontools-rs || fail "daemontools-rs still installed"
  while read -r f; do
    [ -d "$R$f" ] && [ ! -L "$R$f" ] && continue   # shared directories (/usr/bin)
    [ ! -e "$R$f" ] && [ ! -L "$R$f" ] || fail "left after apt-get remove: $f"
  done < "$work/files"
  [ -z "$(inroot dpkg -S daemontools-rs 2> /dev/null)" ] || fail "dpkg still knows files of daemontools-rs"
  ok "deb: apt-get remove daemontools-rs leaves none of its $(wc -l < "$work/files") paths (dpkg -L before/after)"
  inroot apt-get -qy install daemontools daemontools-run > "$work/apt" 2>&1 || fail "reinstall: $(tail -3 "$work/apt")"
  installed daemontools && installed daemontools-run || fail "Debian's daemontools not reinstalled"
  [ "$(inroot dpkg -S /usr/bin/svscan | cut -d: -f1)" = daemontools ] || fail "/usr/bin/svscan is not Debian's again"
  ok "deb: Debian's daemontools and daemontools-run reinstalled"
  umount "$R/proc"
  rm -rf "$R"
}

# ---- OpenWrt -----------------------------------------------------------------------
test_ipk() {
  targets/ipk.sh > /dev/null 2>&1 || fail "targets/ipk.sh"
  busybox
  local arch target ipk n=0 x=$work/ipkx
  while read -r arch target; do
    ipk=target/packages/daemontools-rs_${version}-1_$arch.ipk
    [ -f "$ipk" ] || fail "$ipk missing"
    [ "$(tar tzf "$ipk" | tr '\n' ' ')" = './debian-binary ./data.tar.gz ./control.tar.gz ' ] ||
      fail "$ipk: members $(tar tzf "$ipk" | tr '\n' ' ')"
    rm -rf "$x"; mkdir -p "$x/c" "$x/d"
    tar -C "$x" -xzf "$ipk"
    [ "$(cat "$x/debian-binary")" = 2.0 ] || fail "$ipk: debian-binary"
    tar -C "$x/c" -xzf "$x/control.tar.gz"
    tar -C "$x/d" -xzf "$x/data.tar.gz"
    for f in Package:daemontools-rs "Version:$version-1" "Architecture:$arch" License:MIT; do
      grep -qx "${f%%:*}: ${f#*:}" "$x/c/control" || fail "$ipk: no '${f%%:*}: ${f#*:}'"
    done
    grep -q "^Installed-Size: [0-9]" "$x/c/control" && grep -q '^Maintainer: ' "$x/c/control" &&
      grep -q '^Description: ' "$x/c/control" || fail "$ipk: control fields"
    [ "$(cat "$x/c/conffiles")" = /etc/config/svscan ] && [ -f "$x/d/etc/config/svscan" ] ||
      fail "$ipk: conffiles"
    for f in "${tools[@]}"; do cmp -s "$x/d/usr/bin/$f" "target/dist/$target/$f" || fail "$ipk: /usr/bin/$f"; done
    [ -x "$x/d/etc/init.d/svscan" ] && [ -d "$x/d/etc/service" ] &&
      grep -qx /etc/service/ "$x/d/lib/upgrade/keep.d/daemontools-rs" || fail "$ipk: init script, /etc/service, keep.d"
    for f in "$x/c/postinst" "$x/c/prerm" "$x/d/etc/init.d/svscan"; do
      [ -x "$f" ] || fail "$ipk: ${f##*/} not executable"
      "$BB" sh -n "$f" || fail "$ipk: busybox sh -n ${f#$x/}"
    done
    n=$((n + 1))
  done < <(targets/ipk.sh --list)
  ok "ipk: $n packages: tar.gz of debian-binary, data.tar.gz, control.tar.gz; fields, conffiles, tools"
  ok "ipk: postinst, prerm, /etc/init.d/svscan pass busybox sh -n"

  # opkg's layout in a busybox-only root: data unpacked at /, control files in
  # /usr/lib/opkg/info; procd's rc.common replaced by a stand-in that, like procd, runs
  # the instance's command in the background and stops it with stop_service and then
  # TERM to the command's own process (procd_kill).
  local R=$work/owrt arch=x86_64 info
  ipk=target/packages/daemontools-rs_${version}-1_$arch.ipk
  rm -rf "$x"; mkdir -p "$x/c"; tar -C "$x" -xzf "$ipk"; tar -C "$x/c" -xzf "$x/control.tar.gz"
  bbroot "$R"
  tar -C "$R" -xzf "$x/data.tar.gz"
  info=$R/usr/lib/opkg/info; mkdir -p "$info"
  for f in control conffiles postinst prerm; do cp "$x/c/$f" "$info/daemontools-rs.$f"; done
  tar tzf "$x/data.tar.gz" | sed -n 's|^\./\(.*[^/]\)$|/\1|p' > "$info/daemontools-rs.list"
  chroot "$R" /usr/lib/opkg/info/daemontools-rs.postinst configure || fail "postinst without OpenWrt"
  cat > "$R/etc/rc.common" << 'EOF'
#!/bin/sh
# test stand-in for OpenWrt's rc.common with procd (tests/packages.sh)
initscript=$1; action=$2
procd_open_instance() { :; }
procd_set_param() { [ "$1" = command ] && { shift; cmd="$*"; }; return 0; }
procd_close_instance() { :; }
. "$initscript"
case $action in
  start) start_service; setsid $cmd < /dev/null > /dev/null 2>&1 & echo $! > /tmp/instance.pid ;;
  stop) stop_service; kill -TERM "$(cat /tmp/instance.pid)" 2> /dev/null; rm -f /tmp/instance.pid ;;
esac
EOF
  chmod 755 "$R/etc/rc.common"
  mkservice "$R/etc/service/x"
  chroot "$R" /etc/init.d/svscan start || fail "/etc/init.d/svscan start"
  wait_for 10 logged "$R/etc/service/x" started || fail "ipk: the service did not start"
  chroot "$R" /usr/bin/svstat /etc/service/x /etc/service/x/log > "$work/svstat"
  [ "$(grep -c ': up (pid' "$work/svstat")" = 2 ] || fail "ipk: svstat: $(cat "$work/svstat")"
  ok "ipk: opkg's layout in a busybox root: /etc/init.d/svscan start runs the service and its logger"
  chroot "$R" /etc/init.d/svscan stop || fail "/etc/init.d/svscan stop"
  wait_for 5 gone "$R" || fail "ipk: after stop these still run: $(ours)"
  logged "$R/etc/service/x" 'got TERM' || fail "ipk: the service's last line was not logged"
  ok "ipk: /etc/init.d/svscan stop ended svscan and its tree; the service's TERM line was logged"
  umount "$R/proc"
  ok "ipk: $(targets/check-feeds.sh)" || fail "the OpenWrt feed or the Buildroot package drifted"
}

# ---- release archive ---------------------------------------------------------------
test_tar() {
  busybox
  targets/release.sh "$t" > /dev/null 2>&1 || fail "targets/release.sh $t"
  local R=$work/tarroot A=$work/unpacked/daemontools-rs-$version-$t svscan
  mkdir -p "$work/unpacked"
  tar -C "$work/unpacked" -xzf "target/archives/daemontools-rs-$version-$t.tar.gz"
  (cd "$A" && "$BB" sha256sum -c SHA256SUMS > /dev/null) || fail "tar: busybox sha256sum -c SHA256SUMS"
  ok "tar: SHA256SUMS checked by busybox sha256sum"
  bbroot "$R"
  "$A/install.sh" prefix --destdir "$R" --boot busybox 2> /dev/null || fail "tar: the archive's install.sh"
  grep -qx '::respawn:/usr/bin/svscanboot /service /usr/bin' "$R/etc/inittab" || fail "tar: inittab line"
  mkservice "$R/service/x"
  setsid chroot "$R" /usr/bin/svscanboot /service /usr/bin < /dev/null > /dev/null 2>&1 &
  wait_for 10 logged "$R/service/x" started || fail "tar: the service did not start"
  chroot "$R" /usr/bin/svstat /service/x /service/x/log > "$work/svstat"
  [ "$(grep -c ': up (pid' "$work/svstat")" = 2 ] || fail "tar: svstat: $(cat "$work/svstat")"
  ok "tar: installed by its install.sh into a busybox root; svscanboot runs the service and its logger"
  svscan=$(svscan_in "$R")
  kill -TERM $svscan
  wait_for 15 gone "$R" || fail "tar: after TERM to svscan these still run: $(ours)"
  ok "tar: TERM to svscan ended the tree"
  # With no argument and no /service, svscanboot takes /etc/service (Debian's, OpenWrt's).
  rm -rf "$R/service"
  mkservice "$R/etc/service/y"
  setsid chroot "$R" /usr/bin/svscanboot < /dev/null > /dev/null 2>&1 &
  wait_for 10 logged "$R/etc/service/y" started || fail "tar: svscanboot without /service did not start /etc/service/y"
  ok "tar: svscanboot with no argument and no /service runs /etc/service"
  svscan=$(svscan_in "$R")
  kill -TERM $svscan
  wait_for 15 gone "$R" || fail "tar: after TERM to svscan these still run: $(ours)"
  umount "$R/proc"
}

[ $# -gt 0 ] || set -- deb ipk tar
for part in "$@"; do
  case $part in
    deb) test_deb ;; ipk) test_ipk ;; tar) test_tar ;;
    *) echo "packages: usage: tests/packages.sh [deb|ipk|tar]..." >&2; exit 100 ;;
  esac
done
echo 'packages test: ok'
