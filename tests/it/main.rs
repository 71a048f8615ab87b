//! The integration tests, one binary with a module per topic:
//! - `availability`: `stacksim availability` against closed forms (CIs from replications), determinism;
//! - `capacity`: `check`'s analytic estimate (E2/M/1 behind a round robin) against a simulation's CI;
//! - `charts`: every chart's texts, awkward results, `report DIR`, `--no-charts`;
//! - `browser`: report.html in headless Chromium (required when CI=true);
//! - `theory`: the simulator against closed forms (confidence intervals from replications);
//! - `determinism`: same seed, same bytes, whatever the thread count;
//! - `bad_input`: every kind of bad input gives one clear message and exit code 2;
//! - `bad_input_files`: files that are not regular, too large or not UTF-8 (and the harness of:)
//! - `bad_input_words`: messages in the user's words, with long values clipped;
//! - `bad_input_sweep`: bad sweeps (ranges, axes, labels), each located at its axis;
//! - `bad_input_plan`: bad `[plan]` tables, each located at its key;
//! - `cli`: the command line as a user runs it;
//! - `experiments`: every bundled model and experiment runs;
//! - `fuzz`: mutated bundled files never crash, hang or exhaust stacksim, and every message is located and short;
//! - `failures`: health checks, retries, crashes and algorithms against computed expectations;
//! - `readme`: every TOML block of README.md passes `stacksim check` as written.
//! - `plan`: the capacity planner against Erlang C (M/M/c workers, rate, p99, an undecided point);
//! - `plan_fleet`: the planner on M/M/1 fleets (N+1) and an availability target;
//! - `plan_cli`: `stacksim plan` as a user runs it: determinism across threads, `report` rebuilds, Ctrl-C;
//! - `shard`: `run --shard K/N` + `merge` equal the unsharded run byte for byte; merge refuses shards that do not belong together;
//! - `sweep`: a two-axis sweep's names, axis columns, zip, and determinism across threads;
//! - `tidy`: walks `src/` and enforces the architecture invariants (ARCHITECTURE.md).
//! - `statistics`: CI coverage, MSER-5 warm-up, sequential stopping and common random numbers against computed expectations;
//! - `replication`: the replication component alone against closed forms and a reference history;
//! - `replication_wired`: replication through the whole stack (stale share, lag vs applier capacity, semi-sync latency, determinism);
//! - `replication_failover`: lost writes in a failover, a dead replica, orchestrator's block, a NULL lag while the primary is down, failover in `availability`;
//! - `replication_link`: a silent source's 0 lag until `net_timeout`, a partition between a replica and its source, windows computed from the timings;

mod availability;
mod bad_input;
mod bad_input_files;
mod bad_input_plan;
mod bad_input_sweep;
mod bad_input_words;
mod browser;
mod capacity;
mod charts;
mod cli;
mod common;
mod determinism;
mod experiments;
mod failures;
mod fuzz;
mod plan;
mod plan_cli;
mod plan_fleet;
mod readme;
mod replication;
mod replication_failover;
mod replication_link;
mod replication_wired;
mod shard;
mod statistics;
mod sweep;
mod theory;
mod tidy;
