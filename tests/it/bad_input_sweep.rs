//! Bad sweeps: every problem of a `[sweep]` — a range that never ends or
//! expands past the limits, axes that cannot be paired, a path or value the
//! model refuses, a label that clashes — ends with exit code 2 and one
//! message located at the axis entry (`file:line:col`), in the harness of
//! `bad_input_files.rs`. A range of a billion values is refused before it is
//! expanded, so `check` answers at once.

use super::bad_input_files::{EXPERIMENT, TINY_MODEL, at, case, check, text};
use std::time::Instant;

/// The experiment with `sweep` appended, and where `needle` is in it.
fn with(sweep: &str) -> String {
    format!("{EXPERIMENT}\n{sweep}")
}

/// A case running `e.toml` (the experiment plus `sweep`) on the tiny model,
/// expecting the message at `needle` to contain `says`.
fn sweep_case(
    name: &'static str,
    sweep: &str,
    needle: &str,
    says: &str,
) -> super::bad_input_files::Case {
    let e = with(sweep);
    let place = at("e.toml", &e, needle);
    case(
        name,
        vec![("m.toml", text(TINY_MODEL)), ("e.toml", text(&e))],
        &["run", "e.toml"],
        &[&place, says],
    )
}

const AXIS: &str = "[[sweep.axes]]\nparam = ";

#[test]
fn bad_ranges_are_located_at_the_range() {
    check(vec![
        sweep_case(
            "a-billion-values",
            &format!("{AXIS}\"workload.rate\"\nvalues = {{ from = 1, to = 1e9, step = 1 }}\n"),
            "values = {",
            "sweep.axes[0].values: this range expands to 1000000000 values; at most 1000",
        ),
        sweep_case(
            "zero-step",
            "[sweep]\nparam = \"workload.rate\"\nvalues = { from = 1, to = 9, step = 0 }\n",
            "values = {",
            "`step` must be a number other than 0",
        ),
        sweep_case(
            "wrong-direction",
            &format!("{AXIS}\"workload.rate\"\nvalues = {{ from = 9, to = 1, step = 2 }}\n"),
            "values = {",
            "a step of 2 from 9 never reaches 1",
        ),
        sweep_case(
            "step-and-steps",
            &format!(
                "{AXIS}\"workload.rate\"\nvalues = {{ from = 1, to = 9, step = 2, steps = 3 }}\n"
            ),
            "values = {",
            "give `step` or `steps`, not both",
        ),
        sweep_case(
            "log-from-zero",
            &format!(
                "{AXIS}\"workload.rate\"\nvalues = {{ from = 0, to = 100, steps = 3, scale = \"log\" }}\n"
            ),
            "values = {",
            "a log range needs `from` and `to` above 0",
        ),
        sweep_case(
            "unknown-range-key",
            &format!("{AXIS}\"workload.rate\"\nvalues = {{ from = 1, to = 9, stride = 2 }}\n"),
            "stride",
            "unknown field `stride`",
        ),
        sweep_case(
            "whole-numbers-repeat",
            &format!(
                "{AXIS}\"servers.web.app.workers\"\nvalues = {{ from = 1, to = 3, steps = 5 }}\n"
            ),
            "values = {",
            "`servers.web.app.workers` takes whole numbers and this range's values, rounded, repeat (2 twice)",
        ),
        sweep_case(
            "not-a-list",
            &format!("{AXIS}\"workload.rate\"\nvalues = \"1..9\"\n"),
            "values = \"1..9\"",
            "expected a list of values or a range",
        ),
        sweep_case(
            "empty-list",
            "[sweep]\nparam = \"workload.rate\"\nvalues = []\n",
            "values = []",
            "the list is empty",
        ),
    ]);
}

#[test]
fn bad_axes_are_located_at_the_axis() {
    let two = |a: &str, b: &str| format!("{AXIS}{a}\n{AXIS}{b}\n");
    check(vec![
        sweep_case(
            "zip-of-unequal-axes",
            &format!(
                "[sweep]\ncombine = \"zip\"\n{}",
                two(
                    "\"workload.rate\"\nvalues = [10, 20, 30]",
                    "\"servers.web.app.workers\"\nvalues = [1, 2]"
                )
            ),
            "values = [1, 2]",
            "`workload.rate` has 3 values and `servers.web.app.workers` has 2",
        ),
        sweep_case(
            "product-past-the-limit",
            &two(
                "\"workload.rate\"\nvalues = { from = 1, to = 50, step = 1 }",
                "\"servers.web.app.workers\"\nvalues = { from = 1, to = 50, step = 1 }",
            ),
            "sweep.axes]]",
            "2500 sweep point(s) make 2500 scenarios; at most 1000 in one experiment",
        ),
        sweep_case(
            "unknown-combine",
            "[sweep]\ncombine = \"cross\"\nparam = \"workload.rate\"\nvalues = [1]\n",
            "combine",
            "`combine` is `product` (every combination) or `zip` (value by value), found `cross`",
        ),
        sweep_case(
            "no-such-server",
            &format!("{AXIS}\"servers.web9.app.workers\"\nvalues = [1, 2]\n"),
            "1, 2]",
            "there is no `web9` (defined: web)",
        ),
        sweep_case(
            "wrong-type-value",
            &format!("{AXIS}\"servers.web.app.workers\"\nvalues = [1, \"many\"]\n"),
            "\"many\"",
            "servers.web.app.workers: found the string \"many\"",
        ),
        sweep_case(
            "param-and-axes",
            &format!(
                "[sweep]\nparam = \"workload.rate\"\nvalues = [1]\n{AXIS}\"duration\"\nvalues = [\"10s\"]\n"
            ),
            "sweep]",
            "give either `param` and `values` (one axis) or [[sweep.axes]]",
        ),
        sweep_case(
            "swept-twice",
            &two(
                "\"workload.rate\"\nvalues = [1]",
                "\"workload.rate\"\nvalues = [2]",
            ),
            "param = \"workload.rate\"\nvalues = [2]",
            "`workload.rate` is swept twice",
        ),
        sweep_case(
            "label-is-a-summary-column",
            &format!("{AXIS}\"replications\"\nvalues = [2, 3]\n"),
            "[[sweep",
            "the axis would be the column `replications`, which summary.csv has already: give the axis a `label`",
        ),
        sweep_case(
            "labels-clash",
            &two(
                "\"workload.rate\"\nvalues = [1]\nlabel = \"x\"",
                "\"duration\"\nlabel = \"x\"\nvalues = [\"10s\"]",
            ),
            "label = \"x\"\nvalues",
            "two axes are labelled `x`: give one a `label`",
        ),
        sweep_case(
            "values-missing",
            "[sweep]\nparam = \"workload.rate\"\n",
            "param",
            "`values` is missing",
        ),
    ]);
}

#[test]
fn check_refuses_a_billion_value_range_at_once() {
    let dir = super::common::TempDir::new("sweep-billion");
    dir.write("m.toml", TINY_MODEL);
    let e = dir.write(
        "e.toml",
        &with("[sweep]\nparam = \"workload.rate\"\nvalues = { from = 1, to = 1e9, step = 1 }\n"),
    );
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(["check", &e])
        .output()
        .expect("run stacksim");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expands to 1000000000 values"));
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
}
