//! The model drawn as an SVG diagram, the same picture as `check
//! --mermaid`: clients → DNS → balancers (a VRRP pair framed together) →
//! servers with their stations (nginx → app) → databases, with reads,
//! writes and replication as arrows. Hand-written SVG (boxes, lines,
//! `<text>`), laid out in columns, so it is small, deterministic and needs
//! no font at build time.

use crate::stack::config::{DbRole, Entry, ModelConfig};
use std::fmt::Write;

const BOX_W: f64 = 170.0;
const BOX_H: f64 = 46.0;
const COL_X: [f64; 5] = [20.0, 200.0, 390.0, 610.0, 900.0];
const ROW_H: f64 = 120.0;
const TOP: f64 = 70.0;
const BLUE: &str = "#0072B2";
const RED: &str = "#D55E00";
const GREEN: &str = "#009E73";

/// `&`, `<`, `>` and `"` escaped for XML text and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Svg(String);

impl Svg {
    // Geometry (4) and texts (3) of one box: a struct for them would add nothing.
    #[allow(clippy::too_many_arguments)]
    fn node(&mut self, x: f64, y: f64, w: f64, h: f64, title: &str, detail: &str, fill: &str) {
        let _ = writeln!(
            self.0,
            r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="#333" stroke-width="1.2"/>"##
        );
        let ty = if detail.is_empty() {
            y + h / 2.0 + 5.0
        } else {
            y + h / 2.0 - 3.0
        };
        let _ = writeln!(
            self.0,
            r#"<text x="{}" y="{ty}" text-anchor="middle" font-weight="bold">{}</text>"#,
            x + w / 2.0,
            esc(title)
        );
        if !detail.is_empty() {
            let _ = writeln!(
                self.0,
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>"#,
                x + w / 2.0,
                y + h / 2.0 + 13.0,
                esc(detail)
            );
        }
    }
    fn arrow(&mut self, from: (f64, f64), to: (f64, f64), colour: &str, dashed: bool, label: &str) {
        let dash = if dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = writeln!(
            self.0,
            r#"<path d="M{} {} C{} {} {} {} {} {}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#arrow-{})"/>"#,
            from.0,
            from.1,
            (from.0 + to.0) / 2.0,
            from.1,
            (from.0 + to.0) / 2.0,
            to.1,
            to.0,
            to.1,
            colour.trim_start_matches('#')
        );
        if !label.is_empty() {
            let _ = writeln!(
                self.0,
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{colour}">{}</text>"#,
                (from.0 + to.0) / 2.0,
                (from.1 + to.1) / 2.0 - 4.0,
                esc(label)
            );
        }
    }
}

fn row_y(i: usize) -> f64 {
    TOP + i as f64 * ROW_H
}

/// The diagram of `m` as a complete SVG document.
pub fn svg(m: &ModelConfig) -> String {
    let rows = (m.balancers.len())
        .max(m.servers.len())
        .max(m.databases.len())
        .max(1);
    let height = TOP + rows as f64 * ROW_H + 30.0;
    let width = COL_X[4] + BOX_W + 30.0;
    let mut s = Svg(String::new());
    let _ = writeln!(
        s.0,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" font-size="13">"#
    );
    s.0.push_str("<defs>\n");
    for c in [BLUE, RED, GREEN, "#333"] {
        let _ = writeln!(
            s.0,
            r#"<marker id="arrow-{}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="{c}"/></marker>"#,
            c.trim_start_matches('#')
        );
    }
    s.0.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    let _ = writeln!(
        s.0,
        r##"<text x="20" y="30" font-size="18" font-weight="bold">Topology</text><text x="20" y="50" font-size="12" fill="#444">arrows: requests (grey), reads (blue), writes (vermillion), replication (green, dashed)</text>"##
    );
    let centre_y = |i: usize| row_y(i) + BOX_H / 2.0;
    let mid = (rows - 1) as f64 / 2.0;
    let clients_y = TOP + mid * ROW_H;
    s.node(COL_X[0], clients_y, 150.0, BOX_H, "clients", "", "#f2f2f2");
    let entry_pos = |e: &Entry| match *e {
        Entry::Balancer(b) => (COL_X[2], centre_y(b)),
        Entry::Server(i) => (COL_X[3], centre_y(i)),
    };
    let mut from = (COL_X[0] + 150.0, clients_y + BOX_H / 2.0);
    if let Some(d) = &m.dns {
        s.node(
            COL_X[1],
            clients_y,
            BOX_W,
            BOX_H,
            &format!("DNS {}", d.record),
            &format!("TTL {}", d.ttl),
            "#fff7e0",
        );
        s.arrow(from, (COL_X[1], clients_y + BOX_H / 2.0), "#333", false, "");
        from = (COL_X[1] + BOX_W, clients_y + BOX_H / 2.0);
    }
    for e in &m.entries {
        s.arrow(from, entry_pos(e), "#333", false, "");
    }
    for (i, b) in m.balancers.iter().enumerate() {
        if let Some(v) = &b.vrrp {
            let (lo, hi) = (i.min(v.backup), i.max(v.backup));
            let _ = writeln!(
                s.0,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="none" stroke="{GREEN}" stroke-dasharray="5 4"/><text x="{}" y="{}" font-size="11" fill="{GREEN}">VRRP pair (keepalived)</text>"##,
                COL_X[2] - 10.0,
                row_y(lo) - 18.0,
                BOX_W + 20.0,
                row_y(hi) - row_y(lo) + BOX_H + 28.0,
                COL_X[2] - 6.0,
                row_y(lo) - 5.0
            );
        }
        s.node(
            COL_X[2],
            row_y(i),
            BOX_W,
            BOX_H,
            &b.name,
            &format!("HAProxy, {}", b.algorithm.name()),
            "#e8f1fa",
        );
        for x in &b.backends {
            s.arrow(
                (COL_X[2] + BOX_W, centre_y(i)),
                (COL_X[3], centre_y(x.server)),
                "#333",
                false,
                "",
            );
        }
    }
    let srv_w = 220.0;
    for (i, sv) in m.servers.iter().enumerate() {
        let y = row_y(i) - 14.0;
        let _ = writeln!(
            s.0,
            r##"<rect x="{}" y="{y}" width="{srv_w}" height="{}" rx="8" fill="#fafafa" stroke="#333"/><text x="{}" y="{}" font-size="12" font-weight="bold">{}</text>"##,
            COL_X[3],
            BOX_H + 34.0,
            COL_X[3] + 8.0,
            y + 13.0,
            esc(&sv.name)
        );
        let app_x = COL_X[3] + 118.0;
        if let Some(n) = &sv.nginx {
            s.node(
                COL_X[3] + 8.0,
                row_y(i) + 4.0,
                92.0,
                BOX_H - 6.0,
                "nginx",
                &format!("{} worker(s)", n.workers),
                "#eef7ee",
            );
            s.arrow(
                (COL_X[3] + 100.0, centre_y(i) + 1.0),
                (app_x, centre_y(i) + 1.0),
                "#333",
                false,
                "",
            );
        }
        s.node(
            app_x,
            row_y(i) + 4.0,
            94.0,
            BOX_H - 6.0,
            "app",
            &format!("{} worker(s)", sv.app.workers),
            "#eef7ee",
        );
        let out = (app_x + 94.0, centre_y(i));
        if let Some(r) = sv.reads_from {
            s.arrow(out, (COL_X[4], centre_y(r) - 8.0), BLUE, false, "");
        }
        if let Some(w) = sv.writes_to {
            s.arrow(out, (COL_X[4], centre_y(w) + 8.0), RED, false, "");
        }
    }
    for (i, d) in m.databases.iter().enumerate() {
        let role = match d.role {
            DbRole::Primary => "primary".to_string(),
            DbRole::Replica { .. } => "replica".to_string(),
        };
        let host = d
            .host
            .map_or(String::new(), |h| format!(" on {}", m.servers[h].name));
        s.node(
            COL_X[4],
            row_y(i),
            BOX_W,
            BOX_H,
            &format!("{} (MySQL)", d.name),
            &format!("{role}{host}"),
            "#fdeee6",
        );
        if let DbRole::Replica { source } = d.role {
            let x = COL_X[4] + BOX_W;
            let _ = writeln!(
                s.0,
                r#"<path d="M{x} {} C{} {} {} {} {x} {}" fill="none" stroke="{GREEN}" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#arrow-009E73)"/>"#,
                centre_y(source),
                x + 26.0,
                centre_y(source),
                x + 26.0,
                centre_y(i),
                centre_y(i)
            );
        }
    }
    s.0.push_str("</svg>\n");
    s.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
