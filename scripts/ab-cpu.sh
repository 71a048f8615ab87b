#!/bin/bash
# A/B speed of stacksim builds against the yardstick by CPU time (user +
# sys), which a loaded machine disturbs far less than wall time.
# Usage: scripts/ab-cpu.sh YARDSTICK MODEL(A|C) REQUESTS ROUNDS STACKSIM...
# Each round runs every binary once, then the yardstick (alternating); prints
# per binary the median CPU seconds and the yardstick's median as a share of
# it (100% = as fast as the yardstick), and the same for the fastest runs
# (the least disturbed when something else shares the machine).
set -eu
ys_bin=$1 model=$2 n=$3 rounds=$4; shift 4
file=models/bench-mm1.toml; [ "$model" = C ] && file=models/bench-c.toml
declare -A res
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1+$2}'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
fastest() { tr ' ' '\n' | grep . | sort -n | head -1; }
for _ in $(seq "$rounds"); do
    for b in "$@"; do res[$b]+="$(cpu "$b" bench --one "$file" "$n" 1 1) "; done
    res[yardstick]+="$(cpu "$ys_bin" "$model" "$n" 1 --pct hdr) "
done
ys=$(echo "${res[yardstick]}" | median)
ysf=$(echo "${res[yardstick]}" | fastest)
for k in "$@" yardstick; do
    m=$(echo "${res[$k]}" | median)
    f=$(echo "${res[$k]}" | fastest)
    share() { awk "BEGIN{printf \"%.0f%%\", 100*$1/$2}"; }
    echo "$k: median CPU ${m}s, yardstick/this $(share "$ys" "$m"); fastest ${f}s, $(share "$ysf" "$f")  [${res[$k]}]"
done
