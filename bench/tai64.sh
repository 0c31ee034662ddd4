#!/usr/bin/env bash
# Throughput of the timestamp tools beside the Debian peers, in one run on this machine:
# 1,000,000 lines of 100 bytes through tai64n (ours, daemontools, s6-tai64n) and
# tai64nlocal (ours, daemontools, s6-tai64nlocal; TZ unset and TZ=Europe/Berlin). Prints
# medians (hyperfine, RUNS runs each, default 10) with their ratios and the project's
# targets. Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours tai64n tai64nlocal
bench_peers
bench_lines
bench_tmp
bench_run python3 bench/bench.py --verdicts tai64
