//! The document store: one JSON file per document version in `<data-dir>/store/`, named
//! `<id>.<lang>.json` (a document in Chinese and Russian is two files side by side).
//!
//! Writes go to a temporary file that is renamed into place, so a crash never leaves a
//! half-written document and never loses one that was stored before.

use super::document::{DocKey, DocMeta, Document, Lang, validate_id};
use serde::Deserialize;
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
    #[error(
        "cannot bring stored document {path} to the current layout (`<id>.<lang>.json`): {message}"
    )]
    Migrate { path: PathBuf, message: String },
}

/// Marks a store in the current layout (`<id>.<lang>.json`). A store without it is converted
/// when it is opened: earlier versions named files `<id>.json`, and gave the Russian and English
/// versions of a catalogue document ids ending in `.ru` / `.en`.
const LAYOUT_FILE: &str = "LAYOUT";
const LAYOUT: &str = "2: <id>.<lang>.json\n";

/// What [`DocStore::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new document id.
    Added,
    /// The key existed with other bytes; the old version was replaced.
    Replaced,
    /// The same bytes were already stored (under this key or, as `duplicate_of`, another one).
    Unchanged { duplicate_of: DocKey },
}

/// A stored document without its texts: what `build` needs to decide whether the document must
/// be segmented again, and what the code tables need of every document. Reading it skips the
/// texts (most of a file) instead of copying them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DocHeader {
    pub meta: DocMeta,
    /// sha256 (hex) of the raw bytes the document was read from.
    pub sha256: String,
    /// Number of paragraphs.
    #[serde(rename = "paragraphs", deserialize_with = "count_items")]
    pub paragraph_count: usize,
}

/// The length of a JSON array, without keeping its items.
fn count_items<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    struct Count;
    impl<'de> serde::de::Visitor<'de> for Count {
        type Value = usize;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
    }
    deserializer.deserialize_seq(Count)
}

/// Document versions on disk, keyed by id and language.
#[derive(Debug)]
pub struct DocStore {
    dir: PathBuf,
    /// sha256 → key of every stored document, read once on the first `put` and kept up to
    /// date, so that recognising duplicates does not re-read the whole store per file.
    by_hash: Mutex<Option<HashMap<String, DocKey>>>,
}

impl DocStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| StoreError::Create {
            path: dir.clone(),
            source,
        })?;
        let store = Self {
            dir,
            by_hash: Mutex::new(None),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens the store in `dir` for reading only: nothing is created or converted. A missing
    /// store, or one of the earlier layout (which only a writing command converts), is an error.
    pub fn open_read_only(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(StoreError::Read {
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no document store here (ingest or fetch documents first)",
                ),
                path: dir,
            });
        }
        if !dir.join(LAYOUT_FILE).exists()
            && fs::read_dir(&dir).is_ok_and(|mut e| e.next().is_some())
        {
            return Err(StoreError::Migrate {
                path: dir,
                message: "the store is of an earlier layout and is opened read-only; run \
                          `scoway build` once to convert it"
                    .into(),
            });
        }
        Ok(Self {
            dir,
            by_hash: Mutex::new(None),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the document `key` is stored.
    pub(crate) fn path_of(&self, key: &DocKey) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Converts a store of the earlier layout (`<id>.json`) to `<id>.<lang>.json`, once.
    /// Every document is written under its new name before the old file is removed, so a crash
    /// half-way loses nothing (the next open finishes the job).
    fn migrate(&self) -> Result<(), StoreError> {
        let marker = self.dir.join(LAYOUT_FILE);
        if marker.exists() {
            return Ok(());
        }
        let read_err = |source| StoreError::Read {
            path: self.dir.clone(),
            source,
        };
        for entry in fs::read_dir(&self.dir).map_err(read_err)? {
            let path = entry.map_err(read_err)?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = fs::read(&path).map_err(|source| StoreError::Read {
                path: path.clone(),
                source,
            })?;
            let mut doc: Document =
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                    path: path.clone(),
                    source,
                })?;
            // A catalogue version stored as `chs-2001-declaration.ru` is `chs-2001-declaration`
            // in Russian.
            if let Some(base) = doc
                .meta
                .id
                .strip_suffix(&format!(".{}", doc.meta.lang))
                .filter(|base| validate_id(base).is_ok())
            {
                doc.meta.id = base.to_string();
            }
            // Texts stored before scripts were detected are normalised again (a traditional
            // text becomes simplified for analysis; the original stays as it is).
            let key = doc.meta.key();
            if let Some(renormalised) = Document::from_original(
                doc.meta.clone(),
                doc.original.clone(),
                doc.sha256.clone(),
                doc.source.clone(),
            ) {
                doc = renormalised;
            }
            let target = self.path_of(&key);
            if target == path {
                self.write_atomically(&doc)?;
                continue;
            }
            if target.exists() {
                return Err(StoreError::Migrate {
                    path: path.clone(),
                    message: format!(
                        "{} exists too; remove the one you do not want to keep",
                        target.display()
                    ),
                });
            }
            self.write_atomically(&doc)?;
            fs::remove_file(&path).map_err(|source| StoreError::Write { path, source })?;
        }
        fs::write(&marker, LAYOUT).map_err(|source| StoreError::Write {
            path: marker,
            source,
        })
    }

    /// Keys of all stored documents, sorted by id, then language.
    pub fn keys(&self) -> Result<Vec<DocKey>, StoreError> {
        let entries = fs::read_dir(&self.dir).map_err(|source| StoreError::Read {
            path: self.dir.clone(),
            source,
        })?;
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Read {
                path: self.dir.clone(),
                source,
            })?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(key) = name.strip_suffix(".json").and_then(DocKey::parse) {
                keys.push(key);
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// The languages in which document `id` is stored, in the order zh, ru, en.
    pub fn langs_of(&self, id: &str) -> Result<Vec<Lang>, StoreError> {
        validate_id(id).map_err(StoreError::InvalidId)?;
        Ok(Lang::ALL
            .into_iter()
            .filter(|&lang| self.path_of(&DocKey::new(id, lang)).is_file())
            .collect())
    }

    /// Every stored version of document `id`, in the order zh, ru, en.
    pub fn versions(&self, id: &str) -> Result<Vec<Document>, StoreError> {
        self.langs_of(id)?
            .into_iter()
            .filter_map(|lang| self.get(&DocKey::new(id, lang)).transpose())
            .collect()
    }

    pub fn get(&self, key: &DocKey) -> Result<Option<Document>, StoreError> {
        validate_id(&key.id).map_err(StoreError::InvalidId)?;
        self.read(key)
    }

    /// The stored file of `key` read as a `T` (a whole [`Document`] or its [`DocHeader`]);
    /// `None` when there is no such file.
    fn read<T: serde::de::DeserializeOwned>(&self, key: &DocKey) -> Result<Option<T>, StoreError> {
        let path = self.path_of(key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| StoreError::Corrupt { path, source })
    }

    /// All documents, sorted by id, then language.
    pub fn load_all(&self) -> Result<Vec<Document>, StoreError> {
        self.keys()?
            .iter()
            .filter_map(|key| self.get(key).transpose())
            .collect()
    }

    /// The header of every stored document (metadata, hash, paragraph count) with the key it
    /// is stored under ([`DocStore::get`] reads it whole), sorted by id, then language. Much
    /// cheaper than [`DocStore::load_all`]: the texts are skipped.
    pub fn headers(&self) -> Result<Vec<(DocKey, DocHeader)>, StoreError> {
        self.keys()?
            .into_iter()
            .filter_map(|key| {
                self.read::<DocHeader>(&key)
                    .transpose()
                    .map(|h| h.map(|h| (key, h)))
            })
            .collect()
    }

    /// sha256 of every stored document, by key.
    pub fn hashes(&self) -> Result<HashMap<DocKey, String>, StoreError> {
        Ok(self
            .headers()?
            .into_iter()
            .map(|(_, h)| (h.meta.key(), h.sha256))
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
        let key = doc.meta.key();
        let existing = self.get(&key)?;
        if let Some(old) = &existing {
            if old.sha256 == doc.sha256 && old.meta == doc.meta {
                return Ok(PutOutcome::Unchanged { duplicate_of: key });
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
        by_hash.insert(doc.sha256.clone(), key);
        Ok(if existing.is_some() {
            PutOutcome::Replaced
        } else {
            PutOutcome::Added
        })
    }

    fn write_atomically(&self, doc: &Document) -> Result<(), StoreError> {
        let path = self.path_of(&doc.meta.key());
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
    use crate::corpus::document::Paragraph;

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
        let a = DocKey::new("a", Lang::Zh);
        assert_eq!(
            store.put(&doc("b", "1", "x")).unwrap(),
            PutOutcome::Unchanged {
                duplicate_of: a.clone()
            }
        );
        assert_eq!(
            store.put(&doc("a", "2", "y")).unwrap(),
            PutOutcome::Replaced
        );
        assert_eq!(store.get(&a).unwrap().unwrap().text, "y");
        assert_eq!(store.keys().unwrap(), vec![a]);
    }

    #[test]
    fn headers_match_the_documents_they_stand_for() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocStore::open(dir.path()).unwrap();
        let mut a = doc("a", "1", "甲\n\n乙");
        a.paragraphs = vec![
            Paragraph {
                index: 0,
                char_start: 0,
                char_end: 1,
                byte_start: 0,
                byte_end: 3,
            },
            Paragraph {
                index: 1,
                char_start: 3,
                char_end: 4,
                byte_start: 5,
                byte_end: 8,
            },
        ];
        store.put(&a).unwrap();
        store.put(&doc("b", "2", "")).unwrap();
        let headers = store.headers().unwrap();
        let docs = store.load_all().unwrap();
        assert_eq!(headers.len(), 2);
        for ((key, h), d) in headers.iter().zip(&docs) {
            assert_eq!(*key, d.meta.key());
            assert_eq!(h.meta, d.meta);
            assert_eq!(h.sha256, d.sha256);
            assert_eq!(h.paragraph_count, d.paragraphs.len());
        }
        assert_eq!(headers[0].1.paragraph_count, 2);
        std::fs::write(dir.path().join("c.zh.json"), b"{\"meta\": 1}").unwrap();
        let err = store.headers().unwrap_err().to_string();
        assert!(err.contains("c.zh.json"), "{err}");
    }

    #[test]
    fn versions_of_one_id_in_two_languages_are_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocStore::open(dir.path()).unwrap();
        let mut ru = doc("a", "2", "текст");
        ru.meta.lang = Lang::Ru;
        assert_eq!(
            store.put(&doc("a", "1", "文本")).unwrap(),
            PutOutcome::Added
        );
        assert_eq!(store.put(&ru).unwrap(), PutOutcome::Added);
        assert_eq!(store.langs_of("a").unwrap(), vec![Lang::Zh, Lang::Ru]);
        let texts: Vec<String> = store
            .versions("a")
            .unwrap()
            .into_iter()
            .map(|d| d.text)
            .collect();
        assert_eq!(texts, vec!["文本", "текст"]);
        assert!(dir.path().join("a.ru.json").is_file());
    }

    #[test]
    fn a_store_of_the_earlier_layout_is_converted_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, d: &Document| {
            std::fs::write(dir.path().join(name), serde_json::to_vec(d).unwrap()).unwrap();
        };
        let mut zh = doc("c", "1", "反對霸權");
        zh.original = "反對霸權".into();
        write("c.json", &zh);
        let mut ru = doc("c.ru", "2", "текст");
        ru.meta.lang = Lang::Ru;
        write("c.ru.json", &ru);
        let store = DocStore::open(dir.path()).unwrap();
        assert_eq!(
            store.keys().unwrap(),
            vec![DocKey::new("c", Lang::Zh), DocKey::new("c", Lang::Ru)]
        );
        let zh = store.get(&DocKey::new("c", Lang::Zh)).unwrap().unwrap();
        assert_eq!(
            zh.text, "反对霸权",
            "re-normalised: traditional text converted"
        );
        assert_eq!(zh.original, "反對霸權");
        assert!(!dir.path().join("c.json").exists());
        // Opening again does nothing more.
        drop(store);
        assert_eq!(DocStore::open(dir.path()).unwrap().keys().unwrap().len(), 2);
    }

    #[test]
    fn a_read_only_store_reads_without_creating_or_converting() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("store");
        assert!(DocStore::open_read_only(&missing).is_err());
        assert!(!missing.exists(), "nothing created");
        std::fs::create_dir(&missing).unwrap();
        std::fs::write(
            missing.join("old.json"),
            serde_json::to_vec(&doc("old", "1", "x")).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            DocStore::open_read_only(&missing),
            Err(StoreError::Migrate { .. })
        ));
        assert!(missing.join("old.json").is_file(), "not converted");
        let written = DocStore::open(&missing).unwrap();
        drop(written);
        let store = DocStore::open_read_only(&missing).unwrap();
        assert_eq!(store.keys().unwrap(), vec![DocKey::new("old", Lang::Zh)]);
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
