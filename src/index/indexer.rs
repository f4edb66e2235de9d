//! Building the index: incremental upserts and removals, committed atomically together with the
//! id → sha256 map.

use super::IndexError;
use super::encoded::{EncodedTokenizer, TokenEncoder};
use super::schema::{self, Fields, LEVEL_DOC, LEVEL_PARA, SCHEMA};
use crate::corpus::Document;
use crate::layout::DataDir;
use crate::segment::{Segmenter, Token, analysis_fingerprint, is_han};
use crate::text::normalize_detecting;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tantivy::indexer::UserOperation;
use tantivy::schema::Term;
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

/// Positions between two paragraphs in the document-level entry, so that a phrase (even with
/// some slop) never spans two paragraphs.
const PARAGRAPH_GAP: u32 = 32;

/// Writer memory per indexing thread. tantivy flushes a segment when it is full; 64 MB keeps
/// segments large enough while the whole build stays far below the 1.5 GB budget.
const MEMORY_PER_THREAD: usize = 64 << 20;

/// tantivy's limits: at most 8 indexing threads, at least 15 MB each.
const MAX_THREADS: usize = 8;
const MIN_MEMORY_PER_THREAD: usize = 16 << 20;

/// What is kept in the commit payload.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    /// [`analysis_fingerprint`] of the analysis that built the index.
    analysis: String,
    /// Key (`<id>.<lang>`) → sha256 of every indexed document version.
    docs: HashMap<String, String>,
}

/// How to open an [`Indexer`].
#[derive(Debug, Clone, Copy)]
pub struct IndexerOptions {
    /// Indexing threads of the tantivy writer (1..=8).
    pub threads: usize,
    /// Writer memory budget for all threads, in bytes (at least 15 MB a thread).
    pub memory_budget: usize,
}

impl Default for IndexerOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        Self::with_threads(threads)
    }
}

impl IndexerOptions {
    /// `threads` indexing threads with the default memory per thread.
    pub fn with_threads(threads: usize) -> Self {
        let threads = threads.clamp(1, MAX_THREADS);
        Self {
            threads,
            memory_budget: threads * MEMORY_PER_THREAD,
        }
    }
}

/// What [`Indexer::commit`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexReport {
    /// Documents added or replaced.
    pub upserted: usize,
    /// Paragraph entries written for them.
    pub paragraphs: usize,
    /// Documents removed.
    pub removed: usize,
    /// Documents in the index after the commit.
    pub documents: usize,
    /// True when the index was emptied first because the dictionary or analyzer changed.
    pub rebuilt: bool,
}

/// Writes the index. Dropping it without [`Indexer::commit`] discards every change.
pub struct Indexer {
    path: PathBuf,
    /// Indexes of earlier schemas, removed once this one is committed.
    older: Vec<PathBuf>,
    writer: IndexWriter,
    fields: Fields,
    committed: HashMap<String, String>,
    /// key → Some(sha256) for upserts, None for removals, since the last commit.
    pending: Mutex<HashMap<String, Option<String>>>,
    /// Held while operations are handed to the writer. tantivy stamps a batch's operations
    /// and then queues its deletes; two threads doing so at once can queue deletes out of
    /// stamp order, and the commit then applies a document's own delete to the version
    /// added after it: the document vanishes from the index (seen about once in 250 builds
    /// of five documents on two threads). One hand-over at a time keeps the queue in order.
    hand_over: Mutex<()>,
    paragraphs: AtomicUsize,
    rebuilt: bool,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("path", &self.path)
            .field("committed", &self.committed.len())
            .finish()
    }
}

/// Opens the index in `path`, or `None` when there is none.
pub(crate) fn open_existing(path: &Path) -> Result<Option<Index>, IndexError> {
    if !path.join("meta.json").exists() {
        return Ok(None);
    }
    let index = Index::open_in_dir(path).map_err(|e| IndexError::tantivy(path, e))?;
    schema::register(&index);
    Ok(Some(index))
}

/// Opens the index stored in `directory` (found at `path`), with our tokenizers registered.
pub(crate) fn open_existing_in(
    directory: impl tantivy::Directory,
    path: &Path,
) -> Result<Index, IndexError> {
    let index = Index::open(directory).map_err(|e| IndexError::tantivy(path, e))?;
    schema::register(&index);
    Ok(index)
}

/// The commit payload of an index (default when it has none yet).
fn read_payload(index: &Index, path: &Path) -> Result<Payload, IndexError> {
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::tantivy(path, e))?;
    match metas.payload {
        None => Ok(Payload::default()),
        Some(p) => serde_json::from_str(&p).map_err(|e| IndexError::Corrupt {
            path: path.to_path_buf(),
            message: format!("the commit payload is not the expected JSON: {e}"),
        }),
    }
}

/// Checks that an existing index was built with the current analysis.
pub(crate) fn check_fresh(index: &Index, path: &Path) -> Result<(), IndexError> {
    let payload = read_payload(index, path)?;
    if payload.analysis == analysis_fingerprint() {
        Ok(())
    } else {
        Err(IndexError::Stale(path.to_path_buf()))
    }
}

impl Indexer {
    /// Opens the index of `data`, creating it if missing, with default options.
    pub fn open(data: &DataDir) -> Result<Self, IndexError> {
        Self::open_with(data, IndexerOptions::default())
    }

    /// Opens the index of `data`, creating it if missing.
    pub fn open_with(data: &DataDir, options: IndexerOptions) -> Result<Self, IndexError> {
        let path = schema::index_path(data);
        let index = match open_existing(&path)? {
            Some(index) => index,
            None => {
                std::fs::create_dir_all(&path).map_err(|source| IndexError::Io {
                    path: path.clone(),
                    source,
                })?;
                let index = Index::create_in_dir(&path, SCHEMA.0.clone())
                    .map_err(|e| IndexError::tantivy(&path, e))?;
                schema::register(&index);
                index
            }
        };
        // The writer's copy of the index reads the analysed fields as encoded tokens.
        for name in [schema::TEXT_TOKENIZER, schema::CHARS_TOKENIZER] {
            index
                .tokenizers()
                .register(name, EncodedTokenizer::default());
        }
        let threads = options.threads.clamp(1, MAX_THREADS);
        let budget = options.memory_budget.max(threads * MIN_MEMORY_PER_THREAD);
        let writer: IndexWriter = index
            .writer_with_num_threads(threads, budget)
            .map_err(|e| IndexError::tantivy(&path, e))?;
        let payload = read_payload(&index, &path)?;
        let fresh = payload.analysis == analysis_fingerprint();
        let had_docs = !payload.docs.is_empty();
        let committed = if fresh {
            payload.docs
        } else {
            // Another analysis: every document must be re-indexed. Deleting them all is part
            // of the next commit, so until then searches still see the old index.
            writer
                .delete_all_documents()
                .map_err(|e| IndexError::tantivy(&path, e))?;
            HashMap::new()
        };
        Ok(Self {
            path,
            older: schema::older_indexes(data),
            writer,
            fields: schema::fields(),
            committed,
            pending: Mutex::new(HashMap::new()),
            hand_over: Mutex::new(()),
            paragraphs: AtomicUsize::new(0),
            rebuilt: !fresh && had_docs,
        })
    }

    /// Where the index lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Key (`<id>.<lang>`, see [`crate::corpus::DocKey`]) → sha256 of the document versions in
    /// the last commit.
    pub fn indexed(&self) -> &HashMap<String, String> {
        &self.committed
    }

    /// Adds `doc`, replacing any version indexed before. `tokens[i]` are the tokens of
    /// paragraph `i`'s normalised text ([`Segmenter::tokenize`]). Safe to call from several
    /// threads at once.
    pub fn upsert(&self, doc: &Document, tokens: &[Vec<Token>]) -> Result<(), IndexError> {
        let id = &doc.meta.id;
        let key = doc.key().to_string();
        if tokens.len() != doc.paragraphs.len() {
            return Err(IndexError::Document {
                id: id.clone(),
                message: format!(
                    "{} token lists for {} paragraphs",
                    tokens.len(),
                    doc.paragraphs.len()
                ),
            });
        }
        let f = &self.fields;
        let date = date_value(doc.meta.date);
        let common = |d: &mut TantivyDocument, level: &str| {
            d.add_text(f.level, level);
            d.add_text(f.key, &key);
            d.add_text(f.id, id);
            d.add_date(f.date, date);
            d.add_i64(f.year, i64::from(doc.meta.date.year()));
            d.add_text(f.body, &doc.meta.body);
            d.add_text(f.doc_type, &doc.meta.doc_type);
            d.add_text(f.lang, doc.meta.lang.as_str());
        };

        let originals = doc.original_paragraphs();
        let total_tokens: usize = tokens.iter().map(Vec::len).sum();
        // A token of 2 Han chars takes 6 bytes and 2 more for its length and position.
        let mut whole = TokenEncoder::with_capacity(total_tokens * 8);
        let mut base = 0u32;
        // A Han char takes 3 bytes and 2 more for its length and position, its pair 6 and 2.
        let mut whole_chars = TokenEncoder::with_capacity(doc.text.len() / 3 * 13);
        let mut chars_base = 0u32;
        let mut paras = Vec::with_capacity(doc.paragraphs.len());
        for ((p, toks), original) in doc.paragraphs.iter().zip(tokens).zip(originals) {
            let Some(text) = doc.text.get(p.byte_start..p.byte_end) else {
                return Err(IndexError::Document {
                    id: id.clone(),
                    message: format!(
                        "paragraph {} has byte span {}..{} outside the text ({} bytes) or not \
                         on character boundaries",
                        p.index,
                        p.byte_start,
                        p.byte_end,
                        doc.text.len()
                    ),
                });
            };
            if let Some(t) = toks.iter().find(|t| t.byte_end > text.len()) {
                return Err(IndexError::Document {
                    id: id.clone(),
                    message: format!(
                        "a token of paragraph {} ends at byte {} past the paragraph ({} bytes)",
                        p.index,
                        t.byte_end,
                        text.len()
                    ),
                });
            }
            let mut d = TantivyDocument::new();
            common(&mut d, LEVEL_PARA);
            d.add_u64(f.paragraph, u64::from(p.index));
            d.add_u64(f.char_start, p.char_start as u64);
            d.add_u64(f.char_end, p.char_end as u64);
            d.add_text(f.para_text, text);
            if original != text {
                d.add_text(f.para_original, original);
            }
            let mut para = TokenEncoder::with_capacity(toks.len() * 8);
            let mut last = 0;
            for t in toks {
                para.push(&t.term, t.position);
                whole.push(&t.term, t.position + base);
                last = last.max(t.position);
            }
            d.add_text(f.text, para.finish());
            let mut para_chars = TokenEncoder::with_capacity(text.len() / 3 * 13);
            let n = push_han_chars(text, 0, &mut para_chars);
            push_han_chars(text, chars_base, &mut whole_chars);
            d.add_text(f.chars, para_chars.finish());
            paras.push(d);
            base = base.saturating_add(last).saturating_add(PARAGRAPH_GAP);
            chars_base = chars_base.saturating_add(n).saturating_add(PARAGRAPH_GAP);
        }

        let mut d = TantivyDocument::new();
        common(&mut d, LEVEL_DOC);
        d.add_text(f.title_stored, &doc.meta.title);
        d.add_text(f.sha256, &doc.sha256);
        let mut title = TokenEncoder::default();
        for t in Segmenter::global().tokenize(&doc.meta.title, doc.meta.lang) {
            title.push(&t.term, t.position);
        }
        d.add_text(f.title, title.finish());
        d.add_text(f.text, whole.finish());
        let mut title_chars = TokenEncoder::default();
        push_han_chars(&normalize_detecting(&doc.meta.title).0, 0, &mut title_chars);
        d.add_text(f.title_chars, title_chars.finish());
        d.add_text(f.chars, whole_chars.finish());

        let map_err = |e| IndexError::tantivy(&self.path, e);
        // One batch: the document and its paragraphs reach the indexing thread together (one
        // hand-over, not one per paragraph) and land in the same segment. The delete comes
        // first: tantivy orders operations, so it removes only older versions.
        let n = paras.len();
        let mut ops = Vec::with_capacity(n + 2);
        ops.push(UserOperation::Delete(Term::from_field_text(f.key, &key)));
        ops.push(UserOperation::Add(d));
        ops.extend(paras.into_iter().map(UserOperation::Add));
        {
            // A poisoned lock guards no data, only the order of hand-overs.
            let _order = self.hand_over.lock().unwrap_or_else(|e| e.into_inner());
            self.writer.run(ops).map_err(map_err)?;
        }
        self.paragraphs.fetch_add(n, Ordering::Relaxed);
        self.pending_map().insert(key, Some(doc.sha256.clone()));
        Ok(())
    }

    /// Removes the document version with key `key` (`<id>.<lang>`) and its paragraphs from the
    /// index.
    pub fn remove(&mut self, key: &str) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_text(self.fields.key, key));
        self.pending_map().insert(key.to_string(), None);
        Ok(())
    }

    fn pending_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<String>>> {
        // A poisoned lock only means another thread panicked mid-insert of a map entry; the map
        // itself is still consistent.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits every change and the new id → sha256 map in one tantivy commit.
    pub fn commit(mut self) -> Result<IndexReport, IndexError> {
        let pending = std::mem::take(&mut *self.pending_map());
        let mut docs = std::mem::take(&mut self.committed);
        let (mut upserted, mut removed) = (0, 0);
        for (id, sha) in pending {
            match sha {
                Some(sha) => {
                    upserted += 1;
                    docs.insert(id, sha);
                }
                None => {
                    if docs.remove(&id).is_some() {
                        removed += 1;
                    }
                }
            }
        }
        let documents = docs.len();
        let payload = serde_json::to_string(&Payload {
            analysis: analysis_fingerprint(),
            docs,
        })
        .map_err(|e| IndexError::Corrupt {
            path: self.path.clone(),
            message: format!("cannot encode the commit payload: {e}"),
        })?;
        let path = self.path.clone();
        let map_err = |e| IndexError::tantivy(&path, e);
        let mut prepared = self.writer.prepare_commit().map_err(map_err)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(map_err)?;
        self.writer.wait_merging_threads().map_err(map_err)?;
        for old in &self.older {
            // Only disk space is at stake: a leftover is never read, and the next build
            // tries again.
            let _ = std::fs::remove_dir_all(old);
        }
        Ok(IndexReport {
            upserted,
            paragraphs: self.paragraphs.load(Ordering::Relaxed),
            removed,
            documents,
            rebuilt: self.rebuilt || !self.older.is_empty(),
        })
    }
}

/// Adds every Han char of `text` to `out` as a token at `base` + its char offset, and every
/// pair of neighbouring Han chars at the offset of its first char (see
/// [`schema::han_char_terms`]); returns the number of chars of `text`.
fn push_han_chars(text: &str, base: u32, out: &mut TokenEncoder) -> u32 {
    let mut pair = String::with_capacity(8);
    let mut previous: Option<char> = None;
    let mut n = 0u32;
    for c in text.chars() {
        if is_han(c) {
            let at = base.saturating_add(n);
            if let Some(p) = previous {
                pair.clear();
                pair.push(p);
                pair.push(c);
                out.push(&pair, at.saturating_sub(1));
            }
            let mut buf = [0u8; 4];
            out.push(c.encode_utf8(&mut buf), at);
            previous = Some(c);
        } else {
            previous = None;
        }
        n = n.saturating_add(1);
    }
    n
}

/// A date as the index stores it: midnight UTC.
pub(crate) fn date_value(date: NaiveDate) -> DateTime {
    let secs = date
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0);
    DateTime::from_timestamp_secs(secs)
}

/// A stored date back as a calendar date.
pub(crate) fn date_of(value: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(value.into_timestamp_secs(), 0).map(|d| d.date_naive())
}
