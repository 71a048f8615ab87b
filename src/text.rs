//! Small text helpers for what stacksim shows people: clipping a value a
//! user typed before echoing it, so that no message or table grows with the
//! input (a 65,536-character scenario name prints as its first characters
//! and `…`), and wrapping long descriptive lines to fit a terminal.

/// `s` cut to at most `max_chars` characters (on a character boundary),
/// with `…` as the last one when anything was cut.
pub fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => s.to_string(),
        Some(_) => {
            let keep = max_chars.saturating_sub(1);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..end])
        }
    }
}

/// Each line of `text` longer than `width` characters broken at its last
/// `; ` or `, ` (preferring `; `) that fits, continuation lines indented by
/// four spaces. A line with no such break stays whole.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut rest = body;
        let mut first = true;
        loop {
            let room = if first { width } else { width - 4 };
            let prefix = if first { "" } else { "    " };
            if rest.chars().count() <= room {
                out.push_str(prefix);
                out.push_str(rest);
                break;
            }
            let limit = rest.char_indices().nth(room).map_or(rest.len(), |(i, _)| i);
            let head = &rest[..limit];
            let cut = head.rfind("; ").or_else(|| head.rfind(", "));
            match cut {
                Some(i) if i > 0 => {
                    out.push_str(prefix);
                    out.push_str(&rest[..i + 1]);
                    out.push('\n');
                    rest = &rest[i + 2..];
                    first = false;
                }
                _ => {
                    out.push_str(prefix);
                    out.push_str(rest);
                    break;
                }
            }
        }
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{clip, wrap};

    #[test]
    fn wraps_at_semicolons_first_then_commas() {
        let line = "balancer lb1: roundrobin over web1, web2; checks inter 2s rise 2 fall 3; retries 3, timeout connect 5s\nshort\n";
        let w = wrap(line, 50);
        assert_eq!(
            w,
            "balancer lb1: roundrobin over web1, web2;\n    checks inter 2s rise 2 fall 3;\n    retries 3, timeout connect 5s\nshort\n"
        );
        for l in w.lines() {
            assert!(l.chars().count() <= 50, "{l}");
        }
        assert_eq!(wrap("no-break-here-at-all", 5), "no-break-here-at-all");
    }

    #[test]
    fn clips_on_characters_not_bytes() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("ééééé", 4), "ééé…");
        assert_eq!(clip("", 0), "");
        assert_eq!(clip("a", 0), "…");
        assert_eq!(clip(&"x".repeat(65_536), 40).chars().count(), 40);
    }
}
