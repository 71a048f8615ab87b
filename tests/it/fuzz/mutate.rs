//! The fuzzer's mutator: a seeded xorshift generator and the mutations it
//! applies to a bundled TOML file, byte-level (bit flips, random and
//! non-UTF-8 bytes, deletions, truncation, duplicated or swapped lines,
//! very long lines) and structure-aware (a value replaced by an extreme
//! number, NaN, inf, a huge string, an empty table, an array or a wrong type;
//! a known key given an extreme of its kind; a key or table deleted, a table
//! duplicated, a table renamed, a line of hostile settings inserted).
//! Invariant: the result depends only on the generator's seed and the input,
//! so a case is reproduced from its number alone. The values and lines it
//! puts in are in `values.rs`.

use super::values::{
    ANY_VALUES, COUNT_KEYS, COUNTS, DURATION_KEYS, DURATIONS, INSERTS, NAME_KEYS, REAL_KEYS, REALS,
};

/// xorshift64* seeded through SplitMix64: small, fast, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Applies one to four mutations to `text`; returns the bytes and what was done.
pub fn mutate(rng: &mut Rng, text: &str) -> (Vec<u8>, Vec<String>) {
    let mut bytes = text.as_bytes().to_vec();
    let n = match rng.below(100) {
        0..=59 => 1,
        60..=84 => 2,
        _ => 3 + rng.below(2),
    };
    let mut done = vec![];
    for _ in 0..n {
        let what = match rng.below(100) {
            0..=29 => replace_value(rng, &mut bytes, None),
            30..=49 => replace_known_key(rng, &mut bytes),
            50..=56 => delete_line(rng, &mut bytes),
            57..=61 => duplicate_table(rng, &mut bytes),
            62..=64 => rename_table(rng, &mut bytes),
            65..=71 => insert_line(rng, &mut bytes),
            _ => byte_level(rng, &mut bytes),
        };
        done.push(what);
    }
    (bytes, done)
}

/// A huge value: a long string, a long array, deep nesting.
fn huge(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("\"{}\"", "x".repeat(65_536)),
        1 => format!("\"{}\"", "é".repeat(5_000)),
        2 => format!("[{}]", vec!["1"; 100_000].join(", ")),
        _ => format!("{}1{}", "[".repeat(3_000), "]".repeat(3_000)),
    }
}

/// Offsets of the values assigned in `bytes` (just after `= `).
fn value_starts(bytes: &[u8]) -> Vec<usize> {
    bytes
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w == b" = ")
        .map(|(i, _)| i + 3)
        .collect()
}

/// The end of the value starting at `start`: a string, a bracketed
/// table or array (strings inside are not parsed), or a bare word.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let Some(&first) = bytes.get(start) else {
        return start;
    };
    let mut i = start + 1;
    match first {
        b'"' => {
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += 1;
            }
            (i + 1).min(bytes.len())
        }
        b'{' | b'[' => {
            let mut depth = 1;
            while i < bytes.len() && depth > 0 {
                match bytes[i] {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            i
        }
        _ => {
            while i < bytes.len() && !b" ,}]\n#".contains(&bytes[i]) {
                i += 1;
            }
            i
        }
    }
}

/// Replaces one value (of `key` if given) with an extreme or a wrong type.
fn replace_value(rng: &mut Rng, bytes: &mut Vec<u8>, key: Option<(&str, &[&str])>) -> String {
    let starts = match key {
        None => value_starts(bytes),
        Some((k, _)) => key_value_starts(bytes, k),
    };
    if starts.is_empty() {
        return byte_level(rng, bytes);
    }
    let start = *rng.pick(&starts);
    let end = value_end(bytes, start);
    let new = match key {
        Some((_, values)) if rng.percent(80) => rng.pick(values).to_string(),
        _ if rng.percent(8) => huge(rng),
        _ => rng.pick(ANY_VALUES).to_string(),
    };
    let old = String::from_utf8_lossy(&bytes[start..end])
        .chars()
        .take(40)
        .collect::<String>();
    let shown: String = new.chars().take(40).collect();
    bytes.splice(start..end, new.bytes());
    format!(
        "value at byte {start}: `{old}` → `{shown}` ({} bytes)",
        new.len()
    )
}

/// Offsets of the values of `key` (at a line start, or inside an inline table).
fn key_value_starts(bytes: &[u8], key: &str) -> Vec<usize> {
    let pat = format!("{key} = ");
    let pat = pat.as_bytes();
    bytes
        .windows(pat.len())
        .enumerate()
        .filter(|(i, w)| *w == pat && (*i == 0 || b"\n {,".contains(&bytes[i - 1])))
        .map(|(i, _)| i + pat.len())
        .collect()
}

/// Gives a known key an extreme value of its kind.
fn replace_known_key(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let (keys, values): (&[&str], &[&str]) = match rng.below(4) {
        0 => (DURATION_KEYS, DURATIONS),
        1 => (COUNT_KEYS, COUNTS),
        2 => (REAL_KEYS, REALS),
        _ => (NAME_KEYS, &[]),
    };
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !key_value_starts(bytes, k).is_empty())
        .collect();
    if present.is_empty() {
        return replace_value(rng, bytes, None);
    }
    let key = *rng.pick(&present);
    let long_name = format!("\"{}\"", "n".repeat(65_536));
    let names = [
        long_name.as_str(),
        "\"\"",
        "\"web1\"",
        "\"lb1\"",
        "\"db1\"",
        "\"/dev/zero\"",
        "\"/\"",
        "\"../models\"",
        "\"nope.toml\"",
        "\"web1.app\"",
        "\"ünï cödé\"",
        "1",
    ];
    let values = if values.is_empty() {
        &names[..]
    } else {
        values
    };
    format!("{key}: {}", replace_value(rng, bytes, Some((key, values))))
}

/// Line boundaries: (start, end without the newline).
fn lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

fn is_header(line: &[u8]) -> bool {
    line.first() == Some(&b'[')
}

fn delete_line(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let keyed: Vec<(usize, usize)> = lines(bytes)
        .into_iter()
        .filter(|&(s, e)| bytes[s..e].contains(&b'=') || is_header(&bytes[s..e]))
        .collect();
    if keyed.is_empty() {
        return byte_level(rng, bytes);
    }
    let (s, e) = *rng.pick(&keyed);
    let end = (e + 1).min(bytes.len());
    let old: String = String::from_utf8_lossy(&bytes[s..e])
        .chars()
        .take(40)
        .collect();
    bytes.drain(s..end);
    format!("deleted line `{old}`")
}

/// The (start, end) of each table: its header through the line before the next header.
fn tables(bytes: &[u8]) -> Vec<(usize, usize)> {
    let heads: Vec<usize> = lines(bytes)
        .into_iter()
        .filter(|&(s, e)| is_header(&bytes[s..e]))
        .map(|(s, _)| s)
        .collect();
    (0..heads.len())
        .map(|i| (heads[i], heads.get(i + 1).copied().unwrap_or(bytes.len())))
        .collect()
}

fn duplicate_table(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let all = tables(bytes);
    if all.is_empty() {
        return byte_level(rng, bytes);
    }
    let (s, e) = *rng.pick(&all);
    let mut copy = bytes[s..e].to_vec();
    if copy.last() != Some(&b'\n') {
        copy.push(b'\n');
    }
    let head: String = String::from_utf8_lossy(&copy)
        .lines()
        .next()
        .unwrap_or("")
        .into();
    if rng.percent(50) {
        bytes.splice(e..e, copy);
    } else {
        // An empty table of the same name instead of a copy.
        let header_end = copy
            .iter()
            .position(|&b| b == b'\n')
            .map_or(copy.len(), |i| i + 1);
        bytes.splice(e..e, copy[..header_end].to_vec());
    }
    format!("duplicated table `{head}`")
}

fn rename_table(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let all = tables(bytes);
    if all.is_empty() {
        return byte_level(rng, bytes);
    }
    let (s, _) = *rng.pick(&all);
    let end = bytes[s..]
        .iter()
        .position(|&b| b == b']')
        .map_or(s, |i| s + i);
    let Some(dot) = bytes[s..end].iter().rposition(|&b| b == b'.') else {
        return duplicate_table(rng, bytes);
    };
    let new = match rng.below(4) {
        0 => "n".repeat(65_536),
        1 => "\"\"".into(),
        2 => "web1".into(),
        _ => "\"a b\"".into(),
    };
    bytes.splice(s + dot + 1..end, new.bytes());
    format!("renamed a table at byte {s} to {} bytes", new.len())
}

fn insert_line(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let text = *rng.pick(INSERTS);
    let at = match rng.below(3) {
        0 => 0,
        1 => bytes.len(),
        _ => lines(bytes)
            .get(rng.below(lines(bytes).len().max(1)))
            .map_or(0, |l| l.0),
    };
    let mut line = text.as_bytes().to_vec();
    line.push(b'\n');
    if at == bytes.len() && bytes.last().is_some_and(|&b| b != b'\n') {
        line.insert(0, b'\n');
    }
    bytes.splice(at..at, line);
    format!("inserted `{}` at byte {at}", text.replace('\n', "⏎"))
}

fn byte_level(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let len = bytes.len();
    let at = if len == 0 { 0 } else { rng.below(len) };
    match rng.below(8) {
        0 if len > 0 => {
            let bit = rng.below(8);
            bytes[at] ^= 1 << bit;
            format!("flipped bit {bit} of byte {at}")
        }
        1 => {
            let n = 1 + rng.below(8);
            let new: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            bytes.splice(at..at, new);
            format!("inserted {n} random byte(s) at {at}")
        }
        2 if len > 0 => {
            let n = (1 + rng.below(32)).min(len - at);
            bytes.drain(at..at + n);
            format!("deleted {n} byte(s) at {at}")
        }
        3 => {
            bytes.truncate(at);
            format!("truncated at byte {at}")
        }
        4 => {
            let bad: &[&[u8]] = &[
                b"\xff",
                b"\xfe\xff",
                b"\xc3\x28",
                b"\xed\xa0\x80",
                b"\x00",
                b"\xe2\x82",
            ];
            let seq = rng.pick(bad);
            bytes.splice(at..at, seq.iter().copied());
            format!("inserted non-UTF-8 {seq:02x?} at byte {at}")
        }
        5 | 6 => {
            let all = lines(bytes);
            if all.is_empty() {
                return "nothing (empty file)".into();
            }
            let (s, e) = *rng.pick(&all);
            let mut line = bytes[s..e].to_vec();
            line.push(b'\n');
            let (to, _) = *rng.pick(&all);
            bytes.splice(to..to, line);
            format!("copied the line at byte {s} to byte {to}")
        }
        _ => {
            let long = format!("# {}\nk{} = 1\n", "z".repeat(100_000), "y".repeat(10_000));
            bytes.splice(0..0, long.bytes());
            "inserted a 100 KB comment and a 10 KB key".into()
        }
    }
}
