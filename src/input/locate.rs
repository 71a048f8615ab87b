//! Finds where a dotted field path (`servers.web1.app.workers`,
//! `workload.classes[1].reads`) is written in a TOML text, so that problems
//! found after parsing — by serde or by validation — still point at a line
//! and column. When the full path is not in the text (a missing field), the
//! deepest written ancestor is returned.

use toml::de::{DeTable, DeValue};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2].c` into segments. Quoted keys are not supported (model
/// component names are bare keys).
pub fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                segs.push(Seg::Key(rest[..open].to_string()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let close = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..close].parse() {
                    segs.push(Seg::Index(i));
                }
                rest = stripped.get(close + 1..).unwrap_or("");
            }
        } else {
            segs.push(Seg::Key(rest.to_string()));
        }
    }
    segs
}

/// Renders segments back into `a.b[2].c`.
pub fn render_path(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The byte offset in `text` of the value at `path` (or of the deepest
/// ancestor written in the text). `None` if the text does not parse.
pub fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in path {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                .map(|(key, v)| (key.span().start, v)),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i).map(|v| (v.span().start, v)),
            _ => None,
        };
        let Some((offset, v)) = next else { break };
        best = Some(offset);
        value = Some(v.get_ref());
        table = v.get_ref().as_table();
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count() + 1
    }

    #[test]
    fn path_round_trips() {
        let segs = parse_path("workload.classes[1].reads");
        assert_eq!(
            segs,
            vec![
                Seg::Key("workload".into()),
                Seg::Key("classes".into()),
                Seg::Index(1),
                Seg::Key("reads".into())
            ]
        );
        assert_eq!(render_path(&segs), "workload.classes[1].reads");
    }

    #[test]
    fn finds_nested_keys_and_array_elements() {
        let text = "name = \"x\"\n[servers.web1.app]\nworkers = 0\n[[workload.classes]]\nreads = 1\n[[workload.classes]]\nreads = 2\n";
        let at = locate(text, &parse_path("servers.web1.app.workers")).unwrap();
        assert_eq!(line_of(text, at), 3);
        let at = locate(text, &parse_path("workload.classes[1].reads")).unwrap();
        assert_eq!(line_of(text, at), 7);
    }

    #[test]
    fn falls_back_to_the_deepest_written_ancestor() {
        let text = "[servers.web1.app]\nworkers = 1\n";
        let at = locate(text, &parse_path("servers.web1.app.service")).unwrap();
        assert_eq!(line_of(text, at), 1);
        assert_eq!(locate(text, &parse_path("nothing.here")), None);
    }
}
