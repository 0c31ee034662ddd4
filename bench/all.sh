#!/usr/bin/env bash
# The whole comparison in one run on this machine (issue 7): ours
# (target/dist/x86_64-unknown-linux-musl, sizes for every built target) beside the Debian
# packages daemontools, runit, s6 and busybox-static, each piece for every implementation
# that has it:
#   sizes      bytes per tool per target; ours beside the peers' files and the shared
#              libraries they load
#   supervise  memory (USS) of one supervisor watching `sleep`; kill -9 of the child and
#              `svc -t` (`sv term`, `s6-svc -t`) to the next child; one status query; svok
#   svscan     a new service symlinked in -> its ./run running (s6-svscan as is, and told
#              with s6-svscanctl -a); scanner + 100 supervisors (PSS)
#   multilog   1,000,000 lines of 100 bytes through multilog / svlogd / s6-log, every line
#              accounted for, and each logger's peak memory
#   tai64      1,000,000 lines through tai64n and tai64nlocal (TZ unset and Europe/Berlin)
# Prints one markdown table per family: medians [min-max] and the ratio peer / ours (above
# 1: ours is smaller or faster). Installs what it needs through apt (as root or with sudo);
# runit and busybox-static are only unpacked into target/bench/peers/, their maintainer
# scripts are not run. Counts: RUNS, N, QUERIES, MEM_N, PICKUP_N, TREE_RUNS,
# S6_DEFAULT_WAIT (bench/bench.py lists them and their defaults). The per-family
# scripts (supervise.sh, svscan.sh, multilog.sh, tai64.sh) run one family each, with the
# project's targets. Build first: targets/build.sh
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours supervise svc svok svstat svscan multilog tai64n tai64nlocal
bench_peers
bench_lines
bench_tmp
bench_run python3 bench/bench.py sizes supervise svscan multilog tai64
echo
echo "Wall time of bench/all.sh: $SECONDS s"
