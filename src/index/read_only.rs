//! Reading the index without writing a byte into the data directory (for `scoway serve`).
//!
//! tantivy takes a lock file (`.tantivy-meta.lock`) whenever a reader opens its segments, so that
//! a concurrent writer does not collect files being opened. A read-only reader cannot create that
//! file; [`ReadOnlyDirectory`] grants every lock without touching the disk and refuses every
//! write. The price: a `scoway build` finishing exactly while the snapshot is opened can make the
//! open fail (it is opened once, when the server starts; start it again).

use super::IndexError;
use super::indexer::{check_fresh, open_existing_in};
use super::kwic::{KeyRanks, KwicLine, KwicPage, KwicRequest, run_kwic, run_kwic_page};
use super::schema;
use super::search::{SearchRequest, SearchResults, run_search};
use crate::layout::DataDir;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{ReloadPolicy, Searcher};

/// A tantivy directory that reads through to the files and never writes, deletes or locks.
#[derive(Debug, Clone)]
pub(crate) struct ReadOnlyDirectory {
    inner: MmapDirectory,
}

fn refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{} is opened read-only", path.display()),
    )
}

impl ReadOnlyDirectory {
    pub(crate) fn open(path: &Path) -> Result<Self, IndexError> {
        let inner = MmapDirectory::open(path).map_err(|e| IndexError::Corrupt {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Self { inner })
    }
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(refused(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(refused(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(refused(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// The committed index of a data directory, opened once for reading: every search and KWIC
/// request shares it, and none writes to the data directory.
#[derive(Clone)]
pub struct IndexSnapshot {
    searcher: Searcher,
    path: PathBuf,
    ranks: Arc<KeyRanks>,
}

impl IndexSnapshot {
    /// Opens the index of `data` read-only ([`IndexError::NoIndex`] when there is none).
    pub fn open(data: &DataDir) -> Result<Self, IndexError> {
        let path = schema::index_path(data);
        if !path.join("meta.json").is_file() {
            return Err(IndexError::NoIndex(data.index_dir()));
        }
        let index = open_existing_in(ReadOnlyDirectory::open(&path)?, &path)?;
        check_fresh(&index, &path)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        let searcher = reader.searcher();
        let ranks = Arc::new(KeyRanks::build(&searcher, &path)?);
        Ok(Self {
            searcher,
            path,
            ranks,
        })
    }

    /// [`super::search`] over this snapshot.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        run_search(req, &self.path, || Ok(self.searcher.clone()))
    }

    /// [`super::kwic`] over this snapshot.
    pub fn kwic(&self, req: &KwicRequest) -> Result<Vec<KwicLine>, IndexError> {
        run_kwic(req, &self.path, || Ok(self.searcher.clone()))
    }

    /// The first `max_lines` lines of [`super::kwic`]'s listing, reading only the paragraphs
    /// they come from.
    pub fn kwic_page(&self, req: &KwicRequest, max_lines: usize) -> Result<KwicPage, IndexError> {
        run_kwic_page(req, &self.path, &self.searcher, &self.ranks, max_lines)
    }

    /// Index entries (documents and paragraphs).
    pub fn entries(&self) -> u64 {
        self.searcher.num_docs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_only_directory_refuses_writes_and_grants_locks_without_files() {
        let dir = tempfile::tempdir().unwrap();
        let ro = ReadOnlyDirectory::open(dir.path()).unwrap();
        assert!(ro.open_write(Path::new("x")).is_err());
        assert!(ro.atomic_write(Path::new("x"), b"y").is_err());
        assert!(ro.delete(Path::new("x")).is_err());
        let lock = ro.acquire_lock(&tantivy::directory::META_LOCK).unwrap();
        drop(lock);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_data_directory_without_index_is_no_index() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        assert!(matches!(
            IndexSnapshot::open(&data),
            Err(IndexError::NoIndex(_))
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
