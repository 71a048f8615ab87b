//! `report.html`: one self-contained page per results folder for a design
//! review — the question, the model (topology diagram and parameter
//! table), the settings, each scenario's headline figures with CIs, the
//! charts and, for failure experiments, the timeline. Everything is
//! inline (SVG and CSS): no script, no network access, no other file.

use super::charts::{ChartFile, ChartKind};
use super::data::Folder;
use super::diagram::esc;
use super::headline::{self, TextTable};
use std::fmt::Write;

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2em auto;max-width:1240px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.question{white-space:pre-wrap;background:#f6f8fa;border-left:4px solid #0072B2;padding:.6em 1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}
th{background:#f0f0f0;text-align:left}td.n{text-align:right;white-space:nowrap}
figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}";

fn table(o: &mut String, t: &TextTable) {
    o.push_str("<table><tr>");
    for h in &t.header {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr>\n");
    let numeric: Vec<bool> = (0..t.header.len()).map(|i| t.numeric(i)).collect();
    for r in &t.rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let class = if numeric.get(i) == Some(&true) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(o, "<td{class}>{}</td>", esc(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
}

/// An SVG document made embeddable: its XML prologue, if any, removed.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

fn chart_section(
    o: &mut String,
    heading: &str,
    charts: &[ChartFile],
    svgs: &[String],
    kinds: &[ChartKind],
) {
    let mine: Vec<usize> = (0..charts.len())
        .filter(|&i| kinds.contains(&charts[i].kind))
        .collect();
    if mine.is_empty() {
        return;
    }
    let _ = writeln!(o, "<h2>{}</h2>", esc(heading));
    for i in mine {
        let _ = writeln!(
            o,
            "<figure id=\"{}\">{}<figcaption>{} (<a href=\"{}.png\">PNG</a>, <a href=\"{}.svg\">SVG</a>)</figcaption></figure>",
            esc(&charts[i].stem),
            inline_svg(&svgs[i]),
            esc(&charts[i].title),
            esc(&charts[i].stem),
            esc(&charts[i].stem)
        );
    }
}

/// The HTML report of folder `f`; `svgs[i]` is the SVG text of `charts[i]`.
pub fn render(f: &Folder, charts: &[ChartFile], svgs: &[String]) -> String {
    let name = f.meta("experiment").unwrap_or("results");
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>stacksim: {}</title><style>{CSS}</style></head><body>",
        esc(name)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(name));
    if let Some(status) = f.meta(super::meta::STATUS) {
        let _ = writeln!(
            o,
            "<p class=\"question\"><strong>{}</strong></p>",
            esc(status)
        );
    }
    if let Some(q) = f.meta("question").filter(|q| !q.is_empty()) {
        let _ = writeln!(
            o,
            "<h2>The question</h2><p class=\"question\">{}</p>",
            esc(q)
        );
    }
    let settings: Vec<Vec<String>> = (f.meta.iter())
        .filter(|(k, _)| !matches!(k.as_str(), "experiment" | "question"))
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    if !settings.is_empty() {
        o.push_str("<h2>Settings and scenarios</h2>\n");
        table(
            &mut o,
            &TextTable {
                header: vec!["setting".into(), "value".into()],
                rows: settings,
            },
        );
    }
    if f.topology_svg.is_some() || !f.model.is_empty() {
        o.push_str("<h2>The model</h2>\n<p>As the first scenario runs it; scenarios change it as listed above.</p>\n");
        if let Some(svg) = &f.topology_svg {
            let _ = writeln!(
                o,
                "<figure id=\"topology\">{}<figcaption>Topology</figcaption></figure>",
                inline_svg(svg)
            );
        }
        let rows = f
            .model
            .iter()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect();
        table(
            &mut o,
            &TextTable {
                header: vec!["component".into(), "parameters".into()],
                rows,
            },
        );
    }
    if !f.summary.is_empty() {
        o.push_str("<h2>Headline figures</h2>\n<p>Means over replications with 95% confidence half-widths (Student t).</p>\n");
        table(&mut o, &headline::run_table(f));
    }
    if let Some(t) = headline::replication_table(f) {
        o.push_str("<h2>Replication</h2>\n<p>Per replication set (named by its first primary): the laggiest replica's lag (Seconds_Behind_Source), reads that returned an older version than the primary's, the commit wait semi-sync added, writes that found no primary, writes lost in failovers and the data-loss window (RPO), measured time without a primary. Counts are per replication; means with 95% half-widths.</p>\n");
        table(&mut o, &t);
    }
    if !f.availability.is_empty() {
        o.push_str("<h2>Availability over years</h2>\n");
        table(&mut o, &headline::availability_table(f));
    }
    if !f.plan.is_empty() {
        o.push_str("<h2>Capacity plan</h2>\n<p>Every point the planner evaluated; ± is the 95% CI half width; a point passes only when its whole interval meets each SLO.</p>\n");
        table(&mut o, &headline::plan_table(f));
    }
    use ChartKind::*;
    chart_section(&mut o, "Capacity plan", charts, svgs, &[Plan]);
    chart_section(&mut o, "Sweep", charts, svgs, &[Sweep]);
    chart_section(
        &mut o,
        "Latency over time",
        charts,
        svgs,
        &[LatencyOverTime],
    );
    chart_section(
        &mut o,
        "Latency distribution",
        charts,
        svgs,
        &[Distribution],
    );
    chart_section(
        &mut o,
        "Availability, failures and utilisation",
        charts,
        svgs,
        &[Outcomes, Utilisation],
    );
    chart_section(&mut o, "Replication", charts, svgs, &[Replication]);
    chart_section(
        &mut o,
        "Availability and downtime",
        charts,
        svgs,
        &[Availability],
    );
    if let Some(t) = headline::timeline_table(f) {
        o.push_str("<h2>Timeline (replication 1)</h2>\n");
        table(&mut o, &t);
    }
    o.push_str("<p style=\"color:#777;font-size:.85em\">Written by stacksim from the CSV files in this folder; rebuild with <code>stacksim report DIR</code>.</p>\n</body></html>\n");
    o
}
