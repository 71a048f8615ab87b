//! The command line: clap structs mirroring what the user types, and one
//! function per subcommand that turns them into library calls. The only
//! module that knows clap. Errors come back as [`CliError`], which `main`
//! maps to an exit code: 2 for bad input (nothing is written), 1 for a
//! failure while writing results.

use crate::experiment::{self, capacity};
use crate::report;
use crate::spec::{self, Input, Overrides};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// Simulate an experiment and write its CSVs into output/<experiment>/.
    Run(RunArgs),
    /// Validate a model or experiment; print its topology and offered load.
    Check(CheckArgs),
    /// Measure simulation speed (requests/s, events/s, peak memory).
    Bench(crate::experiment::bench::BenchArgs),
    /// Simulate component failures and repairs over years: the site's availability.
    Availability(AvailabilityArgs),
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
}

#[derive(Args, Debug)]
pub struct AvailabilityArgs {
    /// A model or experiment file (TOML); for an experiment, every scenario.
    pub file: PathBuf,
    /// Simulated years per replication.
    #[arg(long, default_value_t = 100)]
    pub years: u32,
    /// Replications per scenario.
    #[arg(long, default_value_t = 10)]
    pub replications: u32,
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

/// How a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The input is wrong: exit code 2, nothing written.
    Input(String),
    /// Something failed while running or writing: exit code 1.
    Runtime(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }
    pub fn message(&self) -> &str {
        match self {
            CliError::Input(m) | CliError::Runtime(m) => m,
        }
    }
}

impl From<spec::SpecError> for CliError {
    fn from(e: spec::SpecError) -> Self {
        CliError::Input(e.to_string())
    }
}

/// Runs the parsed command line, printing to `out`.
pub fn execute(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    match cli.command {
        Command::Run(a) => run(a, out),
        Command::Check(a) => check(a, out),
        Command::Bench(a) => crate::experiment::bench::bench(&a, out).map_err(CliError::Runtime),
        Command::Availability(a) => availability(a, out),
    }
}

fn io(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // The reader went away (`stacksim check … | head`): not an error worth a message.
        CliError::Runtime(String::new())
    } else {
        CliError::Runtime(format!("cannot print: {e}"))
    }
}

fn run(a: RunArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let overrides = Overrides {
        sets: a.overrides.set.clone(),
        seed: a.seed,
        replications: a.replications,
    };
    let exp = spec::load_experiment(&a.experiment, &overrides)?;
    if a.threads == Some(0) {
        return Err(CliError::Input("--threads must be at least 1".into()));
    }
    if !exp.allow_overload {
        let mut msgs = vec![];
        for sc in &exp.scenarios {
            for s in capacity::unbounded_overloads(sc) {
                msgs.push(format!(
                    "error: {}: scenario `{}`: station {} is offered ρ = {:.2} ≥ 1 ({:.1} req/s × {:.3} ms / {} workers) and its queue has no limit, so the run would never reach a steady state\n  help: add workers, lower the rate, set a `queue_limit`, or set `allow_overload = true` to run it anyway",
                    a.experiment.display(),
                    sc.name,
                    s.station,
                    s.rho,
                    s.lambda_per_s,
                    s.mean_hold_s * 1e3,
                    s.workers
                ));
            }
        }
        if !msgs.is_empty() {
            return Err(CliError::Input(msgs.join("\n")));
        }
    }
    let total: usize = exp
        .scenarios
        .iter()
        .map(|s| s.run.replications as usize)
        .sum();
    let done = AtomicUsize::new(0);
    let show = !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = || {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if show {
            eprint!("\r{n}/{total} replications");
            if n == total {
                eprintln!();
            }
        }
    };
    let started = std::time::Instant::now();
    let results = experiment::run(&exp, a.threads, &progress).map_err(|e| {
        // A model that cannot be run is bad input (exit 2); nothing is written.
        if e.is_model_error() {
            CliError::Input(e.to_string())
        } else {
            CliError::Runtime(e.to_string())
        }
    })?;
    let wall = started.elapsed().as_secs_f64();
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&exp.name));
    let (sums, files) = report::write_all(&dir, &results).map_err(CliError::Runtime)?;
    if !a.quiet {
        let events: u64 = results
            .iter()
            .flat_map(|s| &s.replications)
            .map(|r| r.events)
            .sum();
        writeln!(
            out,
            "{}: {} scenario(s) × replications, {} events in {:.2} s wall",
            exp.name,
            results.len(),
            events,
            wall
        )
        .map_err(io)?;
        write!(out, "{}", report::table::render(&sums)).map_err(io)?;
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        writeln!(out, "wrote {}/{{{}}}", dir.display(), names.join(",")).map_err(io)?;
    }
    Ok(())
}

fn check(a: CheckArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let overrides = Overrides {
        sets: a.overrides.set.clone(),
        ..Overrides::default()
    };
    match spec::load_input(&a.file, &overrides)? {
        Input::Model {
            name,
            model,
            workload,
        } => {
            if a.mermaid {
                return write!(out, "{}", report::topology::mermaid(&model)).map_err(io);
            }
            writeln!(out, "model {name} ({}): ok", a.file.display()).map_err(io)?;
            write!(out, "{}", report::topology::topology(&model)).map_err(io)?;
            match workload {
                Some(w) => {
                    writeln!(out, "{}", report::topology::workload(&w)).map_err(io)?;
                    let sc = crate::stack::config::Scenario {
                        name: name.clone(),
                        model,
                        workload: w,
                        faults: vec![],
                        random_failures: false,
                        run: crate::stack::config::RunConfig {
                            duration: crate::engine::SimDuration::from_secs(60),
                            warmup: crate::engine::SimDuration::ZERO,
                            drain: crate::engine::SimDuration::ZERO,
                            window: crate::engine::SimDuration::from_secs(1),
                            replications: 1,
                            seed: 1,
                        },
                    };
                    write!(out, "{}", report::topology::loads(&capacity::report(&sc)))
                        .map_err(io)?;
                }
                None => writeln!(
                    out,
                    "no [workload] in the model: give one to see the offered load"
                )
                .map_err(io)?,
            }
        }
        Input::Experiment(exp) => {
            if a.mermaid {
                let first = exp
                    .scenarios
                    .first()
                    .ok_or_else(|| CliError::Input("no scenarios".into()))?;
                return write!(out, "{}", report::topology::mermaid(&first.model)).map_err(io);
            }
            writeln!(
                out,
                "experiment {} ({}): ok, {} scenario(s)",
                exp.name,
                a.file.display(),
                exp.scenarios.len()
            )
            .map_err(io)?;
            for (i, sc) in exp.scenarios.iter().enumerate() {
                writeln!(
                    out,
                    "\n== scenario {}: {} replication(s) of {} (warm-up {})",
                    sc.name, sc.run.replications, sc.run.duration, sc.run.warmup
                )
                .map_err(io)?;
                if i == 0 {
                    write!(out, "{}", report::topology::topology(&sc.model)).map_err(io)?;
                }
                writeln!(out, "{}", report::topology::workload(&sc.workload)).map_err(io)?;
                write!(out, "{}", report::topology::faults(sc)).map_err(io)?;
                write!(out, "{}", report::topology::loads(&capacity::report(sc))).map_err(io)?;
            }
        }
    }
    Ok(())
}

fn availability(a: AvailabilityArgs, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::experiment::availability::{self as av, Target};
    let overrides = Overrides {
        sets: a.overrides.set.clone(),
        ..Overrides::default()
    };
    let (name, seed, targets) = match spec::load_input(&a.file, &overrides)? {
        Input::Model {
            name,
            model,
            workload,
        } => {
            let t = Target {
                name: name.clone(),
                model,
                workload,
            };
            (name, 1, vec![t])
        }
        Input::Experiment(exp) => {
            let seed = exp.scenarios.first().map_or(1, |s| s.run.seed);
            let targets = (exp.scenarios.into_iter())
                .map(|s| Target {
                    name: s.name,
                    model: s.model,
                    workload: Some(s.workload),
                })
                .collect();
            (exp.name, seed, targets)
        }
    };
    let settings = av::Settings {
        years: a.years,
        replications: a.replications,
        seed: a.seed.unwrap_or(seed),
        detection: !a.no_detection,
    };
    let started = std::time::Instant::now();
    let res = av::run(&targets, &settings).map_err(CliError::Input)?;
    let wall = started.elapsed().as_secs_f64();
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(&name));
    let files = report::availability_out::write(&dir, &res).map_err(CliError::Runtime)?;
    writeln!(
        out,
        "{name}: availability of {} scenario(s), {} × {} simulated years each, seed {}, in {wall:.2} s wall",
        res.len(),
        settings.replications,
        settings.years,
        settings.seed
    )
    .map_err(io)?;
    write!(out, "{}", report::availability_out::render(&res)).map_err(io)?;
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    writeln!(out, "\nwrote {}/{{{}}}", dir.display(), names.join(",")).map_err(io)?;
    Ok(())
}
