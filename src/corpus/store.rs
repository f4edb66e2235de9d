//! The document store: one JSON file per document in `<data-dir>/store/`.
//!
//! Writes go to a temporary file that is renamed into place, so a crash never leaves a
//! half-written document and never loses one that was stored before.

use super::document::{Document, validate_id};
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create document store {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read stored document {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("stored document {path} is corrupt: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write stored document {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid document id: {0}")]
    InvalidId(String),
}

/// What [`DocStore::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new document id.
    Added,
    /// The id existed with other bytes; the old version was replaced.
    Replaced,
    /// The same bytes were already stored (under this id or, as `duplicate_of`, another one).
    Unchanged { duplicate_of: String },
}

/// Documents on disk, keyed by id.
#[derive(Debug)]
pub struct DocStore {
    dir: PathBuf,
    /// sha256 → id of every stored document, read once on the first `put` and kept up to
    /// date, so that recognising duplicates does not re-read the whole store per file.
    by_hash: Mutex<Option<HashMap<String, String>>>,
}

impl DocStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| StoreError::Create {
            path: dir.clone(),
            source,
        })?;
        Ok(Self {
            dir,
            by_hash: Mutex::new(None),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Ids of all stored documents, sorted.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        let entries = fs::read_dir(&self.dir).map_err(|source| StoreError::Read {
            path: self.dir.clone(),
            source,
        })?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Read {
                path: self.dir.clone(),
                source,
            })?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name.strip_suffix(".json")
                && validate_id(id).is_ok()
            {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    pub fn get(&self, id: &str) -> Result<Option<Document>, StoreError> {
        validate_id(id).map_err(StoreError::InvalidId)?;
        let path = self.path_of(id);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| StoreError::Corrupt { path, source })
    }

    /// All documents, sorted by id.
    pub fn load_all(&self) -> Result<Vec<Document>, StoreError> {
        self.ids()?
            .iter()
            .filter_map(|id| self.get(id).transpose())
            .collect()
    }

    /// sha256 of every stored document, by id.
    pub fn hashes(&self) -> Result<HashMap<String, String>, StoreError> {
        Ok(self
            .load_all()?
            .into_iter()
            .map(|d| (d.meta.id, d.sha256))
            .collect())
    }

    /// Stores `doc`, unless the same bytes are already stored.
    pub fn put(&self, doc: &Document) -> Result<PutOutcome, StoreError> {
        validate_id(&doc.meta.id).map_err(StoreError::InvalidId)?;
        let mut guard = self.by_hash.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let index = self
                .hashes()?
                .into_iter()
                .map(|(id, sha)| (sha, id))
                .collect();
            *guard = Some(index);
        }
        let by_hash = guard.get_or_insert_with(HashMap::new);
        let existing = self.get(&doc.meta.id)?;
        if let Some(old) = &existing {
            if old.sha256 == doc.sha256 && old.meta == doc.meta {
                return Ok(PutOutcome::Unchanged {
                    duplicate_of: old.meta.id.clone(),
                });
            }
        } else if let Some(other) = by_hash.get(&doc.sha256)
            && self.path_of(other).exists()
        {
            return Ok(PutOutcome::Unchanged {
                duplicate_of: other.clone(),
            });
        }
        self.write_atomically(doc)?;
        if let Some(old) = &existing {
            by_hash.remove(&old.sha256);
        }
        by_hash.insert(doc.sha256.clone(), doc.meta.id.clone());
        Ok(if existing.is_some() {
            PutOutcome::Replaced
        } else {
            PutOutcome::Added
        })
    }

    fn write_atomically(&self, doc: &Document) -> Result<(), StoreError> {
        let path = self.path_of(&doc.meta.id);
        let write_err = |source| StoreError::Write {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_vec(doc).map_err(|e| write_err(std::io::Error::other(e)))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(write_err)?;
        tmp.write_all(&json).map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(&path).map_err(|e| write_err(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::document::DocMeta;

    fn doc(id: &str, sha: &str, text: &str) -> Document {
        Document {
            meta: DocMeta::for_test(id),
            sha256: sha.into(),
            source: "x".into(),
            original: text.into(),
            text: text.into(),
            paragraphs: vec![],
        }
    }

    #[test]
    fn put_is_idempotent_and_replaces_changed_versions() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocStore::open(dir.path()).unwrap();
        assert_eq!(store.put(&doc("a", "1", "x")).unwrap(), PutOutcome::Added);
        assert!(matches!(
            store.put(&doc("a", "1", "x")).unwrap(),
            PutOutcome::Unchanged { .. }
        ));
        assert_eq!(
            store.put(&doc("b", "1", "x")).unwrap(),
            PutOutcome::Unchanged {
                duplicate_of: "a".into()
            }
        );
        assert_eq!(
            store.put(&doc("a", "2", "y")).unwrap(),
            PutOutcome::Replaced
        );
        assert_eq!(store.get("a").unwrap().unwrap().text, "y");
        assert_eq!(store.ids().unwrap(), vec!["a".to_string()]);
    }

    #[test]
    fn rejects_ids_that_are_not_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocStore::open(dir.path()).unwrap();
        assert!(matches!(
            store.put(&doc("../evil", "1", "x")),
            Err(StoreError::InvalidId(_))
        ));
    }
}
