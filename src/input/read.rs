//! Reading input files within bounds: only regular files (never a folder,
//! a named pipe or a device such as `/dev/zero`, which would block or never
//! end), at most a fixed size, through a reader that stops one byte past
//! the limit (a file's metadata can lie: it may grow while being read, and
//! `/proc` files say 0), and as UTF-8 text, with the line and column of the
//! first byte that is not.
//!
//! The limits, and why: a model or experiment file is a few KB (the seed
//! model is 3 KB); typing and checking it costs about 80 times its size
//! (measured: a 1 MiB model of 20,000 servers peaks at 80 MB and 0.3 s,
//! a 16 MiB one at 1.1 GB), so [`Kind::Toml`] allows 1 MiB, hundreds of
//! times a real model, well within the 1 GiB a run may take. An empirical
//! samples file is a column exported from logs: [`Kind::Samples`] allows
//! 64 MiB of text (read whole, then dropped) and [`MAX_SAMPLES`] values,
//! whose `f64`s (8 MB) are what a run keeps; a distribution estimated from
//! a million samples does not change measurably with more.

use std::io::Read;
use std::path::Path;

/// The most samples an empirical distribution takes from its file.
pub const MAX_SAMPLES: usize = 1_000_000;

/// What a file is read as, which sets its size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A model or experiment (TOML).
    Toml,
    /// An empirical distribution's samples (CSV).
    Samples,
}

impl Kind {
    /// The largest file accepted, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            Kind::Toml => 1 << 20,
            Kind::Samples => 64 << 20,
        }
    }

    fn why(self) -> &'static str {
        match self {
            Kind::Toml => {
                "for a model or experiment file (real ones are a few KB; the limit keeps a wrong file from filling memory)"
            }
            Kind::Samples => {
                "for an empirical samples file (at most 1000000 samples are used; take a random subset of the rows)"
            }
        }
    }
}

/// Why a file could not be read, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed (missing, no permission, …).
    #[error("cannot read the file: {0}")]
    Io(String),
    /// Not a regular file: what it is instead.
    #[error("cannot read the file: it is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("the file is larger than {} MiB, the limit {}", .kind.limit() >> 20, .kind.why())]
    TooLarge { kind: Kind },
    /// The first byte that is not UTF-8, 1-based line and column (in
    /// characters), and that line with the bad bytes shown as `�`.
    #[error(
        "the file is not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} is not valid UTF-8 (save the file as UTF-8)"
    )]
    NotUtf8 {
        byte: u8,
        line: usize,
        column: usize,
        source_line: String,
    },
}

/// The reason of an I/O error without Rust's `(os error N)`.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a folder, not a file".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// What a path that is not a regular file is, for the message.
fn what_it_is(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Reads the regular file at `path` as UTF-8 text of at most `kind.limit()` bytes.
pub fn read_text(path: &Path, kind: Kind) -> Result<String, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(io_reason(&e));
    // Look before opening: opening a named pipe blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(what_it_is(&meta)));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may have been replaced in between: check what was opened.
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(what_it_is(&meta)));
    }
    let limit = kind.limit();
    if meta.len() > limit {
        return Err(ReadError::TooLarge { kind });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { kind });
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// The error for `bytes`, valid UTF-8 up to `valid` only.
fn not_utf8(bytes: &[u8], valid: usize) -> ReadError {
    let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = bytes[valid..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| valid + i);
    let source_line = String::from_utf8_lossy(&bytes[line_start..line_end])
        .trim_end_matches('\r')
        .to_string();
    ReadError::NotUtf8 {
        byte: bytes[valid],
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        source_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("stacksim-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn reads_a_regular_utf8_file() {
        let p = temp("ok.toml", "a = \"é\"\n".as_bytes());
        assert_eq!(read_text(&p, Kind::Toml).unwrap(), "a = \"é\"\n");
    }

    #[test]
    fn refuses_folders_devices_and_missing_files() {
        let dir = std::env::temp_dir();
        assert_eq!(
            read_text(&dir, Kind::Toml),
            Err(ReadError::NotAFile("a folder"))
        );
        #[cfg(unix)]
        assert_eq!(
            read_text(Path::new("/dev/zero"), Kind::Samples),
            Err(ReadError::NotAFile("a device"))
        );
        let missing = read_text(Path::new("/nonexistent/x.toml"), Kind::Toml).unwrap_err();
        assert_eq!(missing.to_string(), "cannot read the file: no such file");
    }

    #[test]
    fn says_where_the_first_bad_byte_is() {
        let p = temp("latin1.toml", b"a = 1\nname = \"caf\xe9 cr\xe8me\"\n");
        let e = read_text(&p, Kind::Toml).unwrap_err();
        assert_eq!(
            e,
            ReadError::NotUtf8 {
                byte: 0xE9,
                line: 2,
                column: 12,
                source_line: "name = \"caf\u{fffd} cr\u{fffd}me\"".into()
            }
        );
        assert!(e.to_string().contains("byte 0xE9 at line 2, column 12"));
    }

    #[test]
    fn the_limit_is_in_the_message() {
        let e = ReadError::TooLarge { kind: Kind::Toml };
        assert!(
            e.to_string()
                .starts_with("the file is larger than 1 MiB, the limit for a model")
        );
        let e = ReadError::TooLarge {
            kind: Kind::Samples,
        };
        assert!(e.to_string().contains("64 MiB"), "{e}");
    }
}
