//! The command line: clap structs mirroring what the user types, [`Plan`]
//! (the one conversion of those structs into checked, plain settings), and
//! one function per subcommand that turns a plan into library calls. The
//! only library module that knows clap. Errors come back as
//! [`crate::Error`], whose kind `main` maps to an exit code: 2 for bad input
//! (nothing is written), 1 for a failure while writing results.

use crate::Error;
use crate::experiment::progress::{self, Progress};
use crate::experiment::{self, bench, capacity};
use crate::input::{self, Input, Overrides};
use crate::report;
use crate::sharded;
use clap::{Args, Parser, Subcommand};

pub(crate) mod commands;
use commands::{availability, check, plan, run};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "stacksim",
    version,
    about = "Discrete-event simulator and capacity planner for web infrastructure"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate an experiment; write its CSVs, charts and report into output/<experiment>/.
    ///
    /// How to read the figures: latency columns (mean, p50 … p99.9, max) are
    /// over *successful* requests only — failed ones are counted in `failed`
    /// and `availability`, by reason in failures.csv. Percentiles are the mean
    /// over replications of each replication's percentile (so their ± is a
    /// real 95% confidence interval); `max_ms` in summary.csv is the largest
    /// latency of any replication. The results folder is replaced whole, only
    /// once everything is written.
    Run(RunArgs),
    /// Validate a model or experiment; print its topology and offered load.
    Check(CheckArgs),
    /// Measure simulation speed (requests/s, events/s, peak memory).
    Bench(BenchArgs),
    /// Simulate component failures and repairs over years: the site's availability.
    Availability(AvailabilityArgs),
    /// Rebuild the charts and reports of a results folder from its files (no simulation).
    Report(ReportArgs),
    /// Search an experiment's `[plan]` knob for the smallest fleet (or the highest rate) meeting its SLOs.
    Plan(PlanArgs),
    /// Combine the folders of `run --shard K/N` (all N of them) into one results
    /// folder, byte-identical to the same run on one machine.
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The experiment file (TOML) with a [plan] table.
    pub experiment: PathBuf,
    /// Output folder (default: output/<experiment name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides the experiment's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Write plan.csv only: no chart, no report.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shard folders (any order).
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// The results folder to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the CSVs only: no charts, no report.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Requests to simulate per measurement (the 10× run uses ten times this).
    #[arg(long, default_value_t = 1_000_000)]
    pub requests: u64,
    /// The yardstick binary (built from ../shared/bench) to compare with.
    #[arg(long)]
    pub yardstick: Option<PathBuf>,
    /// Folder holding bench-mm1.toml and bench-c.toml.
    #[arg(long, default_value = "models")]
    pub models: PathBuf,
    /// Internal: run one measurement `MODEL_FILE REQUESTS REPLICATIONS THREADS` and print it.
    #[arg(long, num_args = 4, hide = true)]
    pub one: Option<Vec<String>>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A folder written by `run` or `availability`.
    pub dir: PathBuf,
}

#[derive(Args, Debug, Clone, Default)]
pub struct OverrideArgs {
    /// Override a field: `--set workload.rate=900`, `--set servers.web1.app.workers=16`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The experiment file (TOML).
    pub experiment: PathBuf,
    /// Output folder (default: output/<experiment name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides the experiment's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications per scenario (overrides the experiment's `replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the CSVs only: no charts, no report.
    #[arg(long)]
    pub no_charts: bool,
    /// Run only shard K of N (K from 0 to N-1) of the scenario × replication
    /// cells and write a shard folder for `stacksim merge` (default
    /// output/<experiment>-shard-K-of-N).
    #[arg(long, value_name = "K/N", value_parser = shard_arg)]
    pub shard: Option<experiment::shard::Shard>,
}

fn shard_arg(text: &str) -> Result<experiment::shard::Shard, String> {
    experiment::shard::Shard::parse(text).map_err(|e| e.to_string())
}

#[derive(Args, Debug)]
pub struct AvailabilityArgs {
    /// A model or experiment file (TOML); for an experiment, every scenario.
    pub file: PathBuf,
    /// Simulated years per replication.
    #[arg(long, default_value_t = 100)]
    pub years: u32,
    /// Replications per scenario (default: the experiment's `replications`,
    /// 10 for a model).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Master seed (default: the experiment's `seed`, 1 for a model).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Repair starts at the failure: no alert or notice delay.
    #[arg(long)]
    pub no_detection: bool,
    /// Output folder (default: output/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Write the CSVs only: no charts, no report.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A model or experiment file (TOML).
    pub file: PathBuf,
    /// Print the topology as a mermaid graph instead.
    #[arg(long)]
    pub mermaid: bool,
    #[command(flatten)]
    pub overrides: OverrideArgs,
}

/// The command line, converted once and checked: the overrides every
/// loader gets, the thread count checked before anything is loaded, and
/// `bench`'s settings as plain types.
#[derive(Debug)]
pub enum Plan {
    Run(RunArgs, Overrides),
    Check(CheckArgs, Overrides),
    Bench(bench::Settings),
    Availability(AvailabilityArgs, Overrides),
    Report(PathBuf),
    Plan(PlanArgs, Overrides),
    Merge(MergeArgs),
}

impl Plan {
    /// The one conversion from clap's structs.
    pub fn new(command: Command) -> Result<Plan, Error> {
        let overrides =
            |o: &OverrideArgs, seed: Option<u64>, replications: Option<u32>| Overrides {
                sets: o.set.clone(),
                seed,
                replications,
            };
        Ok(match command {
            Command::Run(a) => {
                let o = overrides(&a.overrides, a.seed, a.replications);
                experiment::check_threads(a.threads)?;
                Plan::Run(a, o)
            }
            Command::Check(a) => {
                let o = overrides(&a.overrides, None, None);
                Plan::Check(a, o)
            }
            Command::Availability(a) => {
                let o = overrides(&a.overrides, None, None);
                Plan::Availability(a, o)
            }
            Command::Bench(a) => Plan::Bench(bench::Settings {
                requests: a.requests,
                yardstick: a.yardstick,
                models: a.models,
                one: a.one.as_deref().map(bench::One::parse).transpose()?,
            }),
            Command::Report(a) => Plan::Report(a.dir),
            Command::Plan(a) => {
                let o = overrides(&a.overrides, a.seed, None);
                experiment::check_threads(a.threads)?;
                Plan::Plan(a, o)
            }
            Command::Merge(a) => Plan::Merge(a),
        })
    }
}

/// Runs the parsed command line, printing to `out`.
pub fn execute(cli: Cli, out: &mut dyn Write) -> Result<(), Error> {
    match Plan::new(cli.command)? {
        Plan::Run(a, o) => run(a, &o, out),
        Plan::Check(a, o) => check(a, &o, out),
        Plan::Bench(settings) => bench::bench(&settings, out),
        Plan::Availability(a, o) => availability(a, &o, out),
        Plan::Plan(a, o) => plan(a, &o, out),
        Plan::Merge(a) => sharded::merge(&a.dirs, &a.out, a.quiet, a.no_charts, out),
        Plan::Report(dir) => {
            // Rebuilt in a staged copy, so the folder is never half old, half new.
            let staged = report::output::Staged::copy_of(&dir)?;
            let files = report::render_folder(staged.path())?;
            let dir = staged.commit()?;
            let names: Vec<String> = files.iter().map(|p| name_of(p)).collect();
            writeln!(out, "{}", wrote(&dir, &names)).map_err(io)
        }
    }
}

/// The `wrote …` line: the CSVs by name, the charts counted (each is a PNG
/// and an SVG), the reports by name.
pub(crate) fn wrote(dir: &std::path::Path, files: &[String]) -> String {
    let ext = |f: &String, e: &str| f.ends_with(&format!(".{e}"));
    let csvs: Vec<&str> = (files.iter())
        .filter(|f| ext(f, "csv"))
        .map(|f| f.trim_end_matches(".csv"))
        .collect();
    let mut parts = vec![];
    if !csvs.is_empty() {
        parts.push(format!("{{{}}}.csv", csvs.join(",")));
    }
    let charts = files.iter().filter(|f| ext(f, "png")).count();
    if charts > 0 {
        parts.push(format!("{charts} chart(s) as .png and .svg"));
    }
    parts.extend(
        (files.iter())
            .filter(|f| !ext(f, "csv") && !ext(f, "png"))
            .filter(|f| !ext(f, "svg") || f.as_str() == "topology.svg")
            .cloned(),
    );
    format!("wrote into {}/: {}", dir.display(), parts.join(", "))
}

/// A description as `check` prints it: wrapped to fit a terminal.
pub(super) fn wrap(text: &str) -> String {
    report::topology::for_terminal(text)
}

/// A written file's name, as the `wrote …` line lists it.
pub(crate) fn name_of(path: &std::path::Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

pub(crate) fn io(e: std::io::Error) -> Error {
    Error::print(e)
}
