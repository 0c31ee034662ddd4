#!/usr/bin/env bash
# Print the size in bytes of every tool on every built target, against its budget
# (targets/size-budget.txt). Build first: targets/build.sh. Exit 1 if one is over.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t targets < <(grep -v '^#' targets/targets.txt | awk 'NF {print $1}')
over=0
printf '%-12s %7s' tool budget
for t in "${targets[@]}"; do printf ' %9s' "${t%%-*}"; done; echo
while read -r tool budget _; do
  printf '%-12s %7s' "$tool" "$budget"
  for t in "${targets[@]}"; do
    f="target/dist/$t/$tool"
    if [ -f "$f" ]; then
      size=$(stat -c %s "$f")
      mark=''; if [ "$size" -gt "$budget" ]; then mark='!'; over=1; fi
      printf ' %9s' "$size$mark"
    else printf ' %9s' '-'; fi
  done; echo
done < <(grep -v '^#' targets/size-budget.txt | awk 'NF')
[ $over = 0 ] || { echo "over budget (marked !)" >&2; exit 1; }
