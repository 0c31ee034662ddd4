#!/usr/bin/env bash
# The main job: build the tools for this machine, supervise a demo service with its
# logger, and show their status and the log.
set -euo pipefail
cd "$(dirname "$0")/.."
t=$(targets/host-target.sh)
targets/toolchain.sh
targets/build.sh "$t"
bin=$PWD/target/dist/$t
export PATH="$bin:$PATH"
echo; echo "== tools built in $bin:"; ls -l "$bin"

work=$(mktemp -d)
scan_pid=
stop() {
  # svscan stops the service, then its logger (so the last lines are logged), then exits.
  if [ -n "$scan_pid" ]; then kill -TERM "$scan_pid" 2>/dev/null || true; wait "$scan_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT
mkdir -p "$work/service/clock/log"
# The service prints a line a second; svscan pipes its output into the logger, multilog,
# which labels each line (t) and keeps it in ./main, rotated at 4096 bytes.
cat > "$work/service/clock/run" <<'RUN'
#!/bin/sh
exec sh -c 'n=0; while :; do n=$((n+1)); echo "tick $n (pid $$)"; sleep 1; done'
RUN
cat > "$work/service/clock/log/run" <<'RUN'
#!/bin/sh
exec multilog t s4096 ./main
RUN
chmod +x "$work/service/clock/run" "$work/service/clock/log/run"

echo; echo "== svscan $work/service"
svscan "$work/service" < /dev/null > /dev/null 2> "$work/svscan.err" &
scan_pid=$!
sleep 2.5
svstat "$work/service/clock" "$work/service/clock/log"
echo; echo "== svc -t (the service is killed; supervise restarts it at once):"
svc -t "$work/service/clock"; sleep 0.3
svstat "$work/service/clock"
sleep 1.5
echo; echo "== svc -a to the logger (multilog rotates current into an @ archive):"
svc -a "$work/service/clock/log"; sleep 0.3
ls "$work/service/clock/log/main"
sleep 1
echo; echo "== the log, in local time (tai64nlocal):"
cat "$work/service/clock/log/main"/@* "$work/service/clock/log/main/current" | tai64nlocal
echo; echo "== svscan stops on SIGTERM: the service, then its logger:"
kill -TERM "$scan_pid"; wait "$scan_pid" || true; scan_pid=
ls -l "$work/service/clock/log/main/current"
