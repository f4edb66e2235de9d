//! The fetch directory: raw downloaded bytes and their provenance records.
//!
//! ```text
//! <data-dir>/fetch/
//!   raw/<doc id>.<first 16 hex digits of sha256>.<html|txt>   raw bytes, never modified
//!   provenance.jsonl                                            one JSON record a line
//!   tmp/                                                        partial writes, cleared on start
//! ```
//!
//! A raw file is written to `tmp/`, synced and renamed into `raw/`; only then is its record
//! appended to `provenance.jsonl` (one `write` call per line). A run killed at any point
//! leaves complete raw files only, each named after its own hash, and every record points to
//! a complete file. A file without a record (killed between the rename and the append) is
//! simply fetched again.

use super::FetchError;
use crate::corpus::document::Lang;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const PROVENANCE_FILE: &str = "provenance.jsonl";
pub const RAW_DIR: &str = "raw";
pub const TMP_DIR: &str = "tmp";

/// What was fetched, from where, when, and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceRecord {
    /// Store key of the version, `<catalogue id>.<lang>` (records written before versions
    /// were keyed by language have the bare id for Chinese; [`FetchDir::latest`] reads both).
    pub doc_id: String,
    /// Catalogue id.
    pub id: String,
    pub lang: Lang,
    /// The catalogue URL.
    pub url: String,
    /// The URL requested (the catalogue URL, or its mirror).
    pub request_url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status of the last response (200, or 304 when the server said "not modified").
    pub status: u16,
    /// `fetched` (new bytes) or `unchanged` (304, or the same bytes again).
    pub outcome: String,
    /// Requests made, retries included.
    pub attempts: u32,
    /// sha256 (hex) of the raw bytes.
    pub sha256: String,
    pub bytes: u64,
    /// Raw file, relative to the fetch directory.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Response headers of the last response.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// RFC 3339 UTC time of the response.
    pub fetched_at: String,
    /// Version of scoway that fetched it.
    pub tool: String,
}

/// The fetch directory of a data directory.
#[derive(Debug, Clone)]
pub struct FetchDir {
    root: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl FetchDir {
    /// The fetch directory at `root` (nothing is created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FetchDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn provenance_path(&self) -> PathBuf {
        self.root.join(PROVENANCE_FILE)
    }

    /// Creates the directories and removes partial files a killed run left in `tmp/`.
    pub fn prepare(&self) -> Result<(), FetchError> {
        let raw = self.root.join(RAW_DIR);
        fs::create_dir_all(&raw).map_err(io_err(&raw))?;
        let tmp = self.root.join(TMP_DIR);
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        for entry in fs::read_dir(&tmp).map_err(io_err(&tmp))? {
            let entry = entry.map_err(io_err(&tmp))?;
            let path = entry.path();
            if path.is_file() {
                fs::remove_file(&path).map_err(io_err(&path))?;
            }
        }
        Ok(())
    }

    /// Every record, in file order. A line that does not parse (a run killed while the disk
    /// was full, a hand edit) is skipped and reported in the second value.
    pub fn records(&self) -> Result<(Vec<ProvenanceRecord>, Vec<String>), FetchError> {
        let path = self.provenance_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
            Err(source) => return Err(FetchError::Io { path, source }),
        };
        let mut records = Vec::new();
        let mut skipped = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<ProvenanceRecord>(line) {
                Ok(r) => records.push(r),
                Err(e) => skipped.push(format!("{}, line {}: {e}", path.display(), i + 1)),
            }
        }
        Ok((records, skipped))
    }

    /// The last record of each document version whose raw file exists, by store key
    /// (`<id>.<lang>`).
    pub fn latest(&self) -> Result<HashMap<String, ProvenanceRecord>, FetchError> {
        let (records, _) = self.records()?;
        let mut latest = HashMap::new();
        for mut r in records {
            if self.root.join(&r.file).is_file() {
                r.doc_id = crate::corpus::DocKey::new(r.id.as_str(), r.lang).to_string();
                latest.insert(r.doc_id.clone(), r);
            }
        }
        Ok(latest)
    }

    /// Reads the raw bytes of a record, checking them against its sha256.
    pub fn read_raw(&self, record: &ProvenanceRecord) -> Option<Vec<u8>> {
        let bytes = fs::read(self.root.join(&record.file)).ok()?;
        (crate::corpus::ingest::sha256_hex(&bytes) == record.sha256).then_some(bytes)
    }

    /// Writes raw bytes atomically (temp file, sync, rename) and returns the path relative to
    /// the fetch directory. An existing file of the same name has the same bytes.
    pub fn write_raw(
        &self,
        doc_id: &str,
        sha256: &str,
        ext: &str,
        bytes: &[u8],
    ) -> Result<String, FetchError> {
        let short = sha256.get(..16).unwrap_or(sha256);
        let rel = format!("{RAW_DIR}/{doc_id}.{short}.{ext}");
        let path = self.root.join(&rel);
        if path.is_file() {
            return Ok(rel);
        }
        let tmp_dir = self.root.join(TMP_DIR);
        let mut tmp = tempfile::NamedTempFile::new_in(&tmp_dir).map_err(io_err(&tmp_dir))?;
        tmp.write_all(bytes).map_err(io_err(tmp.path()))?;
        tmp.as_file().sync_all().map_err(io_err(&path))?;
        tmp.persist(&path).map_err(|e| FetchError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(rel)
    }

    /// Appends one record to `provenance.jsonl`.
    pub fn append(&self, record: &ProvenanceRecord) -> Result<(), FetchError> {
        let path = self.provenance_path();
        let mut line = serde_json::to_string(record).map_err(|e| FetchError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err(&path))?;
        // One write call: a record is on disk whole or not at all.
        file.write_all(line.as_bytes()).map_err(io_err(&path))?;
        file.sync_data().map_err(io_err(&path))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(doc_id: &str, file: &str, sha: &str) -> ProvenanceRecord {
        ProvenanceRecord {
            doc_id: doc_id.into(),
            id: doc_id.into(),
            lang: Lang::Zh,
            url: "http://example.cn/a".into(),
            request_url: "http://127.0.0.1/a".into(),
            final_url: "http://127.0.0.1/a".into(),
            status: 200,
            outcome: "fetched".into(),
            attempts: 1,
            sha256: sha.into(),
            bytes: 3,
            file: file.into(),
            content_type: None,
            etag: Some("\"x\"".into()),
            last_modified: None,
            headers: BTreeMap::new(),
            fetched_at: "2025-01-01T00:00:00Z".into(),
            tool: "scoway test".into(),
        }
    }

    #[test]
    fn write_append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let fd = FetchDir::new(dir.path());
        fd.prepare().unwrap();
        std::fs::write(dir.path().join("tmp/leftover"), b"partial").unwrap();
        fd.prepare().unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );

        let sha = crate::corpus::ingest::sha256_hex(b"abc");
        let rel = fd.write_raw("doc-a", &sha, "html", b"abc").unwrap();
        assert_eq!(rel, format!("raw/doc-a.{}.html", &sha[..16]));
        fd.append(&record("doc-a", &rel, &sha)).unwrap();
        fd.append(&record("doc-b", "raw/missing.html", &sha))
            .unwrap();
        // A torn last line is skipped, not fatal.
        let mut f = OpenOptions::new()
            .append(true)
            .open(fd.provenance_path())
            .unwrap();
        f.write_all(b"{\"doc_id\": \"doc-c\"").unwrap();

        let (records, skipped) = fd.records().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(skipped.len(), 1);
        let latest = fd.latest().unwrap();
        // Keyed by version (`<id>.<lang>`), also for records that named the bare id.
        assert_eq!(latest.keys().collect::<Vec<_>>(), vec!["doc-a.zh"]);
        assert_eq!(fd.read_raw(&latest["doc-a.zh"]).unwrap(), b"abc");
        std::fs::write(dir.path().join(&rel), b"abd").unwrap();
        assert_eq!(
            fd.read_raw(&latest["doc-a.zh"]),
            None,
            "a changed file is not trusted"
        );
    }
}
