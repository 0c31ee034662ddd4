#!/usr/bin/env bash
# supervise, svc, svstat and svok beside the Debian peers (daemontools supervise, runit
# runsv, s6-supervise), in one run on this machine:
#   1. memory of one supervisor watching `sleep` (USS = Private_Clean + Private_Dirty of
#      /proc/PID/smaps_rollup, MEM_N of each, default 3);
#   2. kill -9 of the child to the next child (the new status's TAI64N stamp), N times
#      (default 20);
#   3. `svc -t` (`sv term`, `s6-svc -t`) to the next child, the same way;
#   4. one status query (`svstat`, `sv status`, `s6-svstat`) and one svok (hyperfine -N,
#      QUERIES runs, default 200).
# Prints the table (as bench/all.sh does) and the project's targets; exits 0 whatever
# the verdicts (it is a report). Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours supervise svc svok svstat
bench_peers
bench_tmp
bench_run python3 bench/bench.py --verdicts supervise
