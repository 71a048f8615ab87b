#!/usr/bin/env bash
# Refreshes the charts shown in README.md (docs/charts/*.png): runs the
# bundled failure experiments, the balancer comparison, the load sweep, the
# availability study and the capacity plan with their own seeds and
# settings, and copies the PNGs they draw.
# Usage: bash docs/refresh-charts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=target/release/stacksim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for e in lose-a-server lose-load-balancer compare-balancers load-sweep replication-lag lose-db-primary replication-link; do
    "$bin" run "experiments/$e.toml" --out "$out/$e" --quiet
done
"$bin" availability experiments/seed-limitations.toml --out "$out/seed-limitations" >/dev/null
"$bin" plan experiments/capacity-plan.toml --out "$out/capacity-plan" >/dev/null
mkdir -p docs/charts
cp "$out/lose-a-server/latency-over-time-default-checks.png" docs/charts/lose-a-server-latency.png
cp "$out/lose-a-server/outcomes.png" docs/charts/lose-a-server-outcomes.png
cp "$out/lose-load-balancer/latency-over-time-keepalived.png" docs/charts/lose-load-balancer-latency.png
cp "$out/lose-load-balancer/outcomes.png" docs/charts/lose-load-balancer-outcomes.png
cp "$out/compare-balancers/latency-distribution.png" docs/charts/compare-balancers-distribution.png
cp "$out/compare-balancers/utilisation.png" docs/charts/compare-balancers-utilisation.png
cp "$out/seed-limitations/availability.png" docs/charts/seed-limitations-availability.png
cp "$out/load-sweep/sweep.png" docs/charts/load-sweep.png
cp "$out/capacity-plan/plan.png" docs/charts/capacity-plan.png
cp "$out/replication-lag/replication-summary.png" docs/charts/replication-lag-summary.png
cp "$out/replication-lag/replication-lag.png" docs/charts/replication-lag-over-time.png
cp "$out/lose-db-primary/latency-over-time-orchestrator-semisync.png" docs/charts/lose-db-primary-semisync-latency.png
cp "$out/lose-db-primary/replication-lag.png" docs/charts/lose-db-primary-lag.png
cp "$out/replication-link/replication-lag.png" docs/charts/replication-link-lag.png
echo "refreshed docs/charts/"
ls -l docs/charts
