//! One function per subcommand — `run`, `check`, `availability`, `plan` —
//! each turning its arguments and the plan's checked settings into library
//! calls and printing what the user reads. Part of the command line (the
//! clap structs are in `mod.rs`); `sharded.rs` holds `run --shard` and
//! `merge`.

use super::*;

pub(super) fn run(a: RunArgs, overrides: &Overrides, out: &mut dyn Write) -> Result<(), Error> {
    let exp = input::load_experiment(&a.experiment, overrides)?;
    if let Some(shard) = a.shard {
        let shard_out = a.out.clone();
        return sharded::run_shard(&exp, shard, shard_out, a.threads, a.quiet, out);
    }
    let total: usize = exp
        .scenarios
        .iter()
        .map(|s| s.run.replications as usize)
        .sum();
    // A pilot (warm-up "auto") or sequential stopping makes the count open.
    let open =
        (exp.scenarios.iter()).any(|s| s.run.stats.auto_warmup || s.run.stats.sequential.is_some());
    let show = !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = Progress::new((!open).then_some(total as u64), show);
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&exp.name));
    // Refuse a folder that is not ours before simulating, not after; the
    // scenarios are written into the staging folder as they finish.
    let staged = report::output::Staged::begin(&dir)?;
    let at = staged.path().to_path_buf();
    let mut writer = report::results::ResultsWriter::begin(&at)?;
    let started = std::time::Instant::now();
    let interrupt = progress::interrupt_flag();
    let opts = experiment::RunOptions {
        threads: a.threads,
        progress: &|| bar.tick(),
        cancel: interrupt.as_deref(),
    };
    let outcome = experiment::run_each(&exp, opts, &mut |s| writer.add(&s).map_err(Error::from))?;
    bar.finish();
    let finished = writer.sums().len();
    if outcome == experiment::Outcome::Interrupted && finished == 0 {
        return Err(Error::Interrupted {
            written: None,
            finished,
            total: exp.scenarios.len(),
        });
    }
    let wall = started.elapsed().as_secs_f64();
    let written = writer.finish(exp.sweep.as_ref())?;
    let header = format!(
        "{}: {}, {} events in {:.2} s wall",
        exp.name,
        cells_phrase(&written.replications),
        written.events,
        wall
    );
    let crn = (exp.scenarios.len() > 1).then(|| {
        exp.scenarios
            .iter()
            .all(|s| s.run.stats.common_random_numbers)
    });
    let mut files = written.files.clone();
    let meta = report::meta::write_experiment(&at, &exp)?;
    files.extend(meta.iter().map(|p| name_of(p)));
    let mut header = header;
    if outcome == experiment::Outcome::Interrupted {
        let note = format!(
            "INCOMPLETE: interrupted (Ctrl-C) after {finished} of {} scenarios; only the finished ones are here",
            exp.scenarios.len()
        );
        report::meta::mark_incomplete(&at, &note)?;
        header = format!("{header}\n{note}");
    }
    let dir_shown = dir.clone();
    sharded::finish_results(
        staged,
        files,
        &written.sums,
        crn,
        a.no_charts,
        (!a.quiet).then_some(header),
        out,
    )?;
    if outcome == experiment::Outcome::Interrupted {
        return Err(Error::Interrupted {
            written: Some(dir_shown),
            finished,
            total: exp.scenarios.len(),
        });
    }
    Ok(())
}

/// "2 scenarios × 10 replications", or "3 scenarios, 25 replications in all"
/// when the scenarios differ.
pub(crate) fn cells_phrase(reps: &[usize]) -> String {
    let n = reps.len();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let scenarios = plural(n, "scenario", "scenarios");
    match reps.first() {
        Some(&r) if reps.iter().all(|&x| x == r) => {
            format!("{scenarios} × {}", plural(r, "replication", "replications"))
        }
        _ => format!(
            "{scenarios}, {} in all",
            plural(reps.iter().sum(), "replication", "replications")
        ),
    }
}

pub(super) fn check(a: CheckArgs, overrides: &Overrides, out: &mut dyn Write) -> Result<(), Error> {
    match input::load_input(&a.file, overrides)? {
        Input::Model {
            name,
            model,
            workload,
        } => {
            if a.mermaid {
                return write!(out, "{}", report::topology::mermaid(&model)).map_err(io);
            }
            writeln!(out, "model {name} ({}): ok", a.file.display()).map_err(io)?;
            write!(out, "{}", wrap(&report::topology::topology(&model))).map_err(io)?;
            match workload {
                Some(w) => {
                    writeln!(out, "{}", wrap(&report::topology::workload(&w))).map_err(io)?;
                    let run = crate::stack::config::RunConfig {
                        duration: crate::engine::SimDuration::from_secs(60),
                        warmup: crate::engine::SimDuration::ZERO,
                        drain: crate::engine::SimDuration::ZERO,
                        window: crate::engine::SimDuration::from_secs(1),
                        replications: 1,
                        seed: 1,
                        stats: Default::default(),
                    };
                    let sc = input::scenario_for_model(name, model, w, run);
                    write!(out, "{}", report::load_table::loads(&capacity::report(&sc)))
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
                let first = exp.scenarios.first().ok_or(Error::NoScenarios)?;
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
                    write!(out, "{}", wrap(&report::topology::topology(&sc.model))).map_err(io)?;
                }
                writeln!(out, "{}", wrap(&report::topology::workload(&sc.workload))).map_err(io)?;
                write!(out, "{}", wrap(&report::topology::faults(sc))).map_err(io)?;
                write!(out, "{}", report::load_table::loads(&capacity::report(sc))).map_err(io)?;
            }
        }
    }
    Ok(())
}

pub(super) fn availability(
    a: AvailabilityArgs,
    overrides: &Overrides,
    out: &mut dyn Write,
) -> Result<(), Error> {
    use crate::experiment::availability::{self as av, Target};
    let (name, seed, replications, targets) = match input::load_input(&a.file, overrides)? {
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
            (name, 1, 10, vec![t])
        }
        Input::Experiment(exp) => {
            let seed = exp.scenarios.first().map_or(1, |s| s.run.seed);
            let reps = exp.scenarios.first().map_or(10, |s| s.run.replications);
            let targets = (exp.scenarios.into_iter())
                .map(|s| Target {
                    name: s.name,
                    model: s.model,
                    workload: Some(s.workload),
                })
                .collect();
            (exp.name, seed, reps, targets)
        }
    };
    let settings = av::Settings {
        years: a.years,
        replications: a.replications.unwrap_or(replications),
        seed: a.seed.unwrap_or(seed),
        detection: !a.no_detection,
    };
    let started = std::time::Instant::now();
    let res = av::run(&targets, &settings)?;
    let wall = started.elapsed().as_secs_f64();
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(&name));
    let table = report::availability_out::render(&res);
    let staged = report::output::Staged::begin(&dir)?;
    let at = staged.path();
    let mut files = report::availability_out::write(at, &res)?;
    let meta = report::meta::write_availability(at, &a.file, &name, &targets, &settings)?;
    files.extend(meta.iter().map(|p| name_of(p)));
    if !a.no_charts {
        files.extend(report::render_folder(at)?.iter().map(|p| name_of(p)));
    }
    let dir = staged.commit()?;
    writeln!(
        out,
        "{name}: availability of {} scenario(s), {} × {} simulated years each, seed {}, in {wall:.2} s wall",
        res.len(),
        settings.replications,
        settings.years,
        settings.seed
    )
    .map_err(io)?;
    write!(out, "{table}").map_err(io)?;
    writeln!(out, "\n{}", wrote(&dir, &files)).map_err(io)?;
    Ok(())
}

/// `stacksim plan`: the search, then the recommendation and its evidence.
pub(super) fn plan(a: PlanArgs, overrides: &Overrides, out: &mut dyn Write) -> Result<(), Error> {
    let input = input::plan::load_plan(&a.experiment, overrides)?;
    let exp = &input.experiment;
    let dir = (a.out.clone()).unwrap_or_else(|| PathBuf::from("output").join(&exp.name));
    report::output::replaceable(&dir)?;
    let started = std::time::Instant::now();
    // Each point as it is decided, on a terminal (a long plan shows its way).
    let show = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let knob = input.spec.knob;
    let progress = |p: &crate::plan::Point| {
        if show {
            let reps: usize = p.runs.iter().map(|r| r.replications).sum();
            eprintln!(
                "point {}: {}: {} ({reps} replications)",
                p.order,
                crate::plan::knob_phrase(knob, p.value),
                p.verdict.word()
            );
        }
    };
    let interrupt = progress::interrupt_flag();
    let res = crate::plan::plan_until(&input, a.threads, &progress, interrupt.as_deref())?;
    if !res.complete && res.points.is_empty() {
        return Err(Error::PlanInterrupted {
            written: None,
            points: 0,
        });
    }
    let wall = started.elapsed().as_secs_f64();
    let s = &res.spec;
    let search = format!(
        "{} from {} to {}{}",
        s.knob.word(),
        s.from,
        s.to,
        match s.knob {
            crate::input::validate::plan::Knob::Servers => {
                format!(" behind {} (copies of {})", s.balancer, s.template)
            }
            crate::input::validate::plan::Knob::Workers if s.balancer.is_empty() => {
                " on every server".to_string()
            }
            crate::input::validate::plan::Knob::Workers => format!(" behind {}", s.balancer),
            crate::input::validate::plan::Knob::Rate => format!(" in steps of {}", s.step),
        }
    );
    let staged = report::output::Staged::begin(&dir)?;
    let at = staged.path();
    let mut files: Vec<String> = (report::plan_out::write(at, &res)?.iter())
        .map(|p| name_of(p))
        .collect();
    let slos = report::plan_out::slos(&res);
    let meta = report::meta::write_plan(at, exp, search.clone(), slos)?;
    files.extend(meta.iter().map(|p| name_of(p)));
    // As `run` does: what was finished, marked incomplete, and exit 130.
    let note = (!res.complete).then(|| {
        format!(
            "INCOMPLETE: interrupted (Ctrl-C) after {} point(s); no recommendation",
            res.points.len()
        )
    });
    if let Some(note) = &note {
        report::meta::mark_incomplete(at, note)?;
    }
    if !a.no_charts {
        files.extend(report::render_folder(at)?.iter().map(|p| name_of(p)));
    }
    let dir = staged.commit()?;
    let reps: usize = (res.points.iter())
        .flat_map(|p| &p.runs)
        .map(|r| r.replications)
        .sum();
    writeln!(
        out,
        "{}: plan over {search}: {} point(s), {reps} replications in {wall:.2} s wall",
        res.name,
        res.points.len()
    )
    .map_err(io)?;
    if let Some(note) = &note {
        writeln!(out, "{note}").map_err(io)?;
    }
    write!(out, "{}", report::plan_out::render(&res)).map_err(io)?;
    writeln!(out, "{}", wrote(&dir, &files)).map_err(io)?;
    if note.is_some() {
        return Err(Error::PlanInterrupted {
            written: Some(dir),
            points: res.points.len(),
        });
    }
    Ok(())
}
