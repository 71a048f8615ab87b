#!/bin/bash
# The README's parallel-efficiency figure: the 100-scenario sweep of the seed
# design (docs/perf/sweep-100.toml, 100 scenarios × 10 replications of one
# simulated minute) on 1 and on 2 threads, alternating, ROUNDS times; prints
# each wall time, the load average before each run, and the efficiency
# T1 / (2 · T2) from the medians. Peak memory (10 vs 100 scenarios) with
# /usr/bin/time -v. Usage: docs/perf/measure.sh [BINARY] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/stacksim}
rounds=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wall() { # threads → seconds
    local s e
    s=$(date +%s.%N)
    "$bin" run docs/perf/sweep-100.toml --threads "$1" --no-charts -q --out "$out/t$1"
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
t1=() t2=()
for r in $(seq "$rounds"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    a=$(wall 1)
    load2=$(cut -d' ' -f1 /proc/loadavg)
    b=$(wall 2)
    echo "round $r: 1 thread ${a} s (load before $load), 2 threads ${b} s (load before $load2)"
    t1+=("$a") t2+=("$b")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
m1=$(median "${t1[@]}") m2=$(median "${t2[@]}")
echo "median: 1 thread $m1 s, 2 threads $m2 s, speed-up $(echo "scale=3; $m1/$m2" | bc), efficiency $(echo "scale=1; 100*$m1/(2*$m2)" | bc)%"
cmp -s "$out/t1/summary.csv" "$out/t2/summary.csv" && echo "summary.csv identical on 1 and 2 threads"
for n in 10 100; do
    kb=$(/usr/bin/time -v "$bin" run "docs/perf/sweep-$n.toml" --no-charts -q --out "$out/m$n" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
    echo "peak RSS, $n scenarios × 10 replications: $((kb / 1024)) MiB ($kb KiB)"
done
