#!/usr/bin/env bash
# Runs our tools the way users do, with real daemons and Debian's layout, in scratch
# directories:
#  dns        Debian's djbdns: tinydns and dnscache service directories made by their own
#             tinydns-conf and dnscache-conf, under our svscan (our supervise, multilog,
#             setuidgid, envuidgid, envdir and softlimit first on PATH); a record added
#             with add-ns/add-host and make, answered by tinydns (dnsq) and through
#             dnscache (dnsip, dnscache resolving the zone from tinydns); the queries
#             logged by our multilog (as dnslog) in log/main/current.
#  restart    kill -9 of the supervise of tinydns's log service (run: exec setuidgid
#             dnslog multilog t ./main): the old multilog ends with it (the parent-death
#             signal survives setuidgid's change of user), svscan starts a new supervise,
#             and then only one multilog runs for that log directory, supervise's own,
#             holding the lock, with no "unable to lock" loop. Then kill -9 of tinydns's
#             supervise: tinydns drops its privileges itself, which clears the
#             parent-death signal, so it survives; the new supervise takes it over, and
#             exactly that one tinydns runs (the original starts a second beside it);
#             svc -t still restarts it; svc -X upgrades its supervise in place.
#  tcpserver  a ucspi-tcp service (exec tcpserver -v ... echo hello) logged by multilog: a
#             connection gets "hello", and tcpserver's "ok" and "end" lines are in the log.
#  debian-run Debian's daemontools-run, unpacked into a scratch root (not installed): its
#             update-service --add makes the links (supervise -> /var/lib/supervise/NAME,
#             dangling), our svscanboot runs as the package's systemd unit's ExecStart
#             says, the service and its multilog run, and update-service --remove stops
#             them.
# Installs what it needs if missing (apt: tinydns dnscache djbdns-conf djbdns-utils
# ucspi-tcp; none of them starts a daemon; the accounts tinydns, dnscache, dnslog; and
# `apt-get download daemontools-run` into target/real-daemons/). Runs as root.
# Prints a line per check, then "real daemons test: ok" or the number of failed checks.
# Usage: tests/real_daemons.sh [--originals]   (after targets/build.sh for this machine;
#        --originals runs the same checks with Debian's daemontools in /usr/bin: there
#        the restart checks fail, as 0.76's supervise sets no parent-death signal)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dist=$repo/target/dist/x86_64-unknown-linux-musl
[ "${1:-}" = --originals ] && dist=/usr/bin
boot=$repo/bins/svscanboot
export PATH=$PATH:/usr/sbin:/sbin

die() { printf 'real daemons test: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (accounts, setuidgid, port 53)"
for tool in supervise svc svok svstat svscan readproctitle multilog setuidgid envuidgid \
    envdir softlimit; do
  [ -x "$dist/$tool" ] || die "$dist/$tool missing: run targets/build.sh x86_64-unknown-linux-musl"
done
svstat=$dist/svstat

# --- What the test needs, installed if missing ----------------------------------------
need=()
for pair in tinydns:tinydns dnscache:dnscache tinydns-conf:djbdns-conf \
    dnscache-conf:djbdns-conf dnsq:djbdns-utils dnsip:djbdns-utils tcpserver:ucspi-tcp; do
  command -v "${pair%%:*}" > /dev/null 2>&1 || need+=("${pair#*:}")
done
apt_updated=
apt_update() { [ -n "$apt_updated" ] || apt-get update -qq; apt_updated=1; }
if [ ${#need[@]} -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "real daemons: installing ${need[*]}" >&2
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    > /dev/null || die "apt-get install failed"
fi
for account in tinydns dnscache dnslog; do
  getent passwd "$account" > /dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$account" || die "cannot create the account $account"
done
debs=$repo/target/real-daemons
mkdir -p "$debs"
if ! ls "$debs"/daemontools-run_*.deb > /dev/null 2>&1; then
  (cd "$debs" && apt-get download daemontools-run > /dev/null 2>&1) ||
    { apt_update; (cd "$debs" && apt-get download daemontools-run > /dev/null); } ||
    die "apt-get download daemontools-run failed"
fi
deb=$(ls "$debs"/daemontools-run_*.deb | tail -n 1)

# --- Scratch directory, and the end of every process started in it --------------------
tmp=$(mktemp -d) || die "mktemp failed"
tmp=$(cd "$tmp" && pwd -P)
chmod 755 "$tmp"
# Every process this test starts has its working directory under $tmp (svscan and
# supervise change to their directories, services run in theirs, tinydns and dnscache
# chroot below them, svscanboot is started there): that finds them all, orphans too.
procs_under() {
  find /proc/[0-9]*/cwd -maxdepth 0 \( -lname "$tmp" -o -lname "$tmp/*" \) -printf '%h\n' \
    2> /dev/null | sed 's|^/proc/||' | grep -vx -e $$ -e "$BASHPID"
}
cleanup() {
  local pids
  for _ in $(seq 50); do
    pids=$(procs_under)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    kill -KILL $pids 2> /dev/null
    sleep 0.1
  done
  [ -z "$(procs_under)" ] || echo "real daemons: processes left: $(procs_under)" >&2
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Checks ---------------------------------------------------------------------------
checks=0 failures=0
ok() { checks=$((checks + 1)); printf 'real daemons: ok   %s\n' "$*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'real daemons: FAIL %s\n' "$*"; }
note() { printf 'real daemons: note %s\n' "$*"; }
# poll SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; 1 on timeout.
poll() {
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
# is_up DIR: svstat says DIR is up.
is_up() { [[ $("$svstat" "$1" 2> /dev/null) == "$1: up "* ]]; }
# status_pid DIR: the service's pid according to svstat.
status_pid() { "$svstat" "$1" 2> /dev/null | sed -n 's/.*: up (pid \([0-9]*\)).*/\1/p'; }
# up_seconds DIR: for how long svstat says it is up.
up_seconds() { "$svstat" "$1" 2> /dev/null | sed -n 's/.*: up (pid [0-9]*) \([0-9]*\) seconds.*/\1/p'; }
# procs_in DIR [COMM]: the processes whose working directory is DIR (named COMM).
procs_in() {
  local p
  for p in $(find /proc/[0-9]*/cwd -maxdepth 0 -lname "$1" -printf '%h\n' 2> /dev/null); do
    [ -z "${2:-}" ] || [ "$(cat "$p/comm" 2> /dev/null)" = "$2" ] || continue
    echo "${p#/proc/}"
  done
}
exe_of() { readlink "/proc/$1/exe" 2> /dev/null; }
user_of() { ps -o user= -p "$1" 2> /dev/null | tr -d ' '; }
count() { wc -w <<< "$*" | tr -d ' '; }
# lock_holders FILE: the pids /proc/locks shows for FILE's inode.
lock_holders() {
  local ino
  ino=$(stat -c %i "$1" 2> /dev/null) || return 0
  awk -v ino="$ino" '{ for (i = 1; i <= NF; i++) if ($i ~ ":" ino "$") { print $(i - 1); break } }' /proc/locks
}
# stamped FILE REGEX: FILE has a line "@<tai64n> TEXT" with TEXT matching REGEX.
stamped() { grep -qE "^@4000[0-9a-f]{20} ($2)\$" "$1" 2> /dev/null; }
# start_svscan ROOT: our svscan on ROOT/service with our tools first on PATH, its error
# output in ROOT/svscan.err.
start_svscan() {
  (cd "$1" && exec setsid env - PATH="$dist:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
    "$dist/svscan" "$1/service" > /dev/null 2> "$1/svscan.err" < /dev/null) &
  disown $!
}

# An address pair for tinydns and dnscache with port 53 free on both.
hex_ip() { local IFS=.; set -- $1; printf '%02X%02X%02X%02X' "$4" "$3" "$2" "$1"; }
port53_free() {
  ! grep -qiE "^ *[0-9]+: ($(hex_ip "$1")|00000000):0035 " /proc/net/udp /proc/net/tcp
}
tiny_ip= cache_ip=
for pair in 127.0.0.53:127.0.0.54 127.53.0.1:127.53.0.2 127.53.1.1:127.53.1.2; do
  if port53_free "${pair%:*}" && port53_free "${pair#*:}"; then
    tiny_ip=${pair%:*} cache_ip=${pair#*:}
    break
  fi
done
[ -n "$tiny_ip" ] || die "port 53 is taken on every candidate loopback address"

# === dns: tinydns and dnscache from Debian's djbdns under our svscan =====================
dns=$tmp/dns
tiny=$dns/sv/tinydns cache=$dns/sv/dnscache
name=www.test.example address=10.1.2.3
section_dns() {
  mkdir -p "$dns/service" "$dns/sv"
  tinydns-conf tinydns dnslog "$tiny" "$tiny_ip" ||
    { bad "dns: tinydns-conf tinydns dnslog $tiny $tiny_ip failed"; return 1; }
  dnscache-conf dnscache dnslog "$cache" "$cache_ip" ||
    { bad "dns: dnscache-conf dnscache dnslog $cache $cache_ip failed"; return 1; }
  # dnscache asks tinydns about test.example, and answers any 127.x client.
  echo "$tiny_ip" > "$cache/root/servers/test.example"
  touch "$cache/root/ip/127"
  ln -s "$tiny" "$cache" "$dns/service/"
  start_svscan "$dns"

  local dir ok_all=1
  for dir in tinydns tinydns/log dnscache dnscache/log; do
    poll 10 is_up "$dns/service/$dir" ||
      { bad "dns: $dir not up: $("$svstat" "$dns/service/$dir"); svscan: $(tail -c 300 "$dns/svscan.err")"; ok_all=; }
  done
  [ -n "$ok_all" ] || return 1
  ok "dns: tinydns, dnscache and their loggers are up under svscan"

  # The processes are ours, as the run scripts ask.
  local t m l
  t=$(status_pid "$tiny") m=$(status_pid "$tiny/log")
  if [ "$(exe_of "$t")" = /usr/sbin/tinydns ] && [ "$(user_of "$t")" = tinydns ] &&
    grep -qE '^Max data size +400000 ' "/proc/$t/limits"; then
    ok "dns: tinydns runs as tinydns (envuidgid, envdir) with softlimit's data limit"
  else
    bad "dns: tinydns pid $t: exe $(exe_of "$t"), user $(user_of "$t"), $(grep 'Max data' "/proc/$t/limits" 2>&1)"
  fi
  if [ "$(exe_of "$m")" = "$dist/multilog" ] && [ "$(user_of "$m")" = dnslog ]; then
    ok "dns: tinydns's logger is $dist/multilog, as dnslog (setuidgid)"
  else
    bad "dns: tinydns's logger pid $m: exe $(exe_of "$m"), user $(user_of "$m")"
  fi
  for l in "$tiny" "$tiny/log" "$cache" "$cache/log"; do
    for t in $(procs_in "$l" supervise); do
      [ "$(exe_of "$t")" = "$dist/supervise" ] || bad "dns: supervise $t in $l runs $(exe_of "$t")"
    done
  done

  # A zone and a host, added the djbdns way; tinydns reads data.cdb at every query.
  if (cd "$tiny/root" && ./add-ns test.example "$tiny_ip" && ./add-host "$name" "$address" &&
    make -s > /dev/null); then
    ok "dns: add-ns, add-host and make in $tiny/root"
  else
    bad "dns: add-ns/add-host/make failed in $tiny/root"
  fi
  local out=
  answered() { out=$(dnsq a "$name" "$tiny_ip" 2>&1) && grep -qE "^answer: $name [0-9]+ A $address\$" <<< "$out"; }
  if poll 10 answered; then
    ok "dns: dnsq a $name $tiny_ip answers $address"
  else
    bad "dns: dnsq a $name $tiny_ip: $out"
  fi
  through_cache() { out=$(DNSCACHEIP=$cache_ip dnsip "$name" 2>&1) && [ "$out" = "$address " ] || [ "$out" = "$address" ]; }
  if poll 10 through_cache; then
    ok "dns: dnsip $name through dnscache at $cache_ip gives $address"
  else
    bad "dns: DNSCACHEIP=$cache_ip dnsip $name printed '$out'"
  fi

  # The logs, through multilog t, as dnslog.
  local hex
  hex='[0-9a-f]{8}:[0-9a-f]{4}:[0-9a-f]{4}'
  if poll 5 stamped "$tiny/log/main/current" "$hex \\+ 0001 ${name//./\\.}"; then
    ok "dns: tinydns logged the query in log/main/current"
  else
    bad "dns: no stamped query line in $tiny/log/main/current: $(tail -n 3 "$tiny/log/main/current" 2>&1)"
  fi
  if poll 5 stamped "$cache/log/main/current" "query [0-9]+ $hex 1 ${name//./\\.}\\." &&
    stamped "$cache/log/main/current" starting; then
    ok "dns: dnscache logged starting and the query in log/main/current"
  else
    bad "dns: dnscache's log/main/current: $(tail -n 3 "$cache/log/main/current" 2>&1)"
  fi
  local owner
  owner=$(stat -c %U "$tiny/log/main/current" "$cache/log/main/current" 2> /dev/null | sort -u)
  [ "$owner" = dnslog ] && ok "dns: the current files belong to dnslog" ||
    bad "dns: the current files belong to '$owner', not dnslog"
}

# === restart: kill -9 of supervise (issue 11, item 5) ===================================
# kill_supervise DIR: kill -9 of the supervise running in DIR, then waits for svscan to
# start another; prints the new supervise's pid.
kill_supervise() {
  local old new=
  old=$(procs_in "$1" supervise)
  [ "$(count "$old")" = 1 ] || { bad "restart: $(count "$old") supervise processes in $1 ($old)"; return 1; }
  kill -KILL "$old"
  new_one() { new=$(procs_in "$1" supervise); [ -n "$new" ] && [ "$new" != "$old" ]; }
  if poll 12 new_one "$1"; then
    ok "restart: svscan started a new supervise ($new) in ${1#"$dns"/sv/} after kill -9 of $old"
  else
    bad "restart: no new supervise in $1 12 s after kill -9 of $old"
    return 1
  fi
}
section_restart() {
  local log=$tiny/log old_m err_before
  old_m=$(status_pid "$log")
  err_before=$(grep -c 'unable to lock' "$dns/svscan.err")
  kill_supervise "$log" || return 1
  # The old multilog, running as dnslog under setuidgid, ends with its supervise.
  old_gone() { [ ! -e "/proc/$old_m" ] || [[ $(ps -o stat= -p "$old_m") == Z* ]]; }
  poll 3 old_gone && ok "restart: the old multilog ($old_m) ended with its supervise" ||
    bad "restart: the old multilog ($old_m, user $(user_of "$old_m")) still runs after kill -9 of its supervise"
  # Recovered: one multilog in the log directory (or in ./main: 0.76 changes to it), supervise's, holding main/lock, up for
  # 2 s with the same pid (a multilog that cannot lock exits and is restarted each second).
  local ms sp holders most=0
  one_logger() {
    ms=$(procs_in "$log" multilog; procs_in "$log/main" multilog) sp=$(status_pid "$log") holders=$(lock_holders "$log/main/lock")
    [ "$(count "$ms")" -le "$most" ] || most=$(count "$ms")
    [ "$ms" = "$sp" ] && [ "$holders" = "$sp" ] && [ "${sp:-0}" != "$old_m" ] &&
      [ "$(up_seconds "$log")" -ge 2 ] 2> /dev/null
  }
  if poll 8 one_logger; then
    ok "restart: one multilog for tinydns/log after the restart ($sp, under the new supervise, holding the lock; at most $most at once)"
  else
    bad "restart: multilog for tinydns/log after kill -9 of its supervise: running: $(tr '\n' ' ' <<< "$ms")(old $old_m, at most $most at once), svstat: $("$svstat" "$log"), main/lock held by: $(tr '\n' ' ' <<< "$holders")"
  fi
  local loops
  loops=$(($(grep -c 'unable to lock' "$dns/svscan.err") - err_before))
  if [ "$loops" -le 1 ]; then
    ok "restart: no 'unable to lock' loop ($loops message)"
  else
    bad "restart: $loops 'unable to lock' messages after the restart: $(grep -m 1 'unable to lock' "$dns/svscan.err")"
  fi
  # The logger still gets tinydns's lines.
  local size
  size=$(stat -c %s "$log/main/current")
  dnsq a "$name" "$tiny_ip" > /dev/null 2>&1
  grown() { [ "$(stat -c %s "$log/main/current")" -gt "$size" ]; }
  poll 5 grown && ok "restart: a new query is logged in tinydns/log/main/current" ||
    bad "restart: a new query did not reach tinydns/log/main/current"

  # tinydns itself drops its privileges, which clears the parent-death signal: it
  # survives its supervise, and the new supervise takes it over (issue 14) instead of
  # starting a second copy beside it (the original does: it binds with SO_REUSEADDR).
  local old_t ts bind_before binds
  old_t=$(status_pid "$tiny")
  bind_before=$(grep -c 'unable to bind' "$dns/svscan.err")
  kill_supervise "$tiny" || return 1
  sleep 3
  ts=$(procs_in "$tiny/root" tinydns | tr '\n' ' ')
  binds=$(($(grep -c 'unable to bind' "$dns/svscan.err") - bind_before))
  if [ "$ts" = "$old_t " ] && [ "$(status_pid "$tiny")" = "$old_t" ]; then
    ok "restart: exactly one tinydns after kill -9 of its supervise, the old one ($old_t), taken over by the new supervise"
  else
    bad "restart: after kill -9 of tinydns's supervise: tinydns processes: ${ts:-none} (old $old_t); svstat: $("$svstat" "$tiny"); 'unable to bind' messages in 3 s: $binds"
  fi
  # And the adopted one is still controlled: svc -t restarts it, one copy again.
  "$dist/svc" -t "$tiny"
  restarted() { ts=$(procs_in "$tiny/root" tinydns | tr '\n' ' '); [ -n "$ts" ] && [ "$ts" != "$old_t " ] && [ "$(count "$ts")" = 1 ]; }
  poll 5 restarted && ok "restart: svc -t ended the adopted tinydns and one new one runs ($ts)" ||
    bad "restart: after svc -t of the adopted tinydns: tinydns processes: ${ts:-none} (old $old_t)"
  # svc -X: supervise executes itself anew; tinydns and its supervise keep their pids.
  local sup_t new_t
  sup_t=$(procs_in "$tiny" supervise) new_t=$(status_pid "$tiny")
  "$dist/svc" -X "$tiny"
  sleep 1
  [ "$(procs_in "$tiny" supervise)" = "$sup_t" ] && [ "$(status_pid "$tiny")" = "$new_t" ] &&
    [ "$(procs_in "$tiny/root" tinydns)" = "$new_t" ] &&
    ok "restart: svc -X upgraded tinydns's supervise in place (supervise $sup_t and tinydns $new_t kept)" ||
    bad "restart: after svc -X: supervise $(procs_in "$tiny" supervise) (was $sup_t), tinydns $(procs_in "$tiny/root" tinydns) (was $new_t)"
  dnsq a "$name" "$tiny_ip" 2> /dev/null | grep -q "^answer: $name " &&
    ok "restart: tinydns still answers after kill -9 of its supervise" ||
    bad "restart: tinydns does not answer after kill -9 of its supervise"
}

# === tcpserver: a ucspi-tcp service logged by multilog ===================================
section_tcpserver() {
  local root=$tmp/tcp port= svc_dir
  svc_dir=$root/sv/echo
  mkdir -p "$root/service" "$svc_dir/log"
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || break
  done
  printf '#!/bin/sh\nexec 2>&1\nexec tcpserver -vRHl0 127.0.0.1 %s echo hello\n' "$port" > "$svc_dir/run"
  printf '#!/bin/sh\nexec multilog t ./main\n' > "$svc_dir/log/run"
  chmod +x "$svc_dir/run" "$svc_dir/log/run"
  ln -s "$svc_dir" "$root/service/"
  start_svscan "$root"
  poll 10 is_up "$svc_dir" && poll 10 is_up "$svc_dir/log" ||
    { bad "tcpserver: not up: $("$svstat" "$svc_dir" "$svc_dir/log")"; return 1; }
  listening() { stamped "$svc_dir/log/main/current" 'tcpserver: status: 0/40'; }
  poll 10 listening ||
    { bad "tcpserver: no 'status: 0/40' in the log: $(cat "$svc_dir/log/main/current" 2>&1)"; return 1; }
  local line=
  exec 3<> "/dev/tcp/127.0.0.1/$port" && IFS= read -r -t 5 line <&3
  exec 3<&-
  [ "$line" = hello ] && ok "tcpserver: a connection to 127.0.0.1:$port gets hello" ||
    bad "tcpserver: a connection to 127.0.0.1:$port got '$line'"
  local pid
  served() {
    pid=$(sed -n 's/^@[0-9a-f]* tcpserver: pid \([0-9]*\) from 127\.0\.0\.1$/\1/p' "$svc_dir/log/main/current" | tail -n 1)
    [ -n "$pid" ] && stamped "$svc_dir/log/main/current" "tcpserver: ok $pid 0:127\\.0\\.0\\.1:$port :127\\.0\\.0\\.1::[0-9]+" &&
      stamped "$svc_dir/log/main/current" "tcpserver: end $pid status 0"
  }
  poll 5 served && ok "tcpserver: multilog has tcpserver's pid, ok and end lines for the connection" ||
    bad "tcpserver: log/main/current: $(tail -n 4 "$svc_dir/log/main/current" 2>&1)"
}

# === debian-run: Debian's daemontools-run layout, update-service, svscanboot ===========
section_debian_run() {
  local r=$tmp/debian-run cmd=$tmp/debian-run/command sv us unit exec_start prog
  dpkg-deb -x "$deb" "$r" || { bad "debian-run: dpkg-deb -x $deb failed"; return 1; }
  mkdir -p "$cmd" && ln -s "$dist"/* "$cmd/"
  # update-service with its absolute paths moved into the scratch root.
  us=$tmp/update-service
  sed -e "s|\"\${svdir#/etc/}\"|\"\${svdir#$r/etc/}\"|" \
    -e "s|/var/lib/supervise/|$r/var/lib/supervise/|g" \
    -e "s|servicedir=/etc/service\$|servicedir=$r/etc/service|" \
    "$r/usr/sbin/update-service" > "$us"
  chmod +x "$us"
  [ "$(grep -c "$r" "$us")" = 4 ] ||
    { bad "debian-run: update-service changed: $(grep -c "$r" "$us") of 4 lines moved"; return 1; }
  unit=$r/lib/systemd/system/daemontools-run.service
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  read -r prog sv <<< "$exec_start"
  [ "$prog" = /usr/bin/svscanboot ] && [ "$sv" = /etc/service/ ] ||
    { bad "debian-run: the unit runs '$exec_start', not /usr/bin/svscanboot /etc/service/"; return 1; }
  sv=$r$sv

  local d=$r/etc/sv/hello
  mkdir -p "$d/log"
  printf '#!/bin/sh\nexec 2>&1\necho hello from etc/sv\nexec sleep 1000\n' > "$d/run"
  printf '#!/bin/sh\nexec multilog t ./main\n' > "$d/log/run"
  chmod +x "$d/run" "$d/log/run"
  local out
  out=$(PATH=$cmd:$PATH "$us" --add "$d" 2>&1)
  if [ "$out" = "Service hello added." ] && [ "$(readlink "$sv/hello")" = "$d" ] &&
    [ "$(readlink "$d/supervise")" = "$r/var/lib/supervise/hello" ] &&
    [ "$(readlink "$d/log/supervise")" = "$r/var/lib/supervise/hello.log" ] &&
    [ ! -e "$d/supervise" ]; then
    ok "debian-run: update-service --add: ${sv}hello -> $d, supervise -> /var/lib/supervise/hello (dangling)"
  else
    bad "debian-run: update-service --add printed '$out'; links: $(ls -l "$sv" "$d" "$d/log" 2>&1 | grep -- '->' | tr '\n' ';')"
    return 1
  fi

  # The unit's ExecStart, with our svscanboot and our tools as its command directory.
  (cd "$r" && SVSCANBOOT_COMMAND=$cmd exec setsid "$boot" "$sv" < /dev/null > /dev/null 2>&1) &
  local boot_pid=$! svscan_pid= rpt_pid=
  disown "$boot_pid"
  found() {
    svscan_pid=$(pgrep -s "$boot_pid" -x svscan) && rpt_pid=$(pgrep -s "$boot_pid" -x readproctitle)
  }
  poll 5 found || { bad "debian-run: no svscan and readproctitle under svscanboot"; return 1; }
  [ "$(exe_of "$svscan_pid")" = "$dist/svscan" ] && ok "debian-run: svscanboot runs $dist/svscan on $sv" ||
    bad "debian-run: svscanboot's svscan is $(exe_of "$svscan_pid")"
  title() { ps -ww -o args= -p "$rpt_pid" | sed 's/^readproctitle service errors: \.*//'; }
  if poll 10 is_up "$sv/hello" && poll 10 is_up "$sv/hello/log"; then
    ok "debian-run: hello and hello/log are up"
  else
    bad "debian-run: $("$svstat" "$sv/hello" "$sv/hello/log" | tr '\n' ';') readproctitle shows: $(title)"
  fi
  local s
  for s in hello hello.log; do
    if [ -d "$r/var/lib/supervise/$s" ] && [ "$(stat -c %a "$r/var/lib/supervise/$s")" = 700 ] &&
      [ -f "$r/var/lib/supervise/$s/lock" ] && [ -p "$r/var/lib/supervise/$s/control" ]; then
      ok "debian-run: supervise made /var/lib/supervise/$s (mode 700) with lock and control"
    else
      bad "debian-run: /var/lib/supervise/$s: $(ls -la "$r/var/lib/supervise/$s" 2>&1 | tr '\n' ' ')"
    fi
  done
  logged() { stamped "$d/log/main/current" 'hello from etc/sv'; }
  poll 5 logged && ok "debian-run: multilog has the service's line in log/main/current" ||
    bad "debian-run: log/main/current: $(cat "$d/log/main/current" 2>&1)"

  out=$(PATH=$cmd:$PATH "$us" --remove "$d" 2>&1)
  [ "$out" = "Service hello removed, the service daemon received the TERM and CONT signals." ] &&
    [ ! -e "$sv/hello" ] && [ ! -L "$sv/hello" ] && ok "debian-run: update-service --remove" ||
    bad "debian-run: update-service --remove printed '$out'"
  gone() { [ -z "$(procs_in "$d")$(procs_in "$d/log")" ]; }
  if poll 10 gone && sleep 1 && gone; then
    ok "debian-run: hello, hello/log and their supervise processes stopped, and stay stopped"
  else
    bad "debian-run: still running in $d: $(for p in $(procs_in "$d") $(procs_in "$d/log"); do printf '%s ' "$p:$(cat "/proc/$p/comm")"; done)"
  fi
}

times=
timed() { local t=$SECONDS; "$@"; times+=" ${1#section_} $((SECONDS - t)) s"; }
timed section_dns && timed section_restart
timed section_tcpserver
timed section_debian_run
note "tools from $dist; tinydns at $tiny_ip, dnscache at $cache_ip; times:$times"
if [ "$failures" = 0 ]; then
  echo "real daemons test: ok ($checks checks)"
else
  echo "real daemons test: $failures of $checks checks failed"
  exit 1
fi
