//! The commands that spread a run over machines and put it back together
//! — `run --shard K/N` and `merge` — and the end every results folder
//! shares with `run` (charts, commit, the printed table), from plain
//! settings: `cli/` parses the command line and calls these.

use crate::Error;
use crate::cli::commands::cells_phrase;
use crate::cli::{io, name_of, wrote};
use crate::experiment::progress::{self, Progress};
use crate::experiment::shard::Shard;
use crate::experiment::{self, ScenarioSummary};
use crate::input::Experiment;
use crate::report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Renders the charts (unless `no_charts`), commits the staged results
/// folder and prints the header, the table and the `wrote` line.
pub(crate) fn finish_results(
    staged: report::output::Staged,
    mut files: Vec<String>,
    sums: &[ScenarioSummary],
    crn: Option<bool>,
    no_charts: bool,
    header: Option<String>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut table = report::table::render(sums);
    table.push_str(&report::table::statistics(sums, crn));
    if !no_charts {
        files.extend(
            report::render_folder(staged.path())?
                .iter()
                .map(|p| name_of(p)),
        );
    }
    let dir = staged.commit()?;
    if let Some(header) = header {
        writeln!(out, "{header}").map_err(io)?;
        write!(out, "{table}").map_err(io)?;
        writeln!(out, "{}", wrote(&dir, &files)).map_err(io)?;
    }
    Ok(())
}

/// `run --shard K/N`: the shard's cells into a shard folder for `merge`.
pub(crate) fn run_shard(
    exp: &Experiment,
    shard: Shard,
    out_dir: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    use report::shard_file::{Manifest, ShardWriter};
    experiment::shard::check_fixed(exp).map_err(experiment::RunFailure::from)?;
    let dir = out_dir.unwrap_or_else(|| {
        PathBuf::from("output").join(format!(
            "{}-shard-{}-of-{}",
            exp.name, shard.index, shard.count
        ))
    });
    let staged = report::output::Staged::begin(&dir)?;
    let manifest = Manifest {
        identity: experiment::shard::identity(exp),
        shard,
        scenarios: (exp.scenarios.iter())
            .map(|s| {
                (
                    s.name.clone(),
                    s.run.replications,
                    s.run.stats.common_random_numbers,
                    experiment::BatchPlan::of(s),
                )
            })
            .collect(),
        sweep: exp.sweep.clone(),
    };
    report::meta::write_experiment(staged.path(), exp)?;
    let mut writer = ShardWriter::begin(staged.path(), &manifest)?;
    let started = std::time::Instant::now();
    let mut events = 0u64;
    let all = experiment::shard::cells(exp).len();
    let mine = (0..all).filter(|&j| shard.owns(j)).count();
    let show = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = Progress::new(Some(mine as u64), show);
    let interrupt = progress::interrupt_flag();
    let opts = experiment::RunOptions {
        threads,
        progress: &|| bar.tick(),
        cancel: interrupt.as_deref(),
    };
    let outcome = experiment::run_shard(exp, shard, opts, &mut |i, r| {
        events += r.events;
        writer.add(i, &r).map_err(Error::from)
    })?;
    bar.finish();
    if outcome == experiment::Outcome::Interrupted {
        // A shard is whole or absent: the staging folder goes with `staged`.
        return Err(Error::Interrupted {
            written: None,
            finished: 0,
            total: exp.scenarios.len(),
        });
    }
    let cells = writer.finish()?;
    let wall = started.elapsed().as_secs_f64();
    let dir = staged.commit()?;
    if !quiet {
        writeln!(
            out,
            "{}: shard {shard}, {cells} of {all} cells, {events} events in {wall:.2} s wall",
            exp.name
        )
        .map_err(io)?;
        writeln!(
            out,
            "wrote shard into {}/ (combine all {} with: stacksim merge DIR... --out DIR)",
            dir.display(),
            shard.count
        )
        .map_err(io)?;
    }
    Ok(())
}

/// `merge`: shard folders into one results folder.
pub(crate) fn merge(
    dirs: &[PathBuf],
    out_dir: &Path,
    quiet: bool,
    no_charts: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let staged = report::output::Staged::begin(out_dir)?;
    let merged = report::merge::merge(dirs, staged.path())?;
    let m = &merged.manifest;
    let crn = (m.scenarios.len() > 1).then(|| m.scenarios.iter().all(|s| s.2));
    let mut files = merged.written.files.clone();
    files.extend(
        (report::merge::META_FILES.iter())
            .filter(|f| staged.path().join(f).exists())
            .map(|f| f.to_string()),
    );
    let header = format!(
        "{}: merged {} shard(s), {}, {} events",
        m.identity.experiment,
        dirs.len(),
        cells_phrase(&merged.written.replications),
        merged.written.events
    );
    let header = (!quiet).then_some(header);
    finish_results(
        staged,
        files,
        &merged.written.sums,
        crn,
        no_charts,
        header,
        out,
    )
}
