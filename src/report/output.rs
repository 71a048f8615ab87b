//! The results folder, replaced whole or not at all.
//!
//! A run never writes into its results folder directly. It writes every file
//! into a hidden sibling staging folder (`.NAME.tmp-PID`), and only when all
//! of them are written does [`Staged::commit`] swap the staging folder into
//! place: the previous results move aside to `.NAME.old-PID`, the new folder
//! takes the name, the old one is deleted. So `output/NAME` always holds one
//! run's complete set — never a mix of two runs, never half a file. If the
//! run fails or is dropped before the commit, the staging folder is removed;
//! if the process is killed, the next run into the same parent removes the
//! leftovers of any process that is no longer alive.
//!
//! An existing folder is replaced only if it looks like stacksim's own: it
//! holds the marker file [`MARKER`], or it is empty, or it holds nothing but
//! files stacksim writes (by extension). Anything else is refused, so
//! `--out ~` cannot delete a home folder.

use std::fs;
use std::path::{Path, PathBuf};

/// The file that marks a folder as stacksim's results.
pub const MARKER: &str = ".stacksim-results";

/// Extensions of the files stacksim writes into a results folder.
const OWN_EXTENSIONS: &[&str] = &["csv", "png", "svg", "html", "md", "toml", "txt"];

/// Why the results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder exists and holds files that are not stacksim's.
    #[error(
        "{0} exists and does not look like a stacksim results folder (it holds {1}); \
         choose another --out or remove it"
    )]
    Foreign(PathBuf, String),
    /// The folder to rebuild does not exist or cannot be listed.
    #[error("{0}: no such results folder (give the folder a run wrote, e.g. output/seed)")]
    Missing(PathBuf),
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

impl OutputError {
    /// Whether the user can fix it by choosing another folder (exit 2) rather
    /// than a failure of the file system while writing (exit 1).
    pub fn is_input(&self) -> bool {
        matches!(self, OutputError::Foreign(..) | OutputError::Missing(_))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |e| OutputError::Io(path.to_path_buf(), e)
}

/// A staging folder whose contents become the results folder on commit.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

/// The folder's last component, or `results` for a path like `/` or `..`.
fn leaf(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into())
}

fn parent(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether process `pid` is still running (Linux: `/proc/PID` exists;
/// elsewhere assumed alive, so nothing of a live run is ever removed).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if Path::new("/proc/self").exists() {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Removes `.NAME.tmp-PID` and `.NAME.old-PID` siblings left by runs that
/// were killed (their process is gone).
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let pid = rest
            .strip_prefix("tmp-")
            .or_else(|| rest.strip_prefix("old-"))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !alive(pid)
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Checks that `dir`, if it exists, may be replaced (call it before a long
/// run, so a wrong `--out` is refused at once).
pub fn replaceable(dir: &Path) -> Result<(), OutputError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            return Err(OutputError::Foreign(dir.into(), "is a file".into()));
        }
        Err(e) => return Err(OutputError::Io(dir.into(), e)),
    };
    let names: Vec<(String, bool)> = entries
        .flatten()
        .map(|e| {
            let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false);
            (e.file_name().to_string_lossy().into_owned(), is_file)
        })
        .collect();
    if names.iter().any(|(n, _)| n == MARKER) {
        return Ok(());
    }
    let foreign = names.iter().find(|(n, is_file)| {
        let ext = Path::new(n).extension().and_then(|e| e.to_str());
        !is_file || !ext.is_some_and(|e| OWN_EXTENSIONS.contains(&e))
    });
    match foreign {
        None => Ok(()),
        Some((n, _)) => Err(OutputError::Foreign(
            dir.into(),
            format!("`{}`", crate::text::clip(n, 60)),
        )),
    }
}

impl Staged {
    /// Prepares to replace `dir`: checks it may be replaced, clears the
    /// leftovers of killed runs and creates an empty staging folder.
    pub fn begin(dir: &Path) -> Result<Staged, OutputError> {
        replaceable(dir)?;
        let parent = parent(dir);
        let name = leaf(dir);
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        remove_leftovers(&parent, &name);
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(io(&staging))?;
        let staged = Staged {
            target: dir.to_path_buf(),
            staging,
            committed: false,
        };
        fs::write(staged.staging.join(MARKER), "").map_err(io(&staged.staging))?;
        Ok(staged)
    }

    /// Prepares to rebuild the results folder `dir` in place: a staging copy
    /// of its files (not its subfolders) to add to or overwrite.
    pub fn copy_of(dir: &Path) -> Result<Staged, OutputError> {
        let entries = fs::read_dir(dir).map_err(|_| OutputError::Missing(dir.into()))?;
        let staged = Staged::begin(dir)?;
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let to = staged.staging.join(entry.file_name());
                fs::copy(entry.path(), &to).map_err(io(&to))?;
            }
        }
        Ok(staged)
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the results will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staging folder into place, replacing the previous results.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let old = parent(&self.target).join(format!(
            ".{}.old-{}",
            leaf(&self.target),
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&old);
        let had_old = match fs::rename(&self.target, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(OutputError::Io(self.target.clone(), e)),
        };
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(OutputError::Io(self.target.clone(), e));
        }
        self.committed = true;
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// A path's last component as text (empty for none).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Writes `rows` as a CSV file at `path`.
pub fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| OutputError::Io(path.into(), e.into()))?;
    for row in rows {
        w.write_record(row)
            .map_err(|e| OutputError::Io(path.into(), e.into()))?;
    }
    w.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("stacksim-output-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_the_whole_folder_and_leaves_nothing_beside_it() {
        let root = scratch("replace");
        let out = root.join("seed");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("summary.csv"), "old").unwrap();
        fs::write(out.join("stale.png"), "old").unwrap();
        let s = Staged::begin(&out).unwrap();
        fs::write(s.path().join("summary.csv"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(
            listing(&out),
            vec![MARKER.to_string(), "summary.csv".into()]
        );
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "new");
        assert_eq!(listing(&root), vec!["seed".to_string()]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_dropped_stage_leaves_the_old_results_and_no_leftovers() {
        let root = scratch("drop");
        let out = root.join("seed");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("summary.csv"), "old").unwrap();
        {
            let s = Staged::begin(&out).unwrap();
            fs::write(s.path().join("summary.csv"), "half").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "old");
        assert_eq!(listing(&root), vec!["seed".to_string()]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
        let root = scratch("leftovers");
        // PID 4294967295 cannot exist; our own PID is alive.
        fs::create_dir(root.join(".seed.tmp-4294967295")).unwrap();
        fs::create_dir(root.join(".seed.old-4294967295")).unwrap();
        let mine = format!(".other.tmp-{}", std::process::id());
        fs::create_dir(root.join(&mine)).unwrap();
        let s = Staged::begin(&root.join("seed")).unwrap();
        s.commit().unwrap();
        assert_eq!(listing(&root), vec![mine, "seed".to_string()]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_untouched() {
        let root = scratch("foreign");
        fs::write(root.join("notes.doc"), "mine").unwrap();
        let err = Staged::begin(&root).unwrap_err();
        assert!(err.is_input());
        assert!(err.to_string().contains("`notes.doc`"), "{err}");
        fs::create_dir(root.join("sub")).unwrap();
        fs::remove_file(root.join("notes.doc")).unwrap();
        assert!(Staged::begin(&root).is_err(), "a subfolder is not ours");
        assert_eq!(listing(&root), vec!["sub".to_string()]);
        fs::remove_dir_all(&root).unwrap();
    }
}
