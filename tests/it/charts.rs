//! Charts and reports: every chart's SVG holds its title, axis labels and
//! series names as `<text>`; awkward results (one scenario and one
//! replication, no failure, every request failed, a fault at t = 0) still
//! draw; `stacksim report DIR` rebuilds the same bytes from the folder;
//! `run --no-charts` writes CSVs only. `check_folder` is also used by
//! `experiments`, which runs every bundled experiment.

use super::common::TempDir;
use std::path::Path;
use std::process::Command;

fn stacksim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .output()
        .expect("run stacksim")
}

/// The trimmed contents of every `<text>` element of an SVG document.
pub fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let (Some(open_end), Some(close)) = (rest.find('>'), rest.find("</text>")) else {
            break;
        };
        out.push(
            rest[open_end + 1..close]
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        );
        rest = &rest[close + 7..];
    }
    out
}

/// Column `col` of a CSV file's data rows (simple CSV: no quoted commas).
fn column(dir: &Path, file: &str, col: usize) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    let mut v: Vec<String> = (text.lines().skip(1))
        .filter_map(|l| l.split(',').nth(col).map(String::from))
        .collect();
    v.dedup();
    v
}

/// Problems with the charts and reports of a results folder (empty: fine).
pub fn check_folder(dir: &Path) -> Vec<String> {
    let mut bad = vec![];
    let mut need = |svg: &str, texts: &[String]| {
        let path = dir.join(svg);
        let Ok(doc) = std::fs::read_to_string(&path) else {
            bad.push(format!("{}: missing", path.display()));
            return;
        };
        let have = svg_texts(&doc);
        for t in texts {
            if !have.contains(t) {
                bad.push(format!(
                    "{}: no <text> `{t}` among {have:?}",
                    path.display()
                ));
            }
        }
        let png = path.with_extension("png");
        match std::fs::read(&png) {
            Ok(b) if b.starts_with(b"\x89PNG") && b.len() > 10_000 => {}
            _ => bad.push(format!("{}: missing or not a PNG", png.display())),
        }
    };
    let s = |x: &str| x.to_string();
    let experiment = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let _ = experiment;
    if dir.join("summary.csv").exists() {
        let scenarios = column(dir, "summary.csv", 0);
        let mut dist = vec![
            s("Latency distribution"),
            s("latency (log scale)"),
            s("Scenario"),
        ];
        dist.push(s(
            "percentile (nines scale: p90, p99, p99.9 equally spaced)",
        ));
        dist.extend(scenarios.iter().cloned());
        need("latency-distribution.svg", &dist);
        let mut out = vec![
            s("Availability and failures per scenario"),
            s("requests that succeeded"),
        ];
        out.push(s("failed requests per replication"));
        out.extend(scenarios.iter().cloned());
        need("outcomes.svg", &out);
        let mut util = vec![
            s("Utilisation per station"),
            s("utilisation"),
            s("station"),
            s("bottleneck"),
        ];
        util.extend(column(dir, "stations.csv", 2));
        util.extend(scenarios.iter().cloned());
        need("utilisation.svg", &util);
        let with_events = column(dir, "timeline.csv", 0);
        let drawn = if with_events.is_empty() {
            scenarios[..1].to_vec()
        } else {
            with_events
        };
        for sc in drawn {
            let stem: String = (sc.chars())
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut texts = vec![
                format!("Latency over time — {sc}"),
                s("latency (log scale)"),
                s("simulated time"),
                s("p99 (mean)"),
                s("p50 (mean)"),
                s("failed (when given up)"),
            ];
            // Every reason this scenario's windows saw is in the legend.
            let scenario_of = column(dir, "failures_over_time.csv", 0);
            let reason = column(dir, "failures_over_time.csv", 3);
            for (x, r) in scenario_of.iter().zip(reason) {
                if x == &sc && !texts.contains(&r) {
                    texts.push(r);
                }
            }
            need(&format!("latency-over-time-{stem}.svg"), &texts);
        }
    }
    // A sweep's chart: latency against its first axis, a line per scenario.
    let header = std::fs::read_to_string(dir.join("summary.csv"))
        .map(|t| t.lines().next().unwrap_or("").to_string())
        .unwrap_or_default();
    let cols: Vec<&str> = header.split(',').collect();
    if let Some(end) = cols.iter().position(|c| *c == "replications")
        && end > 1
    {
        need(
            "sweep.svg",
            &[
                format!("Latency against {}", cols[1]),
                s("p99"),
                s("mean"),
                s("Scenario"),
            ],
        );
    }
    if dir.join("plan.csv").exists() {
        let knob = column(dir, "plan.csv", 1);
        let measure = column(dir, "plan.csv", 5);
        if let (Some(k), Some(m)) = (knob.first(), measure.first()) {
            need(
                "plan.svg",
                &[
                    format!("Capacity plan: {m} against {k}"),
                    format!("{m}, every server"),
                    s("pass"),
                    s("mean, analytic ≈"),
                ],
            );
        }
    }
    if dir.join("availability.csv").exists() {
        let mut av = vec![
            s("Availability over years"),
            s("downtime per year"),
            s("analytic downtime"),
        ];
        av.push(s("share of downtime by component"));
        av.extend(column(dir, "availability.csv", 0));
        need("availability.svg", &av);
    }
    for (f, starts) in [("report.html", "<!DOCTYPE html>"), ("report.md", "# ")] {
        match std::fs::read_to_string(dir.join(f)) {
            Ok(t) if t.starts_with(starts) => {
                if f == "report.html"
                    && (t.contains("<script") || t.contains("http://") && !t.contains("xmlns"))
                {
                    bad.push(format!("{f}: not self-contained"));
                }
            }
            _ => bad.push(format!("{}: missing or malformed", dir.join(f).display())),
        }
    }
    bad
}

/// A one-scenario experiment on the seed model; `faults` is TOML appended.
pub fn tiny_experiment(tmp: &TempDir, name: &str, rate: u32, faults: &str) -> String {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/seed.toml");
    tmp.write(
        &format!("{name}.toml"),
        &format!(
            "# A tiny experiment for the chart tests.\nname = \"{name}\"\nmodel = {model:?}\nduration = \"20s\"\nwarmup = \"2s\"\nreplications = 1\nseed = 7\n\n[workload]\nkind = \"open\"\nrate = {rate}\nclients = 200\n\n[[workload.classes]]\nname = \"page\"\nprobability = 1.0\nreads = 1\n{faults}"
        ),
    )
}

fn run(exp: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["run", exp, "--out", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let o = stacksim(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn one_scenario_one_replication_without_failures_draws_everything() {
    let tmp = TempDir::new("charts-calm");
    let exp = tiny_experiment(&tmp, "calm", 50, "");
    let out = tmp.path().join("calm");
    run(&exp, &out, &[]);
    assert_eq!(column(&out, "failures.csv", 0), Vec::<String>::new());
    // One row per component: `check`'s terminal wrapping must not leak in.
    let components = column(&out, "model.csv", 0);
    assert_eq!(
        components,
        [
            "entry",
            "balancer lb1",
            "server web1",
            "server web2",
            "database db1",
            "database db2",
            "network (one way)"
        ],
    );
    let bad = check_folder(&out);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| calm | 1 |"), "{md}");
    assert!(
        md.contains("![Latency distribution](latency-distribution.png)"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("A tiny experiment for the chart tests."));
    assert!(html.contains("<figure id=\"topology\"><svg"));
}

#[test]
fn the_description_is_the_reports_question_before_the_leading_comment() {
    let tmp = TempDir::new("charts-question");
    let exp = tiny_experiment(&tmp, "asks", 50, "");
    let text = std::fs::read_to_string(&exp).unwrap().replacen(
        "name = \"asks\"",
        "name = \"asks\"\ndescription = \"Does one balancer keep p99 under 200 ms?\"",
        1,
    );
    std::fs::write(&exp, text).unwrap();
    let out = tmp.path().join("asks");
    run(&exp, &out, &["--no-charts"]);
    let csv = std::fs::read_to_string(out.join("experiment.csv")).unwrap();
    assert!(
        csv.contains("question,Does one balancer keep p99 under 200 ms?"),
        "{csv}"
    );
    assert!(
        !csv.contains("A tiny experiment for the chart tests."),
        "{csv}"
    );
}

#[test]
fn every_request_failed_from_a_fault_at_t0_still_draws() {
    let tmp = TempDir::new("charts-dead");
    let fault = "\n[[faults]]\nat = \"0s\"\ntarget = \"lb1\"\nkind = \"crash\"\nmode = \"host\"\n";
    let exp = tiny_experiment(&tmp, "dead", 50, fault);
    let out = tmp.path().join("dead");
    run(&exp, &out, &[]);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let row: Vec<&str> = summary.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[3], "0", "no request succeeds: {summary}");
    assert!(
        column(&out, "timeline.csv", 2)
            .iter()
            .any(|t| t == "0.000000")
    );
    let bad = check_folder(&out);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let texts = svg_texts(&std::fs::read_to_string(out.join("latency-distribution.svg")).unwrap());
    assert!(
        texts
            .iter()
            .any(|t| t == "no successful request: no latency to show"),
        "{texts:?}"
    );
}

#[test]
fn report_rebuilds_the_same_bytes_and_no_charts_skips_them() {
    let tmp = TempDir::new("charts-again");
    let exp = tiny_experiment(&tmp, "again", 80, "");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&exp, &a, &[]);
    run(&exp, &b, &["--no-charts"]);
    assert!(!b.join("report.html").exists() && !b.join("outcomes.png").exists());
    assert!(b.join("experiment.csv").exists() && b.join("percentiles.csv").exists());
    let o = stacksim(&["report", b.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    for n in &names {
        let (x, y) = (
            std::fs::read(a.join(n)).unwrap(),
            std::fs::read(b.join(n)).unwrap(),
        );
        assert!(
            x == y,
            "{n} differs between run and run --no-charts + report"
        );
    }
    // A folder without results is bad input.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(
        stacksim(&["report", empty.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

#[test]
fn an_availability_study_draws_its_chart() {
    let tmp = TempDir::new("charts-avail");
    let exp = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed-limitations.toml");
    let out = tmp.path().join("av");
    let o = stacksim(&[
        "availability",
        exp.to_str().unwrap(),
        "--years",
        "5",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bad = check_folder(&out);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("## Availability") && md.contains("| keepalived-pair |"),
        "{md}"
    );
}
