#!/usr/bin/env bash
# The main job: build the tools for this machine, supervise a demo service, and show its
# status and its log.
set -euo pipefail
cd "$(dirname "$0")/.."
t=$(targets/host-target.sh)
rustup component list --installed 2>/dev/null | grep -q '^rust-src' || rustup component add rust-src
targets/build.sh "$t"
bin=$PWD/target/dist/$t
export PATH="$bin:$PATH"
echo; echo "== tools built in $bin:"; ls -l "$bin"

work=$(mktemp -d)
trap 'svc -dx "$work/clock" 2>/dev/null || true; sleep 0.3; rm -rf "$work"' EXIT
mkdir "$work/clock"
# The service logs a line a second, labelled by tai64n. One process: `run` becomes the
# shell loop, so svc -t and svc -d reach all of it.
cat > "$work/clock/run" <<'RUN'
#!/bin/sh
exec sh -c 'n=0; while :; do n=$((n+1)); echo "tick $n (pid $$)" | tai64n >> ../clock.log; sleep 1; done'
RUN
chmod +x "$work/clock/run"

echo; echo "== supervise $work/clock"
supervise "$work/clock" < /dev/null > /dev/null 2> "$work/supervise.err" &
sleep 2.5
svstat "$work/clock"
echo; echo "== svc -t (the service is killed; supervise restarts it at once):"
svc -t "$work/clock"; sleep 0.3
svstat "$work/clock"
sleep 1.5
echo; echo "== its log, in local time (tai64nlocal):"
tai64nlocal < "$work/clock.log"
echo; echo "== svc -dx (stop the service, then supervise):"
svc -dx "$work/clock"; sleep 0.3
svstat "$work/clock"
