//! Bad input files, as a hostile or unlucky user would give them: a model
//! that is `/dev/zero`, a named pipe or a folder; files over the size
//! limits; an empirical file with too many samples; a file that is not
//! UTF-8. Every case ends with exit code 2, a message starting `error:`
//! with `file:line:col` where the file parsed, under 1 KB, without Rust's
//! words, nothing on stdout and no output folder; the style is
//! `bad_input.rs`'s. The harness here also runs `bad_input_words.rs`.

use super::common::{TempDir, judge_refusal};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub(super) const SEED_MODEL: &str = include_str!("../../models/seed.toml");

/// The smallest valid model: one server, entered directly.
pub(super) const TINY_MODEL: &str = r#"name = "tiny"
entry = "web"

[servers.web.app]
workers = 1
service = "1ms"
"#;

/// A short experiment on `m.toml`.
pub(super) const EXPERIMENT: &str = "model = \"m.toml\"\nduration = \"20s\"\nreplications = 2\n\n[workload]\nkind = \"open\"\nrate = 10\n";

/// Rust's words that a message must never show.
const RUST_WORDS: [&str; 10] = [
    "struct", "enum", "u32", "f64", "usize", "variant", "untagged", "Option", "Vec", "::",
];

/// `text` with `from` (which must occur exactly once) replaced by `to`.
pub(super) fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in the input");
    text.replacen(from, to, 1)
}

/// `file:LINE:COL` of the first occurrence of `needle` in `text`.
pub(super) fn at(file: &str, text: &str, needle: &str) -> String {
    let offset = text.find(needle).expect("the needle is in the text");
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = text[line_start..offset].chars().count() + 1;
    format!("{file}:{line}:{column}:")
}

/// A file of a case: text, raw bytes, a size of zero bytes, or a named pipe.
pub(super) enum File {
    Text(String),
    Bytes(Vec<u8>),
    Sparse(u64),
    Fifo,
}

pub(super) struct Case {
    name: &'static str,
    files: Vec<(&'static str, File)>,
    args: Vec<String>,
    expected: Vec<String>,
    /// The most bytes stderr may have.
    pub(super) max_bytes: usize,
}

pub(super) fn case(
    name: &'static str,
    files: Vec<(&'static str, File)>,
    args: &[&str],
    expected: &[&str],
) -> Case {
    Case {
        name,
        files,
        args: args.iter().map(|s| s.to_string()).collect(),
        expected: expected.iter().map(|s| s.to_string()).collect(),
        max_bytes: 1024,
    }
}

pub(super) fn text(s: &str) -> File {
    File::Text(s.to_string())
}

/// Runs stacksim in `dir`, killed after 60 s (a file that blocks must not hang the tests).
fn run_in(dir: &Path, args: &[String]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stacksim");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("stacksim {} did not end within 60 s", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect output")
}

/// Runs one case; returns what is wrong with the outcome.
fn check_one(c: &Case) -> Option<String> {
    let dir = TempDir::new(c.name);
    for (name, f) in &c.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        match f {
            File::Text(t) => std::fs::write(&path, t).expect("write"),
            File::Bytes(b) => std::fs::write(&path, b).expect("write"),
            File::Sparse(len) => std::fs::File::create(&path)
                .and_then(|f| f.set_len(*len))
                .expect("a sparse file"),
            File::Fifo => {
                let ok = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
                assert!(ok.success(), "mkfifo {}", path.display());
            }
        }
    }
    let out_dir = dir.path().join("out");
    let mut args = c.args.clone();
    if args.first().map(String::as_str) == Some("run") {
        args.extend(["--out".into(), out_dir.to_string_lossy().into_owned()]);
    }
    let out = run_in(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let forbidden: Vec<&str> = RUST_WORDS.iter().copied().chain(["os error"]).collect();
    let mut wrong = judge_refusal(&out, &out_dir, &c.expected, &forbidden);
    if out.stderr.len() > c.max_bytes {
        wrong.push(format!(
            "stderr has {} bytes, over {}",
            out.stderr.len(),
            c.max_bytes
        ));
    }
    let shown: String = stderr.chars().take(3000).collect();
    (!wrong.is_empty()).then(|| {
        format!(
            "case `{}`:\n  - {}\n  stderr was:\n{shown}",
            c.name,
            wrong.join("\n  - ")
        )
    })
}

pub(super) fn check(cases: Vec<Case>) {
    let failures: Vec<String> = cases.iter().filter_map(check_one).collect();
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The tiny model and the experiment, with `model = …` set to `model`.
fn experiment_naming(model: &str) -> Vec<(&'static str, File)> {
    vec![
        ("m.toml", text(TINY_MODEL)),
        ("e.toml", text(&edit(EXPERIMENT, "\"m.toml\"", model))),
    ]
}

#[test]
fn only_regular_files_are_read() {
    check(vec![
        case(
            "model-is-dev-zero",
            experiment_naming("\"/dev/zero\""),
            &["run", "e.toml"],
            &[
                "e.toml:1:1: model: /dev/zero: cannot read the file: it is a device, not a regular file",
                "1 | model = \"/dev/zero\"\n  | ^",
            ],
        ),
        case(
            "model-is-a-fifo",
            vec![("m.toml", File::Fifo), ("e.toml", text(EXPERIMENT))],
            &["run", "e.toml"],
            &["e.toml:1:1: model: m.toml: cannot read the file: it is a named pipe (FIFO)"],
        ),
        case(
            "model-is-a-folder",
            vec![
                ("sub/.keep", text("")),
                ("e.toml", text(&edit(EXPERIMENT, "\"m.toml\"", "\"sub\""))),
            ],
            &["run", "e.toml"],
            &["e.toml:1:1: model: sub: cannot read the file: it is a folder"],
        ),
        case(
            "missing-model-points-at-the-key",
            experiment_naming("\"gone.toml\""),
            &["run", "e.toml"],
            &[
                "e.toml:1:1: model: gone.toml: cannot read the file: no such file",
                "(named by `model` in e.toml)",
            ],
        ),
        case(
            "check-dev-zero",
            vec![],
            &["check", "/dev/zero"],
            &["error: /dev/zero: cannot read the file: it is a device"],
        ),
        case(
            "experiment-is-a-fifo",
            vec![("e.toml", File::Fifo)],
            &["run", "e.toml"],
            &["error: e.toml: cannot read the file: it is a named pipe (FIFO), not a regular file"],
        ),
        case(
            "empirical-is-dev-zero",
            vec![(
                "m.toml",
                text(&edit(
                    TINY_MODEL,
                    "\"1ms\"",
                    "{ dist = \"empirical\", file = \"/dev/zero\", column = \"x_ms\" }",
                )),
            )],
            &["check", "m.toml"],
            &[
                "m.toml:6:1: servers.web.app.service: cannot read empirical file /dev/zero: it is a device, not a regular file",
            ],
        ),
    ]);
}

#[test]
fn files_over_the_limits_are_refused() {
    let empirical = edit(
        TINY_MODEL,
        "\"1ms\"",
        "{ dist = \"empirical\", file = \"lat.csv\", column = \"x_ms\" }",
    );
    let many = format!("x_ms\n{}", "1\n".repeat(1_000_001));
    check(vec![
        case(
            "experiment-over-1-MiB",
            vec![(
                "e.toml",
                text(&format!("{EXPERIMENT}#{}\n", "x".repeat(1 << 20))),
            )],
            &["run", "e.toml"],
            &[
                "error: e.toml: the file is larger than 1 MiB, the limit for a model or experiment file",
            ],
        ),
        case(
            "model-over-1-MiB",
            vec![
                ("m.toml", File::Sparse((1 << 20) + 1)),
                ("e.toml", text(EXPERIMENT)),
            ],
            &["run", "e.toml"],
            &["e.toml:1:1: model: m.toml: the file is larger than 1 MiB"],
        ),
        case(
            "empirical-over-64-MiB",
            vec![
                ("m.toml", text(&empirical)),
                ("lat.csv", File::Sparse((64 << 20) + 1)),
            ],
            &["check", "m.toml"],
            &[
                "m.toml:6:1: servers.web.app.service: lat.csv: the file is larger than 64 MiB, the limit for an empirical samples file",
            ],
        ),
        case(
            "empirical-too-many-samples",
            vec![("m.toml", text(&empirical)), ("lat.csv", text(&many))],
            &["check", "m.toml"],
            &[
                "lat.csv:1000002: more than 1000000 samples",
                "take a random subset",
            ],
        ),
    ]);
}

#[test]
fn a_file_that_is_not_utf8_says_where() {
    let mut model = TINY_MODEL.as_bytes().to_vec();
    let at_name = TINY_MODEL.find("tiny").expect("the name") + 2;
    model[at_name] = 0xE9; // Latin-1 é
    let mut csv = b"x_ms\n1\n2\xff3\n".to_vec();
    csv.extend_from_slice(b"4\n");
    let empirical = edit(
        TINY_MODEL,
        "\"1ms\"",
        "{ dist = \"empirical\", file = \"lat.csv\", column = \"x_ms\" }",
    );
    check(vec![
        case(
            "model-not-utf8",
            vec![("m.toml", File::Bytes(model.clone()))],
            &["check", "m.toml"],
            &[
                "m.toml:1:11: the file is not UTF-8 text: byte 0xE9 at line 1, column 11",
                "1 | name = \"ti\u{fffd}y\"\n  |           ^",
            ],
        ),
        case(
            "model-not-utf8-via-experiment",
            vec![("m.toml", File::Bytes(model)), ("e.toml", text(EXPERIMENT))],
            &["run", "e.toml"],
            &["m.toml:1:11: the file is not UTF-8"],
        ),
        case(
            "experiment-not-utf8",
            vec![(
                "e.toml",
                File::Bytes(b"model = \"m.toml\"\n# caf\xe9\n".to_vec()),
            )],
            &["run", "e.toml"],
            &["e.toml:2:6: the file is not UTF-8 text: byte 0xE9"],
        ),
        case(
            "empirical-not-utf8",
            vec![("m.toml", text(&empirical)), ("lat.csv", File::Bytes(csv))],
            &["check", "m.toml"],
            &["lat.csv:3:2: the file is not UTF-8 text: byte 0xFF at line 3, column 2"],
        ),
    ]);
}
