//! Replacing a directory of outputs as a whole: a reader sees the old complete set or the new
//! complete set, never a mix, and a process killed at any moment leaves one of the two.
//!
//! A [`StagedDir`] is a fresh directory beside its destination (same file system). The outputs
//! are written into it; [`StagedDir::publish`] then carries over what the destination holds
//! that the writer does not own (a user's own files in an export folder, the pipeline's cache in
//! the codes folder), and swaps the two directories in one step (`renameat2` with
//! `RENAME_EXCHANGE` on Linux). The old set, now in the staging path, is removed afterwards.
//! Where the exchange is not available (another OS, a file system without it) the swap takes
//! two renames, and a later [`StagedDir::new`] puts back a set a crash left aside.
//!
//! Leftovers of killed processes (staging directories whose process is gone) are removed the
//! next time a directory is staged beside the same destination.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} is a symbolic link: scoway never writes through one; give the real folder")]
    Symlink { path: PathBuf },
    #[error("{path} exists and is not a folder")]
    NotADirectory { path: PathBuf },
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Marks the staging directories of a destination, followed by the pid of their process.
const STAGING: &str = "scoway-staging";
/// Marks a set moved aside by the two-rename fallback.
const ASIDE: &str = "scoway-aside";

/// A directory prepared beside its destination, published whole.
#[derive(Debug)]
pub struct StagedDir {
    dest: PathBuf,
    staging: PathBuf,
    published: bool,
}

impl StagedDir {
    /// Stages a new version of `dest` (created on publish if it does not exist). Fails when
    /// `dest` is a symbolic link or a file.
    pub fn new(dest: &Path) -> Result<StagedDir, PublishError> {
        match fs::symlink_metadata(dest) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(PublishError::Symlink {
                    path: dest.to_path_buf(),
                });
            }
            Ok(m) if !m.is_dir() => {
                return Err(PublishError::NotADirectory {
                    path: dest.to_path_buf(),
                });
            }
            _ => {}
        }
        let parent = parent_of(dest);
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        recover(dest)?;
        let staging = sibling(dest, STAGING, std::process::id());
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        fs::create_dir(&staging).map_err(io_err(&staging))?;
        Ok(StagedDir {
            dest: dest.to_path_buf(),
            staging,
            published: false,
        })
    }

    /// Where to write the new outputs.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Carries over every entry of the destination that `owned` does not claim (by file name),
    /// then puts the staged directory in the destination's place and removes the old one.
    pub fn publish(mut self, owned: impl Fn(&str) -> bool) -> Result<(), PublishError> {
        if self.dest.is_dir() {
            carry_over(&self.dest, &self.staging, &owned)?;
            swap(&self.staging, &self.dest)?;
            // The staging path now holds the old set.
            fs::remove_dir_all(&self.staging).map_err(io_err(&self.staging))?;
        } else {
            fs::rename(&self.staging, &self.dest).map_err(io_err(&self.dest))?;
        }
        self.published = true;
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.published {
            // An export that failed half-way: its partial outputs are not wanted.
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn parent_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `<parent>/.<name>.<tag>-<pid>`.
fn sibling(dest: &Path, tag: &str, pid: u32) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    parent_of(dest).join(format!(".{name}.{tag}-{pid}"))
}

/// Siblings of `dest` made by `tag`, with the pid of the process that made them.
fn siblings(dest: &Path, tag: &str) -> Result<Vec<(PathBuf, u32)>, PublishError> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}.{tag}-");
    let parent = parent_of(dest);
    let mut found = Vec::new();
    for entry in fs::read_dir(&parent).map_err(io_err(&parent))? {
        let entry = entry.map_err(io_err(&parent))?;
        let file = entry.file_name();
        if let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse().ok())
        {
            found.push((entry.path(), pid));
        }
    }
    Ok(found)
}

/// Whether process `pid` is still running (when that cannot be known, it is assumed to be).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes what killed processes left beside `dest`, and puts back a set that the two-rename
/// fallback had moved aside when `dest` is missing.
fn recover(dest: &Path) -> Result<(), PublishError> {
    for (path, pid) in siblings(dest, ASIDE)? {
        if alive(pid) {
            continue;
        }
        if dest.exists() {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        } else {
            fs::rename(&path, dest).map_err(io_err(dest))?;
        }
    }
    for (path, pid) in siblings(dest, STAGING)? {
        if !alive(pid) {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// Moves (or links) every entry of `from` that `owned` does not claim into `to`, unless `to`
/// has an entry of that name already.
fn carry_over(from: &Path, to: &Path, owned: &impl Fn(&str) -> bool) -> Result<(), PublishError> {
    for entry in fs::read_dir(from).map_err(io_err(from))? {
        let entry = entry.map_err(io_err(from))?;
        let name: OsString = entry.file_name();
        if name.to_str().is_some_and(owned) {
            continue;
        }
        let target = to.join(&name);
        if fs::symlink_metadata(&target).is_ok() {
            continue;
        }
        let source = entry.path();
        let kind = entry.file_type().map_err(io_err(&source))?;
        if kind.is_file() {
            // A hard link keeps the file in the old set too, until the swap.
            if fs::hard_link(&source, &target).is_err() {
                fs::copy(&source, &target).map_err(io_err(&target))?;
            }
        } else {
            // Folders and links move (a link is moved, never followed).
            fs::rename(&source, &target).map_err(io_err(&target))?;
        }
    }
    Ok(())
}

/// Puts `staged` in the place of `dest` (both existing directories); afterwards `staged`
/// holds the old contents of `dest`.
fn swap(staged: &Path, dest: &Path) -> Result<(), PublishError> {
    #[cfg(target_os = "linux")]
    {
        match exchange(staged, dest) {
            Ok(()) => return Ok(()),
            // Not supported here (old kernel, some file systems): fall back.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
            Err(e) => return Err(io_err(dest)(e)),
        }
    }
    let aside = sibling(dest, ASIDE, std::process::id());
    fs::rename(dest, &aside).map_err(io_err(dest))?;
    if let Err(e) = fs::rename(staged, dest) {
        let _ = fs::rename(&aside, dest);
        return Err(io_err(dest)(e));
    }
    fs::rename(&aside, staged).map_err(io_err(staged))
}

/// Exchanges two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte"))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn publishes_whole_and_keeps_what_it_does_not_own() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("out");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("a.csv"), "old").unwrap();
        fs::write(dest.join("stale.csv"), "old").unwrap();
        fs::write(dest.join("notes.ipynb"), "mine").unwrap();
        fs::create_dir(dest.join("my-folder")).unwrap();

        let staged = StagedDir::new(&dest).unwrap();
        fs::write(staged.path().join("a.csv"), "new").unwrap();
        // Until it is published, readers see the old set.
        assert_eq!(fs::read_to_string(dest.join("a.csv")).unwrap(), "old");
        staged.publish(|name| name.ends_with(".csv")).unwrap();
        assert_eq!(names(&dest), ["a.csv", "my-folder", "notes.ipynb"]);
        assert_eq!(fs::read_to_string(dest.join("a.csv")).unwrap(), "new");
        assert_eq!(names(root.path()), ["out"], "no leftovers");
    }

    #[test]
    fn an_unpublished_stage_leaves_the_destination_alone() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("out");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("a.csv"), "old").unwrap();
        {
            let staged = StagedDir::new(&dest).unwrap();
            fs::write(staged.path().join("a.csv"), "half").unwrap();
        }
        assert_eq!(fs::read_to_string(dest.join("a.csv")).unwrap(), "old");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn leftovers_of_dead_processes_are_cleaned_and_a_set_put_aside_comes_back() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("out");
        // pid 0 is never a user process: both leftovers belong to nobody alive.
        let stale = sibling(&dest, STAGING, 0);
        let aside = sibling(&dest, ASIDE, 0);
        fs::create_dir(&stale).unwrap();
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("a.csv"), "old").unwrap();
        let staged = StagedDir::new(&dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.csv")).unwrap(), "old");
        assert!(!stale.exists() && !aside.exists());
        drop(staged);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symlinked_destination() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = root.path().join("out");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            StagedDir::new(&link),
            Err(PublishError::Symlink { .. })
        ));
    }
}
