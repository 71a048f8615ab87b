//! Small text helpers for what stacksim shows people: clipping a value a
//! user typed before echoing it, so that no message or table grows with the
//! input (a 65,536-character scenario name prints as its first characters
//! and `…`).

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

#[cfg(test)]
mod tests {
    use super::clip;

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
