//! `report.md`: the headline figures as Markdown tables and the charts as
//! PNG images, so that a change in results shows up as a readable diff in
//! review. Deterministic: the same folder gives the same bytes.

use super::charts::ChartFile;
use super::data::Folder;
use super::headline::{self, TextTable};
use std::fmt::Write;

fn table(o: &mut String, t: &TextTable) {
    let cell = |s: &str| s.replace('|', "\\|");
    let _ = writeln!(
        o,
        "| {} |",
        t.header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        o,
        "|{}",
        t.header
            .iter()
            .enumerate()
            .map(|(i, _)| if t.numeric(i) { "---:|" } else { "---|" })
            .collect::<String>()
    );
    for r in &t.rows {
        let _ = writeln!(
            o,
            "| {} |",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
}

/// The Markdown report of folder `f` with its charts.
pub fn render(f: &Folder, charts: &[ChartFile]) -> String {
    let mut o = String::new();
    let name = f.meta("experiment").unwrap_or("results");
    let _ = writeln!(o, "# {name}\n");
    if let Some(status) = f.meta(super::meta::STATUS) {
        let _ = writeln!(o, "**{status}**\n");
    }
    if let Some(q) = f.meta("question").filter(|q| !q.is_empty()) {
        for line in q.lines() {
            let _ = writeln!(o, "> {line}");
        }
        o.push('\n');
    }
    if !f.summary.is_empty() {
        let _ = writeln!(
            o,
            "## Headline figures\n\nMeans over replications with 95% confidence half-widths.\n"
        );
        table(&mut o, &headline::run_table(f));
        o.push('\n');
    }
    if !f.plan.is_empty() {
        let _ = writeln!(
            o,
            "## Capacity plan\n\nEvery point the planner evaluated; ± is the 95% CI half width.\n"
        );
        table(&mut o, &headline::plan_table(f));
        o.push('\n');
    }
    if let Some(t) = headline::replication_table(f) {
        let _ = writeln!(
            o,
            "## Replication\n\nPer replication set: lag of the laggiest replica, stale reads, semi-sync waits, failed and lost writes, time without a primary (counts per replication).\n"
        );
        table(&mut o, &t);
        o.push('\n');
    }
    if !f.availability.is_empty() {
        let _ = writeln!(o, "## Availability\n");
        table(&mut o, &headline::availability_table(f));
        o.push('\n');
    }
    if let Some(t) = headline::timeline_table(f) {
        let _ = writeln!(o, "## Timeline (replication 1)\n");
        table(&mut o, &t);
        o.push('\n');
    }
    if !charts.is_empty() {
        let _ = writeln!(o, "## Charts\n");
        for c in charts {
            let _ = writeln!(o, "![{}]({}.png)\n", c.title, c.stem);
        }
    }
    o
}
