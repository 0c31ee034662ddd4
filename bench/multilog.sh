#!/usr/bin/env bash
# Logger throughput beside the Debian peers, in one run on this machine: 1,000,000 lines of
# 100 bytes through `multilog t s1000000 n10 ./dir` (ours, daemontools), `svlogd -t ./dir`
# with s1000000 and n10 in ./dir/config (runit) and `s6-log t s1000000 n10 ./dir` (s6).
# Prints medians (hyperfine, RUNS runs each, default 10) with their ratios, each logger's
# peak memory, whether a run keeping 1000 files has every line once, in order, and the
# project's targets. Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours multilog
bench_peers
bench_lines
bench_tmp
bench_run python3 bench/bench.py --verdicts multilog
