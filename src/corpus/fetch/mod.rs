//! `scoway fetch`: download catalogue documents from their sources, keep the raw bytes with
//! provenance, extract the main text and ingest it with the catalogue's metadata.
//!
//! Politeness and robustness: one request at a time, a minimum delay between requests to
//! the same host, a descriptive User-Agent, retries with exponential backoff and jitter for
//! timeouts, 429 and 5xx (honouring `Retry-After`), and conditional requests (`ETag`,
//! `Last-Modified` from the previous run), so that a second run downloads nothing unchanged.
//! Raw bytes are written atomically and recorded in `provenance.jsonl` (see [`provenance`]);
//! one document's failure never loses another, and an interrupted run resumes where it
//! stopped.

pub mod http;
pub mod page;
pub mod provenance;
pub mod rewrite;

pub use provenance::{FetchDir, ProvenanceRecord};
pub use rewrite::{RewriteError, UrlRewrite};

use super::catalog::{Catalog, CatalogEntry};
use super::document::Lang;
use super::ingest::{sha256_hex, store_text};
use super::store::{DocStore, PutOutcome, StoreError};
use crate::layout::DataDir;
use http::{Http, HttpSettings, Validators};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "cannot reach {host}: no network? ({detail}). Ingest local files instead with \
         `scoway ingest DIR` or `scoway run --from-dir DIR`"
    )]
    Offline { host: String, detail: String },
    #[error("`{id}` is not in the catalogue {catalog}")]
    UnknownId { id: String, catalog: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to fetch and how.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Languages to fetch (empty: every language the catalogue has a URL for).
    pub langs: Vec<Lang>,
    /// Catalogue ids to fetch (empty: all).
    pub only: Vec<String>,
    /// List what would be fetched, touch nothing.
    pub dry_run: bool,
    pub rewrite: UrlRewrite,
    pub user_agent: String,
    /// Limit of one attempt: connecting, the headers and the whole body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retries: u32,
    pub retry_base: Duration,
    pub max_backoff: Duration,
    /// The longest wait for a server's `Retry-After`; a server asking for more fails the
    /// document at once (saying so) and the run moves on.
    pub max_retry_after: Duration,
    pub rate_per_host: Duration,
    pub max_bytes: u64,
    /// Pages with fewer non-space characters of main text are failures.
    pub min_chars: usize,
    /// Store the extracted text in the document store.
    pub ingest: bool,
    /// Show a progress bar and one line per document on stderr (the bar only on a terminal).
    pub progress: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            langs: Vec::new(),
            only: Vec::new(),
            dry_run: false,
            rewrite: UrlRewrite::None,
            user_agent: http::default_user_agent(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            retry_base: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
            rate_per_host: Duration::from_secs(3),
            max_bytes: 20 * 1024 * 1024,
            min_chars: 300,
            ingest: true,
            progress: false,
        }
    }
}

/// What happened to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Dry run: would be fetched.
    Planned,
    /// New bytes downloaded.
    Fetched,
    /// The server said 304, or sent the bytes we have.
    Unchanged,
    Failed,
}

/// One document version (catalogue row × language) in a run.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    pub id: String,
    pub doc_id: String,
    pub lang: Lang,
    pub url: String,
    pub request_url: String,
    pub outcome: Outcome,
    /// Requests made (retries included); 0 in a dry run.
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the document store did: `added`, `replaced`, `unchanged`, `duplicate of <id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Raw file, relative to the fetch directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraphs: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct FetchSummary {
    pub dry_run: bool,
    pub planned: usize,
    pub fetched: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// Documents added to or replaced in the store.
    pub ingested: usize,
    pub items: Vec<ItemReport>,
    /// Problems that are not one document's: unreadable provenance lines, rows without URLs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl FetchSummary {
    /// Every warning, prefixed with its document.
    pub fn warnings(&self) -> Vec<String> {
        self.items
            .iter()
            .flat_map(|i| i.warnings.iter().map(move |w| format!("{}: {w}", i.doc_id)))
            .collect()
    }
}

/// One unit of work.
struct Item<'a> {
    entry: &'a CatalogEntry,
    lang: Lang,
    url: String,
    request_url: String,
    /// Why the catalogue's URL cannot be fetched (it is malformed): the item fails unasked.
    invalid: Option<String>,
}

impl Item<'_> {
    fn report(&self) -> ItemReport {
        ItemReport {
            id: self.entry.id.clone(),
            doc_id: self.entry.key(self.lang).to_string(),
            lang: self.lang,
            url: self.url.clone(),
            request_url: self.request_url.clone(),
            outcome: if self.invalid.is_some() {
                Outcome::Failed
            } else {
                Outcome::Planned
            },
            attempts: 0,
            status: None,
            error: self.invalid.clone(),
            ingest: None,
            sha256: None,
            file: None,
            site: None,
            encoding: None,
            paragraphs: None,
            warnings: Vec::new(),
        }
    }
}

fn plan<'a>(
    catalog: &'a Catalog,
    opts: &FetchOptions,
    notes: &mut Vec<String>,
) -> Result<Vec<Item<'a>>, FetchError> {
    for id in &opts.only {
        if catalog.get(id).is_none() {
            return Err(FetchError::UnknownId {
                id: id.clone(),
                catalog: catalog.describe_sources(),
            });
        }
    }
    let only: HashSet<&str> = opts
        .only
        .iter()
        .filter_map(|id| catalog.get(id).map(|e| e.id.as_str()))
        .collect();
    let langs: Vec<Lang> = if opts.langs.is_empty() {
        Lang::ALL.to_vec()
    } else {
        opts.langs.clone()
    };
    let mut items = Vec::new();
    for entry in catalog {
        if !only.is_empty() && !only.contains(entry.id.as_str()) {
            continue;
        }
        let mut any = false;
        for &lang in &langs {
            if let Some(url) = entry.url(lang) {
                any = true;
                let invalid = entry.checked_url(lang).err();
                items.push(Item {
                    entry,
                    lang,
                    url: url.to_string(),
                    request_url: if invalid.is_some() {
                        url.to_string()
                    } else {
                        opts.rewrite.apply(url)
                    },
                    invalid,
                });
            }
        }
        if !any && !only.is_empty() {
            let names: Vec<&str> = langs.iter().map(|l| l.as_str()).collect();
            notes.push(format!(
                "{}: the catalogue has no URL in {}; fetch it by hand and add it with `scoway ingest`",
                entry.id,
                names.join("/")
            ));
        }
    }
    Ok(items)
}

/// Fetches and ingests the catalogue documents selected by `opts`.
///
/// Per-document problems (HTTP errors, timeouts, pages that fail the checks) are reported in
/// the summary and never stop the run. The run stops with [`FetchError::Offline`] when the
/// first hosts tried cannot be reached at all, keeping everything fetched before.
pub fn fetch(
    data: &DataDir,
    catalog: &Catalog,
    opts: &FetchOptions,
) -> Result<FetchSummary, FetchError> {
    let mut notes = Vec::new();
    let items = plan(catalog, opts, &mut notes)?;
    let mut summary = FetchSummary {
        dry_run: opts.dry_run,
        planned: items.len(),
        fetched: 0,
        unchanged: 0,
        failed: 0,
        ingested: 0,
        items: Vec::new(),
        notes,
    };
    if opts.dry_run {
        summary.items = items.iter().map(Item::report).collect();
        summary.failed = items.iter().filter(|i| i.invalid.is_some()).count();
        return Ok(summary);
    }

    let dir = FetchDir::new(data.fetch_dir());
    dir.prepare()?;
    let (_, unreadable) = dir.records()?;
    summary.notes.extend(
        unreadable
            .into_iter()
            .map(|s| format!("skipped an unreadable provenance line: {s}")),
    );
    let mut latest = dir.latest()?;
    let store = if opts.ingest {
        Some(DocStore::open(data.store_dir())?)
    } else {
        None
    };
    let mut client = Http::new(HttpSettings {
        user_agent: opts.user_agent.clone(),
        timeout: opts.timeout,
        connect_timeout: opts.connect_timeout,
        retries: opts.retries,
        retry_base: opts.retry_base,
        max_backoff: opts.max_backoff,
        max_retry_after: opts.max_retry_after,
        rate_per_host: opts.rate_per_host,
        max_bytes: opts.max_bytes,
        announce_waits: opts.progress,
    })
    .map_err(FetchError::Client)?;

    // Until something answers, a connection failure may mean there is no network at all;
    // two unreachable hosts (or the only host) settle it.
    let hosts: HashSet<String> = items
        .iter()
        .filter_map(|i| host_of(&i.request_url))
        .collect();
    let offline_after = hosts.len().clamp(1, 2);
    let mut unreachable: Vec<(String, String)> = Vec::new();

    let bar = progress_bar(opts, items.len());
    for item in &items {
        bar.set_message(item.entry.key(item.lang).to_string());
        let mut report = item.report();
        let run = Run {
            dir: &dir,
            store: store.as_ref(),
            opts,
        };
        let previous = latest.get(&report.doc_id).cloned();
        let fail_fast = !client.reached_network;
        let mut stop = None;
        let result = if item.invalid.is_some() {
            Ok(None)
        } else {
            run.one(&mut client, item, previous.as_ref(), fail_fast, &mut report)
        };
        match result {
            Ok(Some(record)) => {
                latest.insert(record.doc_id.clone(), record);
            }
            Ok(None) => {}
            Err(Stop::Connect { host, detail }) => {
                if !unreachable.iter().any(|(h, _)| *h == host) {
                    unreachable.push((host, detail));
                }
                if unreachable.len() >= offline_after {
                    let (host, detail) = unreachable.swap_remove(0);
                    stop = Some(FetchError::Offline { host, detail });
                }
            }
            Err(Stop::Fatal(e)) => {
                report.outcome = Outcome::Failed;
                report.error = Some(e.to_string());
                stop = Some(e);
            }
        }
        match report.outcome {
            Outcome::Fetched => summary.fetched += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Failed => summary.failed += 1,
            Outcome::Planned => {}
        }
        if matches!(report.ingest.as_deref(), Some("added" | "replaced")) {
            summary.ingested += 1;
        }
        if opts.progress {
            bar.suspend(|| eprintln!("{}", describe(&report)));
        }
        bar.inc(1);
        summary.items.push(report);
        if let Some(e) = stop {
            bar.finish_and_clear();
            return Err(e);
        }
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// One line about a document, for the progress log.
pub fn describe(r: &ItemReport) -> String {
    let mut line = match r.outcome {
        Outcome::Planned => format!("would fetch {} ({}) {}", r.doc_id, r.lang, r.request_url),
        Outcome::Fetched => format!("fetched   {} ({})", r.doc_id, r.request_url),
        Outcome::Unchanged => format!("unchanged {} ({})", r.doc_id, r.request_url),
        Outcome::Failed => format!(
            "FAILED    {} ({}): {}",
            r.doc_id,
            r.request_url,
            r.error.as_deref().unwrap_or("unknown error")
        ),
    };
    if let Some(ingest) = &r.ingest {
        line.push_str(&format!(" — store: {ingest}"));
    }
    for w in &r.warnings {
        line.push_str(&format!("\n  warning: {w}"));
    }
    line
}

fn progress_bar(opts: &FetchOptions, len: usize) -> ProgressBar {
    if !opts.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

enum Stop {
    /// Could not connect before anything answered in this run.
    Connect {
        host: String,
        detail: String,
    },
    Fatal(FetchError),
}

impl From<FetchError> for Stop {
    fn from(e: FetchError) -> Self {
        Stop::Fatal(e)
    }
}

struct Run<'a> {
    dir: &'a FetchDir,
    store: Option<&'a DocStore>,
    opts: &'a FetchOptions,
}

impl Run<'_> {
    /// Fetches, records and ingests one item, filling `report`. Returns the new provenance
    /// record, if one was written.
    fn one(
        &self,
        client: &mut Http,
        item: &Item<'_>,
        previous: Option<&ProvenanceRecord>,
        fail_fast: bool,
        report: &mut ItemReport,
    ) -> Result<Option<ProvenanceRecord>, Stop> {
        // Conditional headers only when the bytes they describe are still here, intact.
        let previous_bytes = previous
            .filter(|p| p.request_url == item.request_url)
            .and_then(|p| self.dir.read_raw(p).map(|b| (p, b)));
        let validators = previous_bytes.as_ref().map(|(p, _)| Validators {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        });
        let validators = validators.filter(|v| v.etag.is_some() || v.last_modified.is_some());

        let response = match client.get(&item.request_url, validators.as_ref(), fail_fast) {
            Ok(r) => r,
            Err(f) => {
                report.outcome = Outcome::Failed;
                report.attempts = f.attempts;
                report.status = f.status;
                report.error = Some(f.message.clone());
                if f.connect && fail_fast {
                    return Err(Stop::Connect {
                        host: host_of(&item.request_url).unwrap_or_default(),
                        detail: f.message,
                    });
                }
                return Ok(None);
            }
        };
        report.attempts = response.attempts;
        report.status = Some(response.status);

        let content_type = response.header(reqwest::header::CONTENT_TYPE);
        let (bytes, outcome, rel, content_type) = if response.not_modified() {
            let Some((prev, bytes)) = previous_bytes else {
                report.outcome = Outcome::Failed;
                report.error =
                    Some("the server said 304 Not Modified to an unconditional request".into());
                return Ok(None);
            };
            (
                bytes,
                Outcome::Unchanged,
                prev.file.clone(),
                prev.content_type.clone(),
            )
        } else {
            let bytes = response.body.clone();
            let kind = match page::kind_of(content_type.as_deref(), &bytes) {
                Ok(k) => k,
                Err(e) => {
                    report.outcome = Outcome::Failed;
                    report.error = Some(e);
                    return Ok(None);
                }
            };
            let sha = sha256_hex(&bytes);
            let same = previous_bytes
                .as_ref()
                .is_some_and(|(p, _)| p.sha256 == sha);
            let rel = self
                .dir
                .write_raw(&report.doc_id, &sha, kind.extension(), &bytes)?;
            let outcome = if same {
                Outcome::Unchanged
            } else {
                Outcome::Fetched
            };
            (bytes, outcome, rel, content_type)
        };

        let sha = sha256_hex(&bytes);
        let record = ProvenanceRecord {
            doc_id: report.doc_id.clone(),
            id: item.entry.id.clone(),
            lang: item.lang,
            url: item.url.clone(),
            request_url: item.request_url.clone(),
            final_url: response.final_url.clone(),
            status: response.status,
            outcome: match outcome {
                Outcome::Unchanged => "unchanged",
                _ => "fetched",
            }
            .to_string(),
            attempts: response.attempts,
            sha256: sha.clone(),
            bytes: bytes.len() as u64,
            file: rel.clone(),
            content_type: content_type.clone(),
            // A 304 may omit the validators; keep the ones that still describe the bytes.
            etag: response
                .header(reqwest::header::ETAG)
                .or_else(|| previous.and_then(|p| p.etag.clone())),
            last_modified: response
                .header(reqwest::header::LAST_MODIFIED)
                .or_else(|| previous.and_then(|p| p.last_modified.clone())),
            headers: headers_map(&response.headers),
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tool: format!("scoway {}", env!("CARGO_PKG_VERSION")),
        };
        self.dir.append(&record)?;
        report.outcome = outcome;
        report.sha256 = Some(sha.clone());
        report.file = Some(rel);

        if let Some(store) = self.store {
            ingest_page(
                store,
                item.entry,
                item.lang,
                &item.url,
                &bytes,
                content_type.as_deref(),
                &response.final_url,
                self.opts,
                report,
            );
        } else {
            check_page(
                item.entry,
                item.lang,
                &item.url,
                &bytes,
                content_type.as_deref(),
                self.opts,
                report,
            );
        }
        Ok(Some(record))
    }
}

/// Extracts and checks the main text of a raw page, filling `report`; `None` (with the
/// report failed) when the page fails the checks.
fn check_page(
    entry: &CatalogEntry,
    lang: Lang,
    url: &str,
    bytes: &[u8],
    content_type: Option<&str>,
    opts: &FetchOptions,
    report: &mut ItemReport,
) -> Option<page::Page> {
    let page = match page::process(bytes, content_type, entry, lang, url, opts.min_chars) {
        Ok(p) => p,
        Err(e) => {
            report.outcome = Outcome::Failed;
            report.error = Some(e);
            return None;
        }
    };
    report.site = Some(page.site);
    report.encoding = Some(page.encoding.clone());
    report.paragraphs = Some(page.paragraphs.len());
    report.warnings.extend(page.warnings.iter().cloned());
    Some(page)
}

/// Extracts the main text of a raw page and stores it with the catalogue's metadata,
/// filling `report` (`ingest`, or the failure).
#[allow(clippy::too_many_arguments)]
fn ingest_page(
    store: &DocStore,
    entry: &CatalogEntry,
    lang: Lang,
    url: &str,
    bytes: &[u8],
    content_type: Option<&str>,
    final_url: &str,
    opts: &FetchOptions,
    report: &mut ItemReport,
) {
    let Some(page) = check_page(entry, lang, url, bytes, content_type, opts, report) else {
        return;
    };
    let sha = sha256_hex(bytes);
    // Both language versions of a bilingual page come from the same bytes; the store
    // treats equal hashes as duplicates, so each version gets its own.
    let doc_sha = if page.language_filtered {
        sha256_hex(format!("{sha}#lang={lang}").as_bytes())
    } else {
        sha
    };
    let meta = entry.meta(lang);
    match store_text(
        store,
        meta,
        page.paragraphs.join("\n\n"),
        doc_sha,
        final_url.to_string(),
    ) {
        Ok(outcome) => {
            report.ingest = Some(match outcome {
                PutOutcome::Added => "added".into(),
                PutOutcome::Replaced => "replaced".into(),
                PutOutcome::Unchanged { duplicate_of }
                    if duplicate_of.to_string() == report.doc_id =>
                {
                    "unchanged".into()
                }
                PutOutcome::Unchanged { duplicate_of } => {
                    report.warnings.push(format!(
                        "not stored: the same text is already stored as {duplicate_of}"
                    ));
                    format!("duplicate of {duplicate_of}")
                }
            });
        }
        Err(e) => {
            report.outcome = Outcome::Failed;
            report.error = Some(format!("cannot store the text: {e}"));
        }
    }
}

/// Adds to the store the raw pages fetched earlier (the latest of each document in the
/// fetch directory) that are not stored yet, e.g. after `fetch --no-ingest` or when the
/// store was removed: what `run` carries on with when the sources cannot be reached.
/// Downloads nothing. Pages whose catalogue row is gone, or whose raw file is missing, are
/// reported as failed.
pub fn ingest_fetched(
    data: &DataDir,
    catalog: &Catalog,
    opts: &FetchOptions,
) -> Result<Vec<ItemReport>, FetchError> {
    let dir = FetchDir::new(data.fetch_dir());
    let latest = dir.latest()?;
    if latest.is_empty() {
        return Ok(Vec::new());
    }
    let store = DocStore::open(data.store_dir())?;
    let stored: HashSet<String> = store.keys()?.iter().map(|k| k.to_string()).collect();
    let mut records: Vec<&ProvenanceRecord> = latest
        .values()
        .filter(|r| !stored.contains(&r.doc_id))
        .collect();
    records.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    let mut reports = Vec::new();
    for record in records {
        let mut report = ItemReport {
            id: record.id.clone(),
            doc_id: record.doc_id.clone(),
            lang: record.lang,
            url: record.url.clone(),
            request_url: record.request_url.clone(),
            outcome: Outcome::Unchanged,
            attempts: 0,
            status: None,
            error: None,
            ingest: None,
            sha256: Some(record.sha256.clone()),
            file: Some(record.file.clone()),
            site: None,
            encoding: None,
            paragraphs: None,
            warnings: Vec::new(),
        };
        match (catalog.get(&record.id), dir.read_raw(record)) {
            (None, _) => {
                report.outcome = Outcome::Failed;
                report.error = Some(format!(
                    "`{}` is not in the catalogue {}",
                    record.id,
                    catalog.source().display()
                ));
            }
            (Some(_), None) => {
                report.outcome = Outcome::Failed;
                report.error = Some(format!(
                    "the raw file {} is missing or does not hold the recorded bytes",
                    record.file
                ));
            }
            (Some(entry), Some(bytes)) => ingest_page(
                &store,
                entry,
                record.lang,
                &record.url,
                &bytes,
                record.content_type.as_deref(),
                &record.final_url,
                opts,
                &mut report,
            ),
        }
        reports.push(report);
    }
    Ok(reports)
}

fn headers_map(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.as_str().to_string())
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

/// Fetch status of every document id with a raw file (`scoway catalog` uses it); reads only.
pub fn fetched_documents(
    data: &DataDir,
) -> Result<std::collections::HashMap<String, ProvenanceRecord>, FetchError> {
    FetchDir::new(data.fetch_dir()).latest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn catalog() -> Catalog {
        let text = "id\tdate\tbody\tmeeting_no\tcity\thost_country\tdoc_type\ttitle_zh\ttitle_en\turl_zh\turl_en\turl_ru\tconfirmed_by\n\
            a\t2019-06-14\tCHS\t19\tBishkek\tKyrgyzstan\tdeclaration\t甲\tA\thttp://x.cn/a\thttp://y.org/a\t\t\n\
            b\t2019-06-14\tCHG\t\t\t\tcommunique\t乙\t\t\t\t\t\n";
        Catalog::parse(text, Path::new("t.tsv")).unwrap()
    }

    #[test]
    fn plans_rows_by_language_and_id() {
        let c = catalog();
        let mut notes = vec![];
        let opts = FetchOptions {
            rewrite: UrlRewrite::base_url("http://127.0.0.1:1").unwrap(),
            ..FetchOptions::default()
        };
        let items = plan(&c, &opts, &mut notes).unwrap();
        let got: Vec<(String, &str)> = items
            .iter()
            .map(|i| (i.entry.key(i.lang).to_string(), i.request_url.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a.zh".to_string(), "http://127.0.0.1:1/a"),
                ("a.en".to_string(), "http://127.0.0.1:1/a")
            ]
        );
        let opts = FetchOptions {
            only: vec!["b".into()],
            langs: vec![Lang::Zh],
            ..FetchOptions::default()
        };
        assert!(plan(&c, &opts, &mut notes).unwrap().is_empty());
        assert_eq!(notes.len(), 1, "{notes:?}");
        let opts = FetchOptions {
            only: vec!["nope".into()],
            ..FetchOptions::default()
        };
        assert!(matches!(
            plan(&c, &opts, &mut notes),
            Err(FetchError::UnknownId { .. })
        ));
    }

    #[test]
    fn no_network_fails_fast_and_clearly() {
        // A port that was just free: connecting is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = tempfile::tempdir().unwrap();
        let opts = FetchOptions {
            rewrite: UrlRewrite::base_url(&format!("http://127.0.0.1:{port}")).unwrap(),
            rate_per_host: Duration::ZERO,
            retry_base: Duration::from_millis(1),
            ..FetchOptions::default()
        };
        let err = fetch(&DataDir::new(data.path()), &catalog(), &opts).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, FetchError::Offline { .. }), "{msg}");
        assert!(
            msg.starts_with("cannot reach 127.0.0.1: no network?"),
            "{msg}"
        );
        assert!(msg.contains("scoway ingest DIR"), "{msg}");
    }
}
