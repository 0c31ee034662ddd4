#!/bin/bash
# Runs every fuzz target (or the ones named) for SECONDS each, default 60, one after the
# other with a single libFuzzer process, and prints each run's figures:
#
#     core/fuzz/run-all.sh [SECONDS [TARGET...]]
#
# Installs cargo-fuzz if it is missing. Logs go to core/fuzz/target/run-TARGET.log, a
# failing input to core/fuzz/artifacts/TARGET/. Exits 1 if any target failed.
set -eu
seconds=${1:-60}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.." # core/, where cargo fuzz looks for fuzz/
export RUSTC_BOOTSTRAP=1 # the stable toolchain takes the sanitizer flags
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
cargo fuzz build
failed=()
for target in "${targets[@]}"; do
    log=fuzz/target/run-$target.log
    # New inputs go to a scratch corpus: the seed corpus in git stays as it is.
    mkdir -p "fuzz/target/corpus/$target"
    if cargo fuzz run "$target" "fuzz/target/corpus/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        failed+=("$target")
    fi
    done_line=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 execs in \2 s/p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    final=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' || true)
    echo "$target: $result, ${done_line:-?} (${speed:-?}/s), $final"
    [ $result = ok ] || grep -E 'panicked|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]} (see fuzz/target/run-TARGET.log)"; exit 1; }
