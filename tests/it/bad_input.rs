//! Bad input, as a user would write it: every case must end with exit code
//! 2, one clear message on stderr (the file, `line:column` where the parser
//! knows it, the dotted field path and what was expected), no panic or
//! backtrace hint, nothing on stdout, and no output folder created. Each
//! case writes its own files into a fresh temporary folder and runs the
//! built binary there, so file names in messages are the short relative ones.
//! Most cases start from `models/seed.toml` and change one line of it; their
//! expected `line:column` is computed from the changed text, so the cases
//! survive edits of the seed model, while a few small hand-written files pin
//! exact positions.

use super::common::{TempDir, judge_refusal};
use std::path::Path;
use std::process::{Command, Output};

const SEED_MODEL: &str = include_str!("../../models/seed.toml");

/// A short experiment on `m.toml`, with request classes so the databases see load.
const EXPERIMENT: &str = r#"model = "m.toml"
duration = "20s"
warmup = "5s"
replications = 2
seed = 1

[workload]
kind = "open"
rate = 100

[[workload.classes]]
name = "page_view"
probability = 0.8
reads = 3

[[workload.classes]]
name = "update"
probability = 0.2
reads = 1
writes = 1
"#;

/// The smallest valid model: one server, entered directly.
const TINY_MODEL: &str = r#"name = "tiny"
entry = "web"

[servers.web.app]
workers = 1
service = "1ms"
"#;

/// `text` with `from` (which must occur exactly once) replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the test expects `{from}` exactly once in its input"
    );
    text.replacen(from, to, 1)
}

/// The seed model with one edit.
fn seed_with(from: &str, to: &str) -> String {
    edit(SEED_MODEL, from, to)
}

/// The experiment with one edit.
fn experiment_with(from: &str, to: &str) -> String {
    edit(EXPERIMENT, from, to)
}

/// `file:LINE:COL` of the first occurrence of `needle` in `text` (1-based,
/// column in characters), as the error messages print it.
fn at(file: &str, text: &str, needle: &str) -> String {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    format!("{file}:{line}:{column}")
}

/// One bad input.
struct Case {
    name: &'static str,
    /// Files to write into the folder: (name, content).
    files: Vec<(&'static str, String)>,
    /// Arguments after the binary; `run` gets `--out <folder>/out` appended.
    args: Vec<&'static str>,
    /// Fragments stderr must contain.
    expected: Vec<String>,
}

fn case(
    name: &'static str,
    files: Vec<(&'static str, String)>,
    args: &[&'static str],
    expected: &[&str],
) -> Case {
    Case {
        name,
        files,
        args: args.to_vec(),
        expected: expected.iter().map(|s| s.to_string()).collect(),
    }
}

/// A case on `e.toml` (the experiment) and `m.toml` (the model), run with `stacksim run e.toml`.
fn run_case(name: &'static str, model: String, experiment: String, expected: &[&str]) -> Case {
    case(
        name,
        vec![("m.toml", model), ("e.toml", experiment)],
        &["run", "e.toml"],
        expected,
    )
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run stacksim")
}

/// Runs one case; returns what is wrong with the outcome (empty when all is well).
fn check_one(c: &Case) -> Vec<String> {
    let dir = TempDir::new(c.name);
    for (name, text) in &c.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
        std::fs::write(path, text).expect("write an input file");
    }
    let out_dir = dir.path().join("out");
    let mut args: Vec<&str> = c.args.clone();
    let out_arg = out_dir.to_string_lossy().into_owned();
    if args.first() == Some(&"run") {
        args.push("--out");
        args.push(&out_arg);
    }
    let out = run_in(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let wrong = judge_refusal(&out, &out_dir, &c.expected, &[]);
    if wrong.is_empty() {
        vec![]
    } else {
        vec![format!(
            "case `{}` (stacksim {}):\n  - {}\n  stderr was:\n{}",
            c.name,
            args.join(" "),
            wrong.join("\n  - "),
            stderr
        )]
    }
}

/// Runs every case and fails with all the problems at once.
fn check(cases: Vec<Case>) {
    let failures: Vec<String> = cases.iter().flat_map(check_one).collect();
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn toml_syntax_and_unknown_fields() {
    let broken = "model = \"m.toml\"\nduration = \"20s\nwarmup = \"5s\"\n";
    let colour = seed_with(
        "overhead = \"50us\" ",
        "colour = \"red\"\noverhead = \"50us\" ",
    );
    let colour_at = at("m.toml", &colour, "colour");
    let unknown_exp = experiment_with("replications = 2", "replicashuns = 2");
    let tiny_typo = edit(TINY_MODEL, "workers = 1", "wrokers = 1");
    check(vec![
        run_case(
            "toml-syntax",
            SEED_MODEL.into(),
            broken.into(),
            &["e.toml:2:16:", "invalid TOML", "expected"],
        ),
        case(
            "toml-syntax-in-model",
            vec![
                ("m.toml", seed_with("ttl = \"60s\"", "ttl = = \"60s\"")),
                ("e.toml", EXPERIMENT.into()),
            ],
            &["run", "e.toml"],
            &["m.toml:", "invalid TOML"],
        ),
        run_case(
            "unknown-field-in-model",
            colour.clone(),
            EXPERIMENT.into(),
            &[
                &format!("{colour_at}:"),
                "balancers.lb1.colour",
                "unknown field `colour`",
                "expected one of",
                "`algorithm`",
                "`backends`",
            ],
        ),
        case(
            "unknown-field-in-model-check",
            vec![("m.toml", tiny_typo)],
            &["check", "m.toml"],
            &[
                "m.toml:5:1:",
                "servers.web.app.wrokers",
                "unknown field `wrokers`",
                "expected one of `workers`, `queue_limit`, `service`, `mode`",
            ],
        ),
        run_case(
            "unknown-field-in-experiment",
            SEED_MODEL.into(),
            unknown_exp,
            &[
                "e.toml:4:1:",
                "replicashuns",
                "unknown field `replicashuns`",
                "expected one of",
                "`replications`",
                "`duration`",
            ],
        ),
    ]);
}

#[test]
fn undefined_references() {
    let backend = seed_with(
        "backends = [\"web1\", \"web2\"]",
        "backends = [\"web1\", \"web3\"]",
    );
    let backend_at = at("m.toml", &backend, "\"web3\"");
    let reads = seed_with("reads_from = \"db2\"", "reads_from = \"db9\"");
    let reads_at = at("m.toml", &reads, "reads_from = \"db9\"");
    let dns = seed_with("addresses = [\"lb1\"]", "addresses = [\"lb2\"]");
    let dns_at = at("m.toml", &dns, "\"lb2\"");
    let replica = seed_with(
        "writes_to = \"db1\"              # writes cross",
        "writes_to = \"db2\"              # writes cross",
    );
    let replica_at = at("m.toml", &replica, "writes_to = \"db2\"");
    check(vec![
        run_case(
            "undefined-backend",
            backend,
            EXPERIMENT.into(),
            &[
                &format!("{backend_at}:"),
                "balancers.lb1.backends[1]",
                "`web3` is not a server",
                "defined: web1, web2",
            ],
        ),
        run_case(
            "undefined-database",
            reads,
            EXPERIMENT.into(),
            &[
                &format!("{reads_at}:"),
                "servers.web2.reads_from",
                "`db9` is not a database",
                "defined: db1, db2",
            ],
        ),
        run_case(
            "undefined-dns-address",
            dns,
            EXPERIMENT.into(),
            &[
                &format!("{dns_at}:"),
                "dns.addresses[0]",
                "`lb2` is not a balancer or a server",
                "lb1",
            ],
        ),
        run_case(
            "writes-to-replica",
            replica,
            EXPERIMENT.into(),
            &[
                &format!("{replica_at}:"),
                "servers.web2.writes_to",
                "`db2` is a replica",
                "writes must go to a primary",
            ],
        ),
    ]);
}

#[test]
fn numbers_out_of_range() {
    let no_workers = edit(TINY_MODEL, "workers = 1", "workers = 0");
    let tiny_exp = "model = \"m.toml\"\nduration = \"20s\"\nreplications = 2\n\n[workload]\nkind = \"open\"\nrate = 10\n";
    let uneven = experiment_with("probability = 0.2", "probability = 0.1");
    let classes_at = at("e.toml", &uneven, "classes]]");
    check(vec![
        run_case(
            "zero-workers",
            no_workers.clone(),
            tiny_exp.into(),
            &[
                "m.toml:5:1:",
                "servers.web.app.workers",
                "must be at least 1, found 0",
            ],
        ),
        case(
            "zero-workers-check",
            vec![("m.toml", no_workers)],
            &["check", "m.toml"],
            &[
                "m.toml:5:1:",
                "servers.web.app.workers",
                "must be at least 1, found 0",
            ],
        ),
        run_case(
            "negative-rate",
            SEED_MODEL.into(),
            experiment_with("rate = 100", "rate = -5.5"),
            &[
                "e.toml:9:1:",
                "workload.rate",
                "must be a positive number of requests per second",
                "-5.5",
            ],
        ),
        run_case(
            "zero-rate",
            SEED_MODEL.into(),
            experiment_with("rate = 100", "rate = 0"),
            &[
                "e.toml:9:1:",
                "workload.rate",
                "must be a positive number of requests per second",
            ],
        ),
        run_case(
            "zero-replications",
            SEED_MODEL.into(),
            experiment_with("replications = 2", "replications = 0"),
            &["e.toml:4:1:", "replications", "must be at least 1, found 0"],
        ),
        case(
            "zero-replications-flag",
            vec![("m.toml", SEED_MODEL.into()), ("e.toml", EXPERIMENT.into())],
            &["run", "e.toml", "--replications", "0"],
            &[
                "replications",
                "must be at least 1, found 0",
                "--replications",
            ],
        ),
        run_case(
            "class-probabilities",
            SEED_MODEL.into(),
            uneven,
            &[
                &format!("{classes_at}:"),
                "workload.classes",
                "add up to 0.9",
                "expected 1",
            ],
        ),
    ]);
}

#[test]
fn distributions_and_durations() {
    let app_service = "{ dist = \"lognormal\", mean = \"10ms\", cv = 1.0 }   # PHP CPU time per page\n\n[servers.web2]";
    let with_service = |spec: &str| {
        seed_with(
            app_service,
            &format!("{spec}   # PHP CPU time per page\n\n[servers.web2]"),
        )
    };
    let poisson = with_service("{ dist = \"poisson\", mean = \"10ms\" }");
    let service_at = at("m.toml", &poisson, "service = { dist = \"poisson\"");
    let overhead = |d: &str| seed_with("overhead = \"50us\"", &format!("overhead = \"{d}\""));
    let overhead_at = at("m.toml", SEED_MODEL, "overhead = \"50us\"");
    check(vec![
        run_case(
            "unknown-distribution",
            poisson,
            EXPERIMENT.into(),
            &[
                &format!("{service_at}:"),
                "servers.web1.app.service",
                "unknown distribution \"poisson\"",
                "known: constant, exponential",
            ],
        ),
        run_case(
            "missing-parameter",
            with_service("{ dist = \"exponential\" }"),
            EXPERIMENT.into(),
            &[
                &format!("{service_at}:"),
                "servers.web1.app.service",
                "exponential needs `mean`",
            ],
        ),
        run_case(
            "lognormal-with-only-mean",
            with_service("{ dist = \"lognormal\", mean = \"10ms\" }"),
            EXPERIMENT.into(),
            &[
                &format!("{service_at}:"),
                "servers.web1.app.service",
                "lognormal needs either `mean` and `cv`, or `median` and `p99`",
            ],
        ),
        run_case(
            "duration-unknown-unit",
            overhead("5 parsecs"),
            EXPERIMENT.into(),
            &[
                &format!("{overhead_at}:"),
                "balancers.lb1.overhead",
                "invalid duration \"5 parsecs\"",
                "unknown unit \"parsecs\"",
                "expected one of ns, us, ms, s, m, h",
            ],
        ),
        run_case(
            "duration-negative",
            overhead("-3ms"),
            EXPERIMENT.into(),
            &[
                &format!("{overhead_at}:"),
                "balancers.lb1.overhead",
                "invalid duration \"-3ms\"",
                "durations cannot be negative",
            ],
        ),
        run_case(
            "experiment-duration",
            SEED_MODEL.into(),
            experiment_with("duration = \"20s\"", "duration = \"20 fortnights\""),
            &["e.toml:2:1:", "duration", "unknown unit \"fortnights\""],
        ),
    ]);
}

#[test]
fn wrong_files() {
    check(vec![
        case(
            "model-given-to-run",
            vec![("m.toml", SEED_MODEL.into())],
            &["run", "m.toml"],
            &[
                "m.toml",
                "this is a model, not an experiment",
                "`model = \"../models/x.toml\"`",
            ],
        ),
        run_case(
            "missing-model-file",
            SEED_MODEL.into(),
            experiment_with("model = \"m.toml\"", "model = \"missing.toml\""),
            &[
                "missing.toml",
                "cannot read the file",
                "named by `model` in e.toml",
            ],
        ),
        case(
            "nonexistent-experiment",
            vec![],
            &["run", "nope.toml"],
            &["nope.toml", "cannot read the file"],
        ),
        case(
            "experiment-is-a-folder",
            vec![("sub/.keep", String::new())],
            &["run", "sub"],
            &["sub", "cannot read the file"],
        ),
        case(
            "nonexistent-check",
            vec![],
            &["check", "nope.toml"],
            &["nope.toml", "cannot read the file"],
        ),
    ]);
}

#[test]
fn bad_set_overrides() {
    let files = || {
        vec![
            ("m.toml", SEED_MODEL.to_string()),
            ("e.toml", EXPERIMENT.into()),
        ]
    };
    check(vec![
        case(
            "set-without-equals",
            files(),
            &["run", "e.toml", "--set", "noequals"],
            &["--set noequals", "expected PATH=VALUE"],
        ),
        case(
            "set-empty-path",
            files(),
            &["run", "e.toml", "--set", "=3"],
            &["--set =3", "the path before `=` is empty"],
        ),
        case(
            "set-wrong-type",
            files(),
            &["run", "e.toml", "--set", "servers.web1.app.workers=abc"],
            &[
                "servers.web1.app.workers",
                "found the string \"abc\", expected a whole number from 0 to 4294967295",
                "(value from --set servers.web1.app.workers=abc)",
            ],
        ),
        case(
            "set-out-of-range",
            files(),
            &["run", "e.toml", "--set", "servers.web1.app.workers=0"],
            &[
                "servers.web1.app.workers",
                "must be at least 1, found 0",
                "(value from --set servers.web1.app.workers=0)",
            ],
        ),
        case(
            "set-unknown-field",
            files(),
            &["run", "e.toml", "--set", "servers.web1.app.colour=3"],
            &[
                "servers.web1.app.colour",
                "unknown field `colour`",
                "(value from --set servers.web1.app.colour=3)",
            ],
        ),
        case(
            "set-bad-duration",
            files(),
            &["run", "e.toml", "--set", "duration=\"5 parsecs\""],
            &["duration", "unknown unit \"parsecs\"", "(value from --set"],
        ),
        case(
            "set-wrong-type-in-check",
            vec![("m.toml", SEED_MODEL.into())],
            &["check", "m.toml", "--set", "servers.web1.app.workers=abc"],
            &[
                "servers.web1.app.workers",
                "expected a whole number",
                "(value from --set servers.web1.app.workers=abc)",
            ],
        ),
    ]);
}

/// The tiny model (one worker, 1 ms) at 2000 req/s: ρ = 2 on an unbounded queue.
fn overloaded_tiny() -> Vec<(&'static str, String)> {
    vec![
        ("m.toml", TINY_MODEL.into()),
        (
            "e.toml",
            "model = \"m.toml\"\nduration = \"10s\"\nwarmup = \"1s\"\nreplications = 2\n\n[workload]\nkind = \"open\"\nrate = 2000\n".into(),
        ),
    ]
}

/// The seed model with one database connection on db1 (no queue limit there),
/// under the experiment at 1000 req/s.
fn overloaded_seed() -> Vec<(&'static str, String)> {
    vec![
        ("m.toml", SEED_MODEL.into()),
        ("e.toml", experiment_with("rate = 100", "rate = 1000")),
    ]
}

#[test]
fn unbounded_overload_is_refused() {
    check(vec![
        case(
            "overload-app",
            overloaded_tiny(),
            &["run", "e.toml"],
            &[
                "e.toml",
                "station web.app",
                "ρ = 2.00",
                "its queue has no limit",
                "allow_overload = true",
            ],
        ),
        case(
            "overload-database",
            overloaded_seed(),
            &["run", "e.toml", "--set", "databases.db1.connections=1"],
            &[
                "e.toml",
                "station db1",
                "ρ = ",
                "its queue has no limit",
                "allow_overload = true",
            ],
        ),
    ]);
}

#[test]
fn allow_overload_runs_the_same_input() {
    for (name, files, extra) in [
        ("tiny", overloaded_tiny(), vec![]),
        (
            "seed",
            overloaded_seed(),
            vec!["--set", "databases.db1.connections=1"],
        ),
    ] {
        let dir = TempDir::new(&format!("allow-{name}"));
        for (f, text) in &files {
            std::fs::write(dir.path().join(f), text).unwrap();
        }
        let out_dir = dir.path().join("out");
        let out_arg = out_dir.to_string_lossy().into_owned();
        let mut args = vec!["run", "e.toml", "--quiet", "--out", &out_arg];
        args.extend(extra.iter().copied());
        args.extend(["--set", "allow_overload=true"]);
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: stacksim {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out_dir.join("summary.csv").is_file(),
            "{name}: no summary.csv"
        );

        // The same switch written in the file.
        let exp = dir.path().join("e.toml");
        let text = std::fs::read_to_string(&exp).unwrap();
        std::fs::write(&exp, format!("allow_overload = true\n{text}")).unwrap();
        let _ = std::fs::remove_dir_all(&out_dir);
        let args: Vec<&str> = args[..args.len() - 2].to_vec();
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name} (allow_overload in the file): stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out_dir.join("summary.csv").is_file(),
            "{name}: no summary.csv"
        );
    }
}

#[test]
fn check_reports_every_validation_problem() {
    let mut model = seed_with(
        "backends = [\"web1\", \"web2\"]",
        "backends = [\"web1\", \"web3\"]",
    );
    model = edit(&model, "reads_from = \"db2\"", "reads_from = \"db9\"");
    model = edit(
        &model,
        "workers = 5                    # PHP-FPM",
        "workers = 0                    # PHP-FPM",
    );
    let workers_at = at("m.toml", &model, "workers = 0");
    let backend_at = at("m.toml", &model, "\"web3\"");
    let reads_at = at("m.toml", &model, "reads_from = \"db9\"");
    let expected = [
        format!("{backend_at}: balancers.lb1.backends[1]: `web3` is not a server"),
        format!("{workers_at}: servers.web1.app.workers: must be at least 1"),
        format!("{reads_at}: servers.web2.reads_from: `db9` is not a database"),
        "\n3 problems found".to_string(),
    ];
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let check_case = case(
        "check-several-problems",
        vec![("m.toml", model.clone())],
        &["check", "m.toml"],
        &expected,
    );
    // The same problems, found when the model is run through an experiment.
    let run = run_case(
        "run-several-problems",
        model.clone(),
        EXPERIMENT.into(),
        &expected,
    );
    check(vec![check_case, run]);

    // One `error:` line per problem, and the count as the last line.
    let dir = TempDir::new("count");
    std::fs::write(dir.path().join("m.toml"), &model).unwrap();
    let out = run_in(dir.path(), &["check", "m.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    assert_eq!(errors, 3, "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().last(),
        Some("3 problems found"),
        "{stderr}"
    );
}

// ---- Hostile input: the cases found by fuzzing (issue 6), one regression each.

/// The experiment with `extra` appended (new top-level keys go before the
/// first table, so they stay top-level).
fn experiment_plus(top: &str, tail: &str) -> String {
    format!("{top}\n{EXPERIMENT}{tail}")
}

#[test]
fn resource_bombs_are_refused_with_the_field_and_the_limit() {
    let window = experiment_with("warmup = \"5s\"", "warmup = \"5s\"\nwindow = \"1ns\"");
    let windows = experiment_with("duration = \"20s\"", "duration = \"100000h\"");
    let reps = experiment_with("replications = 2", "replications = 1000000000");
    let memory = experiment_with("replications = 2", "replications = 10000")
        .replace("duration = \"20s\"", "duration = \"1h\"")
        .replace("warmup = \"5s\"", "warmup = \"5s\"\nwindow = \"1s\"");
    let rate = experiment_plus("allow_overload = true", "").replace("rate = 100", "rate = 1e12");
    let clients = experiment_with("rate = 100", "rate = 100\nclients = 4000000000");
    let queries = experiment_with("reads = 3", "reads = 4000000000");
    let sweep_values: Vec<String> = (1..=5000).map(|i| i.to_string()).collect();
    let sweep = format!(
        "{EXPERIMENT}\n[sweep]\nparam = \"workload.rate\"\nvalues = [{}]\n",
        sweep_values.join(", ")
    );
    let bomb = |name, e: String, expected: Vec<String>| {
        let refs: Vec<&str> = expected.iter().map(String::as_str).collect();
        run_case(name, SEED_MODEL.into(), e, &refs)
    };
    check(vec![
        bomb(
            "window-1ns",
            window.clone(),
            vec![
                at("e.toml", &window, "window"),
                "window: must be at least 1ms".into(),
            ],
        ),
        bomb(
            "too-many-windows",
            windows.clone(),
            vec![
                at("e.toml", &windows, "duration"),
                "at most 100000 per replication".into(),
            ],
        ),
        bomb(
            "a-billion-replications",
            reps.clone(),
            vec![
                at("e.toml", &reps, "replications"),
                "at most 10000 per scenario".into(),
            ],
        ),
        bomb(
            "results-past-1-GiB",
            memory.clone(),
            vec![
                at("e.toml", &memory, "replications"),
                "would keep about".into(),
                "the limit is 1.0 GiB".into(),
            ],
        ),
        bomb(
            "rate-1e12",
            rate.clone(),
            vec![
                at("e.toml", &rate, "rate = 1e12"),
                "at most 1e7 requests per second".into(),
            ],
        ),
        bomb(
            "four-billion-clients",
            clients.clone(),
            vec![at("e.toml", &clients, "clients"), "at most 1000000".into()],
        ),
        bomb(
            "four-billion-reads",
            queries.clone(),
            vec![at("e.toml", &queries, "reads = 4"), "at most 1000".into()],
        ),
        bomb(
            "sweep-of-5000",
            sweep.clone(),
            vec![
                at("e.toml", &sweep, "sweep]"),
                "at most 1000 in one experiment".into(),
            ],
        ),
    ]);
}

#[test]
fn timers_below_a_millisecond_are_refused() {
    let storm = seed_with(
        "check = {}",
        "check = { inter = \"1ns\", timeout = \"1ns\" }",
    );
    check(vec![run_case(
        "check-storm",
        storm.clone(),
        EXPERIMENT.into(),
        &[
            &at("m.toml", &storm, "check = {"),
            "balancers.lb1.check.inter: must be at least 1ms (the software counts it in milliseconds), found 1ns",
            "balancers.lb1.check.timeout: must be at least 1ms",
        ],
    )]);
}

#[test]
fn problems_of_a_parsed_file_always_have_a_line_and_column() {
    let scen = format!(
        "{EXPERIMENT}\n[[scenarios]]\nname = \"a\"\nset = {{ \"balancers.lb1.algorithm\" = \"nonsense\" }}\n\n[[scenarios]]\nname = \"a\"\n"
    );
    let dup = scen.replace("\"nonsense\"", "\"leastconn\"");
    let second_a = dup.rfind("name = \"a\"").unwrap();
    let (dup_head, dup_tail) = dup.split_at(second_a);
    let dup_at = at(
        "e.toml",
        &format!("{dup_head}{}", dup_tail.replacen("name", "NAME", 1)),
        "NAME",
    );
    let no_duration = EXPERIMENT.replace("duration = \"20s\"\n", "");
    let long_name = format!(
        "{EXPERIMENT}\n[[scenarios]]\nname = \"{}\"\n",
        "x".repeat(65_536)
    );
    check(vec![
        run_case(
            "set-entry",
            SEED_MODEL.into(),
            scen.clone(),
            &[
                &at("e.toml", &scen, "\"balancers.lb1.algorithm\""),
                "unknown algorithm `nonsense`",
                "(value from scenario `a`)",
            ],
        ),
        run_case(
            "duplicate-scenario",
            SEED_MODEL.into(),
            dup.clone(),
            &[&dup_at, "two scenarios are named `a`"],
        ),
        run_case(
            "empty-model",
            String::new(),
            EXPERIMENT.into(),
            &["m.toml:1:1: ", "at least one server"],
        ),
        run_case(
            "missing-duration",
            SEED_MODEL.into(),
            no_duration,
            &["e.toml:1:1: ", "duration"],
        ),
        run_case(
            "scenario-name-of-64-KiB",
            SEED_MODEL.into(),
            long_name.clone(),
            &[&at("e.toml", &long_name, "name = \"xxx"), "at most 100"],
        ),
        run_case(
            "experiment-name-escapes-output",
            SEED_MODEL.into(),
            format!("name = \"../../etc\"\n{EXPERIMENT}"),
            &["e.toml:1:1: name: ", "must not contain `/`"],
        ),
        run_case(
            "an-empty-sweep",
            SEED_MODEL.into(),
            format!("{EXPERIMENT}\n[sweep]\nparam = \"workload.rate\"\nvalues = []\n"),
            &["e.toml:24:1: sweep.values: the list is empty: a sweep needs at least one value"],
        ),
        run_case(
            "a-model-run-as-an-experiment",
            SEED_MODEL.into(),
            SEED_MODEL.into(),
            &["e.toml:1:1: ", "this is a model, not an experiment"],
        ),
        case(
            "no-workload-is-not-blamed-on-an-override",
            vec![
                ("m.toml", TINY_MODEL.into()),
                ("e.toml", "model = \"m.toml\"\nduration = \"10s\"\n".into()),
            ],
            &["run", "e.toml", "--replications", "1"],
            &[
                "e.toml:1:1: ",
                "an experiment needs a [workload] (or its model must give one)\n",
            ],
        ),
        case(
            "overload-at-the-rate",
            overloaded_tiny(),
            &["check", "e.toml"],
            &["e.toml:8:1: workload.rate: ", "station web.app"],
        ),
    ]);
}

#[test]
fn unreasonable_thread_counts_and_foreign_folders_are_refused_at_once() {
    let dir = TempDir::new("threads");
    dir.write("m.toml", SEED_MODEL);
    dir.write("e.toml", EXPERIMENT);
    let started = std::time::Instant::now();
    let out = run_in(dir.path(), &["run", "e.toml", "--threads", "100000"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: --threads 100000"), "{err}");
    assert!(
        started.elapsed().as_secs() < 5,
        "it must not try to start the threads"
    );
    // A folder holding someone's files is never replaced.
    dir.write("notes.txt.bak", "mine");
    let out = run_in(dir.path(), &["run", "e.toml", "--out", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not look like a stacksim results folder"),
        "{err}"
    );
    assert!(dir.path().join("notes.txt.bak").exists());
    assert!(!dir.path().join("summary.csv").exists());
}

#[test]
fn replication_link_settings_are_located() {
    let short = seed_with(
        "role = \"replica\"",
        "role = \"replica\"\nnet_timeout = \"500ms\"",
    );
    let on_primary = seed_with(
        "role = \"primary\"",
        "role = \"primary\"\nnet_timeout = \"5s\"",
    );
    let itself = format!(
        "{EXPERIMENT}\n[[faults]]\nat = \"5s\"\ntarget = \"db1\"\nkind = \"partition\"\npeer = \"db1\"\n"
    );
    check(vec![
        run_case(
            "net-timeout-below-a-second",
            short.clone(),
            EXPERIMENT.into(),
            &[
                &at("m.toml", &short, "net_timeout"),
                "databases.db2.net_timeout: must be at least 1s (the software counts it in whole seconds), found 500ms",
            ],
        ),
        run_case(
            "net-timeout-on-the-primary",
            on_primary.clone(),
            EXPERIMENT.into(),
            &[
                &at("m.toml", &on_primary, "net_timeout"),
                "databases.db1.net_timeout: `net_timeout` belongs on a replica: it describes how it copies its source",
            ],
        ),
        run_case(
            "partition-of-a-database-from-itself",
            SEED_MODEL.into(),
            itself.clone(),
            &[
                &at("e.toml", &itself, "peer = "),
                "faults[0].peer: `db1` cannot be cut off from itself; a partition between two databases cuts a replica from its source",
            ],
        ),
    ]);
}
