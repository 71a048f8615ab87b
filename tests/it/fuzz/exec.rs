//! The fuzzer's cases and how one is run and judged. A case is a bundled
//! file mutated by a seeded generator, written with copies of every other
//! bundled file into a scratch folder laid out like the repository (so a
//! relative `model = "../models/seed.toml"` resolves), then `stacksim check`
//! on it and a `stacksim run` of the experiment that uses it, each a child
//! process under a memory cap (`ulimit -v` through `sh`) and a wall-clock
//! timeout. Invariants judged: exit 0 or 2, no panic, no signal, no timeout;
//! every `error:` names `file:line:col` (or the `--set` it came from)
//! whenever the file parsed as TOML; every message under 1 KiB; after a
//! failed run no output folder and nowhere a `.tmp` file.

use super::mutate::{Rng, mutate};
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The memory cap of every child: 1.5 GiB of address space.
pub const MEMORY_CAP_KIB: u64 = 1_572_864;
/// The wall-clock limit of a child.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The limit of an unforced run of a heavy bundled experiment (long campaign only).
const HEAVY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest message, in bytes.
pub const MESSAGE_LIMIT: usize = 1024;
/// Bundled experiments whose unforced run takes well under a second.
const CHEAP: &[&str] = &["seed-limitations", "single-server", "fuzz-"];

/// A file of the corpus: its path relative to the repository, and its text.
pub struct Bundled {
    pub rel: String,
    pub text: String,
}

/// Every bundled model and experiment, plus a short experiment for each
/// model that no bundled experiment uses (never mutated themselves).
pub struct Corpus {
    pub files: Vec<Bundled>,
    extras: Vec<Bundled>,
}

impl Corpus {
    pub fn load() -> Corpus {
        let mut files = vec![];
        for folder in ["models", "experiments"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
            let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("read a bundled folder")
                .map(|e| e.expect("a folder entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            names.sort();
            for p in names {
                let name = p.file_name().unwrap().to_string_lossy();
                let text = std::fs::read_to_string(&p).expect("read a bundled file");
                files.push(Bundled {
                    rel: format!("{folder}/{name}"),
                    text,
                });
            }
        }
        let mut corpus = Corpus {
            files,
            extras: vec![],
        };
        for f in corpus.files.iter().filter(|f| f.rel.starts_with("models/")) {
            if corpus.experiments_for(&f.rel).is_empty() {
                let stem = f
                    .rel
                    .trim_start_matches("models/")
                    .trim_end_matches(".toml");
                corpus.extras.push(Bundled {
                    rel: format!("experiments/fuzz-{stem}.toml"),
                    text: format!(
                        "name = \"fuzz-{stem}\"\nmodel = \"../{}\"\nduration = \"10s\"\n\
                         warmup = \"1s\"\nreplications = 2\nseed = 1\n",
                        f.rel
                    ),
                });
            }
        }
        corpus
    }

    /// The experiments (bundled or extra) whose model is `model_rel`.
    fn experiments_for(&self, model_rel: &str) -> Vec<String> {
        let needle = format!("\"../{model_rel}\"");
        self.files
            .iter()
            .chain(&self.extras)
            .filter(|f| f.rel.starts_with("experiments/") && f.text.contains(&needle))
            .map(|f| f.rel.clone())
            .collect()
    }

    /// Writes the corpus into `dir` with `case`'s target replaced by its mutated bytes.
    pub fn write(&self, dir: &Path, case: &Case) {
        let _ = std::fs::remove_dir_all(dir);
        for folder in ["models", "experiments"] {
            std::fs::create_dir_all(dir.join(folder)).expect("create a case folder");
        }
        for f in self.files.iter().chain(&self.extras) {
            let bytes = if f.rel == case.target {
                &case.bytes
            } else {
                f.text.as_bytes()
            };
            std::fs::write(dir.join(&f.rel), bytes).expect("write a case file");
        }
    }
}

/// One mutated file and the commands run on it.
pub struct Case {
    pub id: u64,
    pub target: String,
    pub bytes: Vec<u8>,
    pub mutations: Vec<String>,
    pub runs: Vec<Invocation>,
}

impl Case {
    /// Whether the mutated file is still UTF-8 TOML (then every error must be located).
    pub fn parses(&self) -> bool {
        std::str::from_utf8(&self.bytes).is_ok_and(|t| t.parse::<toml::Table>().is_ok())
    }
}

/// One command: arguments after the binary, and its time limit.
#[derive(Clone)]
pub struct Invocation {
    pub args: Vec<String>,
    pub timeout: Duration,
}

/// Case number `id` of the batch seeded with `seed` (`None` mutations: the
/// corpus file `id` as bundled, the control). `long`: the long campaign,
/// which also runs the heavy experiments unforced.
pub fn make_case(corpus: &Corpus, seed: u64, id: u64, mutated: bool, long: bool) -> Case {
    let mut rng = Rng::new(seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let base = if mutated {
        rng.pick(&corpus.files)
    } else {
        &corpus.files[id as usize % corpus.files.len()]
    };
    let (bytes, mutations) = if mutated {
        mutate(&mut rng, &base.text)
    } else {
        (base.text.clone().into_bytes(), vec![])
    };
    let experiment = if base.rel.starts_with("experiments/") {
        base.rel.clone()
    } else {
        rng.pick(&corpus.experiments_for(&base.rel)).clone()
    };
    let cheap = CHEAP.iter().any(|c| experiment.contains(c));
    let mut run: Vec<String> = vec!["run".into(), experiment];
    let mut timeout = TIMEOUT;
    match rng.below(100) {
        0..=59 if mutated => run.extend(
            [
                "--replications",
                "1",
                "--threads",
                "1",
                "--set",
                "warmup=1s",
            ]
            .into_iter()
            .chain(["--set", "duration=3s"])
            .map(String::from),
        ),
        90.. if cheap => {}
        // A heavy experiment unforced costs seconds: rarely, and only in a campaign.
        90.. if long && rng.percent(15) => timeout = HEAVY_TIMEOUT,
        _ => run.extend(["--replications", "1", "--threads", "1"].map(String::from)),
    }
    if rng.percent(90) {
        run.extend(["--out", "out"].map(String::from));
    }
    Case {
        id,
        target: base.rel.clone(),
        bytes,
        mutations,
        runs: vec![
            Invocation {
                args: vec!["check".into(), base.rel.clone()],
                timeout: TIMEOUT,
            },
            Invocation { args: run, timeout },
        ],
    }
}

/// What a child did.
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stderr: String,
}

/// The CPU time (user + system) process `pid` has used, from
/// `/proc/PID/stat` (Linux; `None` elsewhere). Ticks are taken as 100 Hz,
/// the kernel's `USER_HZ` on every Linux platform.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) end with ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after
    // the name (field 3, the state, is 0).
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// Runs the binary with `args` in `dir` under the memory cap and `timeout`
/// of CPU time (or six times it of wall time).
/// Its output goes to files beside `dir`, so a full pipe never blocks it.
pub fn run(dir: &Path, args: &[String], timeout: Duration) -> Outcome {
    let log = dir.with_extension("stderr");
    let script = format!("ulimit -v {MEMORY_CAP_KIB} || exit 99; exec \"$0\" \"$@\"");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::from(
            File::create(dir.with_extension("stdout")).unwrap(),
        ))
        .stderr(Stdio::from(File::create(&log).unwrap()))
        .spawn()
        .expect("spawn sh");
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            break status;
        }
        // A hang burns CPU; a run starved by a loaded machine does not:
        // judge by the child's CPU time, with wall time only as a backstop.
        let waited = start.elapsed();
        let busy = cpu_time(child.id()).unwrap_or(waited);
        if busy > timeout || waited > timeout * 6 {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("reap a killed child");
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    let mut stderr = std::fs::read(&log).unwrap_or_default();
    stderr.truncate(4 << 20);
    Outcome {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A broken invariant: its class (a folder name) and the message kind.
pub struct Finding {
    pub class: &'static str,
    /// The first line of what was seen, numbers blanked, for grouping.
    pub kind: String,
    /// What was seen, clipped.
    pub detail: String,
}

/// Whether `line` holds `….toml:LINE:COL`.
pub fn has_location(line: &str) -> bool {
    line.match_indices(".toml:").any(|(i, m)| {
        let rest = &line[i + m.len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n = digits(rest);
        n > 0 && rest[n..].starts_with(':') && digits(&rest[n + 1..]) > 0
    })
}

/// `s` clipped to `n` characters.
pub fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The grouping key of a message: its first line, digits blanked, location dropped.
fn kind_of(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = match line.find(".toml:") {
        Some(i) => line[i..].split_once(": ").map_or(line, |(_, r)| r),
        None => line,
    };
    let blanked: String = line
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    clip(&blanked, 90)
}

/// Each message of stderr: from an `error:` or `warning:` line to the next.
fn messages(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for line in stderr.split_inclusive('\n') {
        let starts = line.starts_with("error:") || line.starts_with("warning:");
        match out.last_mut() {
            Some(m) if !starts => m.push_str(line),
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// The invariants `outcome` breaks; `dir` is the case folder after the run.
pub fn judge(outcome: &Outcome, parsed: bool, dir: &Path) -> Vec<Finding> {
    let mut found = vec![];
    let mut add = |class, kind: String, detail: &str| {
        found.push(Finding {
            class,
            kind,
            detail: clip(detail, 300),
        })
    };
    let stderr = &outcome.stderr;
    let first = stderr.lines().next().unwrap_or("").to_string();
    if outcome.timed_out {
        add("hang-timeout", "killed after the timeout".into(), &first);
    } else if let Some(sig) = outcome.signal {
        let class = if stderr.contains("memory allocation of") {
            "abort-oom"
        } else if stderr.contains("overflowed its stack") {
            "stack-overflow"
        } else {
            "signal"
        };
        add(class, format!("signal {sig}: {}", kind_of(stderr)), stderr);
    } else if outcome.code == Some(101) || stderr.contains("panicked") {
        let line = stderr
            .lines()
            .find(|l| l.contains("panicked"))
            .unwrap_or(&first);
        add("panic", kind_of(line), stderr);
    } else if !matches!(outcome.code, Some(0) | Some(2)) {
        add(
            "exit-code",
            format!("exit {:?}: {}", outcome.code, kind_of(stderr)),
            stderr,
        );
    }
    if !outcome.timed_out && outcome.signal.is_none() {
        for m in messages(stderr) {
            if m.len() > MESSAGE_LIMIT {
                add(
                    "long-message",
                    kind_of(&m),
                    &format!("{} bytes: {m}", m.len()),
                );
            }
            let head = m.lines().next().unwrap_or("");
            let located = has_location(head) || head.contains("(value from --set");
            if head.starts_with("error:") && !located {
                let class = if parsed {
                    "unlocated"
                } else {
                    "unlocated-not-toml"
                };
                add(class, kind_of(head), head);
            }
        }
    }
    if outcome.code != Some(0) {
        for out in ["out", "output"] {
            if dir.join(out).exists() {
                add(
                    "leftovers",
                    format!("`{out}` exists after a failure"),
                    &first,
                );
            }
        }
    }
    if let Some(tmp) = find_tmp(dir) {
        add(
            "leftovers",
            "a .tmp file".into(),
            &tmp.display().to_string(),
        );
    }
    found
}

/// Any file under `dir` whose name contains `.tmp`.
fn find_tmp(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().contains(".tmp") {
            return Some(path);
        }
        if path.is_dir()
            && let Some(found) = find_tmp(&path)
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn cpu_time_counts_a_busy_child_and_not_a_sleeping_one() {
    let mut busy = Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .expect("spawn a busy loop");
    let mut idle = Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("spawn sleep");
    // On a loaded machine the busy child may get little of a core: wait (up
    // to 20 s of wall time) until it has had 100 ms of CPU.
    let started = Instant::now();
    let mut b = cpu_time(busy.id());
    while b.is_some_and(|t| t < Duration::from_millis(100))
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(100));
        b = cpu_time(busy.id());
    }
    let i = cpu_time(idle.id());
    let _ = (busy.kill(), idle.kill(), busy.wait(), idle.wait());
    assert!(
        b.expect("a busy child's CPU time") >= Duration::from_millis(100),
        "{b:?} after {:?}",
        started.elapsed()
    );
    assert!(
        i.expect("a sleeping child's CPU time") < Duration::from_millis(100),
        "{i:?}"
    );
}
