#!/usr/bin/env bash
# svscan beside the Debian peers (daemontools svscan, runit runsvdir, s6-svscan), in one
# run on this machine, each scanner with its own supervisors:
#   1. pickup: a new service symlinked into the scan directory -> its ./run executing
#      (median of PICKUP_N, default 10; the peers rescan on a timer; s6-svscan only when
#      told, so it is measured as is and with s6-svscanctl -a after the link);
#   2. memory: the scanner plus 100 supervised services, excluding the services themselves
#      (sum of Pss over the scanner and its supervisors, median of TREE_RUNS, default 3).
# Prints the table (as bench/all.sh does) and the project's targets.
# Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours svscan supervise svc svstat
bench_peers
bench_tmp
bench_run python3 bench/bench.py --verdicts svscan
