//! Integration tests: `scoway fetch` and `scoway catalog` against a real HTTP server on
//! loopback, serving the fixture pages of `tests/fixtures/sites/` (pages we wrote, in the
//! structure of each supported site).

use crate::common::{fixture, scoway, scoway_bin};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use scoway::corpus::ingest::sha256_hex;
use scoway::corpus::{DocKey, DocStore, Lang};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LAST_MODIFIED: &str = "Fri, 14 Jun 2019 12:00:00 GMT";

/// What the server saw.
#[derive(Default)]
struct Log {
    hits: HashMap<String, u32>,
    not_modified: HashMap<String, u32>,
    user_agents: Vec<String>,
}

type Shared = Arc<Mutex<Log>>;

/// The fixture server: one per test, on a free loopback port, in a background thread.
struct Server {
    base: String,
    log: Shared,
}

impl Server {
    fn start() -> Server {
        let log: Shared = Arc::default();
        let state = log.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a loopback port");
                tx.send(listener.local_addr().expect("local address"))
                    .expect("report the address");
                let app = Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let addr = rx.recv().expect("the server starts");
        Server {
            base: format!("http://{addr}"),
            log,
        }
    }

    fn hits(&self, path: &str) -> u32 {
        self.log
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    fn not_modified(&self, path: &str) -> u32 {
        let log = self.log.lock().unwrap();
        log.not_modified.get(path).copied().unwrap_or(0)
    }
}

#[derive(Clone, Copy)]
enum Validators {
    Etag,
    LastModified,
    Both,
}

fn page(
    req: &HeaderMap,
    log: &Shared,
    path: &str,
    file: &str,
    content_type: &str,
    v: Validators,
) -> Response {
    let body = std::fs::read(fixture("sites/pages").join(file)).expect("fixture page");
    let etag = format!("\"{}\"", &sha256_hex(&body)[..16]);
    let header_is = |name: header::HeaderName, value: &str| {
        req.get(name).and_then(|h| h.to_str().ok()) == Some(value)
    };
    let use_etag = matches!(v, Validators::Etag | Validators::Both);
    let use_lm = matches!(v, Validators::LastModified | Validators::Both);
    if (use_etag && header_is(header::IF_NONE_MATCH, &etag))
        || (use_lm && header_is(header::IF_MODIFIED_SINCE, LAST_MODIFIED))
    {
        *log.lock()
            .unwrap()
            .not_modified
            .entry(path.to_string())
            .or_default() += 1;
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut resp = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type);
    if use_etag {
        resp = resp.header(header::ETAG, etag);
    }
    if use_lm {
        resp = resp.header(header::LAST_MODIFIED, LAST_MODIFIED);
    }
    resp.body(Body::from(body)).expect("response")
}

async fn handle(State(log): State<Shared>, uri: Uri, req: HeaderMap) -> Response {
    let path = uri.path().to_string();
    let n = {
        let mut l = log.lock().unwrap();
        if let Some(ua) = req.get(header::USER_AGENT).and_then(|h| h.to_str().ok()) {
            l.user_agents.push(ua.to_string());
        }
        let n = l.hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let html = "text/html; charset=utf-8";
    match path.as_str() {
        "/fmprc/zyxw/t20190614_001.shtml" | "/fmprc/zh-only.shtml" => {
            page(&req, &log, &path, "fmprc.html", html, Validators::Etag)
        }
        "/fmprc/short.shtml" => page(&req, &log, &path, "short.html", html, Validators::Both),
        // GBK bytes, and no charset in the header: only the page's <meta> says gb2312.
        "/govcn/xinwen/2019-11/02/content_001.htm" => page(
            &req,
            &log,
            &path,
            "govcn-gbk.html",
            "text/html",
            Validators::LastModified,
        ),
        "/xinhua/2019-06/14/c_001.htm" if n <= 2 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "fixture: failing on purpose",
        )
            .into_response(),
        "/xinhua/2019-06/14/c_001.htm" => {
            page(&req, &log, &path, "xinhua.html", html, Validators::Both)
        }
        "/people/n1/2018/0610/c1002-001.html" if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "fixture: slow down",
        )
            .into_response(),
        "/people/n1/2018/0610/c1002-001.html" => {
            page(&req, &log, &path, "people.html", html, Validators::Both)
        }
        "/kremlin/events/president/news/001" => {
            Redirect::permanent("/kremlin/moved/001").into_response()
        }
        "/kremlin/moved/001" => page(&req, &log, &path, "kremlin.html", html, Validators::Both),
        "/sectsco/news/20180610/001.html" => {
            page(&req, &log, &path, "sectsco.html", html, Validators::Both)
        }
        "/worldjpn/texts/SCO/20190614.D1E.html" => {
            page(&req, &log, &path, "generic-en.html", html, Validators::Both)
        }
        "/archive/bilingual.html" => {
            page(&req, &log, &path, "bilingual.html", html, Validators::Both)
        }
        "/xinhua/slow.htm" => {
            tokio::time::sleep(Duration::from_secs(4)).await;
            page(&req, &log, &path, "xinhua.html", html, Validators::Both)
        }
        "/xinhua/slowkill.htm" => {
            tokio::time::sleep(Duration::from_secs(300)).await;
            page(&req, &log, &path, "xinhua.html", html, Validators::Both)
        }
        // The header promises more than is sent.
        "/govcn/truncated.htm" => Response::builder()
            .header(header::CONTENT_TYPE, html)
            .header(header::CONTENT_LENGTH, "5000")
            .header(header::CONNECTION, "close")
            .body(Body::from("<html><body><p>（测试样例）".repeat(20)))
            .expect("response"),
        "/busy/retry-after.htm" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "99999")],
            "fixture: come back tomorrow",
        )
            .into_response(),
        "/govcn/doc.pdf" => (
            [(header::CONTENT_TYPE, "application/pdf")],
            "%PDF-1.4 fixture, not a real PDF\n",
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "fixture: no such page").into_response(),
    }
}

fn catalog() -> PathBuf {
    fixture("sites/catalog.tsv")
}

fn expected() -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(fixture("sites/expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

/// `scoway fetch` against the fixture server, fast settings, JSON output.
fn fetch_command(data: &Path, server: &Server, args: &[&str]) -> std::process::Command {
    let mut cmd = scoway(data);
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .args(["--base-url", &server.base])
        .args(["--rate-per-host", "0", "--retry-base-ms", "10"])
        .arg("--json")
        .args(args);
    cmd
}

fn fetch(data: &Path, server: &Server, args: &[&str]) -> (Output, Value) {
    let out = fetch_command(data, server, args)
        .output()
        .expect("scoway runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

fn item<'a>(summary: &'a Value, doc_id: &str) -> &'a Value {
    summary["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["doc_id"] == doc_id)
        .unwrap_or_else(|| panic!("no item {doc_id} in {summary:#}"))
}

fn records(data: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(data.join("fetch/provenance.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).expect("provenance line is JSON"))
        .collect()
}

/// The stored paragraphs of the version `key` (`<id>.<lang>`).
fn stored_paragraphs(data: &Path, key: &str) -> Vec<String> {
    let store = DocStore::open(data.join("store")).unwrap();
    let id = key;
    let key = DocKey::parse(key).unwrap_or_else(|| panic!("{key} is not <id>.<lang>"));
    let doc = store
        .get(&key)
        .unwrap()
        .unwrap_or_else(|| panic!("{id} is not in the store"));
    assert_eq!(
        doc.paragraphs.len(),
        doc.original.split("\n\n").count(),
        "{id}: the store's paragraphs are the extracted ones"
    );
    doc.original.split("\n\n").map(str::to_string).collect()
}

/// Every raw file is complete (its name carries its own hash), every record points at a
/// raw file with the recorded hash, and nothing is left in `tmp/`.
fn assert_fetch_dir_consistent(data: &Path) {
    let fetch = data.join("fetch");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(fetch.join("raw")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let sha = sha256_hex(&bytes);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.contains(&format!(".{}.", &sha[..16])),
            "{name} does not hold the bytes its name promises"
        );
        names.push(name);
    }
    for r in records(data) {
        let file = fetch.join(r["file"].as_str().unwrap());
        let bytes =
            std::fs::read(&file).unwrap_or_else(|_| panic!("{} is missing", file.display()));
        assert_eq!(sha256_hex(&bytes), r["sha256"], "{}", file.display());
        assert_eq!(bytes.len() as u64, r["bytes"].as_u64().unwrap());
    }
    let leftovers: Vec<_> = std::fs::read_dir(fetch.join("tmp"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "partial files left: {leftovers:?}");
}

const GOOD: [&str; 7] = [
    "st-chs-2019-declaration",
    "st-chg-2019-communique",
    "st-chs-2019-communique",
    "st-chs-2018-declaration",
    "st-chs-2018-communique",
    "st-chg-2018-communique",
    "st-chs-2014-declaration",
];

#[test]
fn fetches_extracts_and_ingests_each_site_then_revalidates() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    // The last of GOOD never answers; it is for the kill test, not fetched here.
    let only: Vec<&str> = GOOD[..6].to_vec();
    let mut args = vec!["--only"];
    args.extend(&only);
    let (out, s) = fetch(d, &server, &args);
    assert!(
        out.status.success(),
        "{}\n{s:#}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 6 rows: the 2019 declaration in zh, en and ru; the bilingual page in zh and en.
    assert_eq!(s["fetched"], 9, "{s:#}");
    assert_eq!(
        (s["failed"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(s["ingested"], 9);

    // Exact paragraphs, site rule and encoding per page.
    let exp = expected();
    let cases = [
        ("st-chs-2019-declaration.zh", "fmprc.html", "fmprc"),
        ("st-chs-2019-declaration.en", "generic-en.html", "generic"),
        ("st-chs-2019-declaration.ru", "kremlin.html", "kremlin"),
        ("st-chg-2019-communique.zh", "govcn-gbk.html", "gov.cn"),
        ("st-chs-2019-communique.zh", "xinhua.html", "xinhua"),
        ("st-chs-2018-declaration.zh", "people.html", "people"),
        ("st-chs-2018-communique.en", "sectsco.html", "sectsco"),
        ("st-chg-2018-communique.zh", "bilingual.html#zh", "generic"),
        ("st-chg-2018-communique.en", "bilingual.html#en", "generic"),
    ];
    for (doc_id, page, site) in cases {
        assert_eq!(stored_paragraphs(d, doc_id), exp[page], "{doc_id}");
        assert_eq!(item(&s, doc_id)["site"], site, "{doc_id}");
        assert_eq!(item(&s, doc_id)["outcome"], "fetched", "{doc_id}");
    }
    let gbk = item(&s, "st-chg-2019-communique.zh");
    assert_eq!(gbk["encoding"], "gb18030 (declared)", "{gbk:#}");

    // Retries: two 500s then 200; one 429 (Retry-After: 1) then 200; others at once.
    assert_eq!(item(&s, "st-chs-2019-communique.zh")["attempts"], 3);
    assert_eq!(server.hits("/xinhua/2019-06/14/c_001.htm"), 3);
    assert_eq!(item(&s, "st-chs-2018-declaration.zh")["attempts"], 2);
    assert_eq!(server.hits("/people/n1/2018/0610/c1002-001.html"), 2);
    assert_eq!(item(&s, "st-chs-2019-declaration.zh")["attempts"], 1);
    // The bilingual page is requested once per language.
    assert_eq!(server.hits("/archive/bilingual.html"), 2);

    // The redirect was followed and recorded.
    let recs = records(d);
    assert_eq!(recs.len(), 9);
    let ru = recs
        .iter()
        .find(|r| r["doc_id"] == "st-chs-2019-declaration.ru")
        .unwrap();
    assert_eq!(
        ru["url"],
        "http://kremlin.ru/kremlin/events/president/news/001"
    );
    assert_eq!(
        ru["request_url"],
        format!("{}/kremlin/events/president/news/001", server.base)
    );
    assert_eq!(
        ru["final_url"],
        format!("{}/kremlin/moved/001", server.base)
    );
    assert_eq!(ru["status"], 200);
    assert_eq!(ru["headers"]["content-type"], "text/html; charset=utf-8");
    let fm = recs
        .iter()
        .find(|r| r["doc_id"] == "st-chs-2019-declaration.zh")
        .unwrap();
    assert!(
        fm["etag"].as_str().is_some_and(|e| e.starts_with('"')),
        "{fm:#}"
    );
    assert!(fm["fetched_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_fetch_dir_consistent(d);

    // The page's own title and date are checked against the catalogue.
    let en = item(&s, "st-chs-2019-declaration.en");
    assert!(
        en["warnings"][0]
            .as_str()
            .is_some_and(|w| w.starts_with("the page's title")),
        "{en:#}"
    );
    let sco = item(&s, "st-chs-2018-communique.en");
    assert_eq!(
        sco["warnings"][0],
        "the page is dated 2018-06-20, the catalogue 2018-06-10"
    );
    assert!(
        item(&s, "st-chs-2019-declaration.zh")
            .get("warnings")
            .is_none()
    );

    // A descriptive User-Agent on every request.
    {
        let log = server.log.lock().unwrap();
        assert!(!log.user_agents.is_empty());
        for ua in &log.user_agents {
            assert!(
                ua.starts_with("scoway/") && ua.ends_with("research use)"),
                "{ua}"
            );
        }
    }

    // Second run: conditional requests, nothing downloaded, nothing re-stored.
    let (out, s2) = fetch(d, &server, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        (s2["fetched"].as_u64(), s2["unchanged"].as_u64()),
        (Some(0), Some(9)),
        "{s2:#}"
    );
    assert_eq!(s2["ingested"], 0);
    for (doc_id, _, _) in cases {
        assert_eq!(item(&s2, doc_id)["status"], 304, "{doc_id}");
        assert_eq!(item(&s2, doc_id)["ingest"], "unchanged", "{doc_id}");
    }
    assert_eq!(
        server.not_modified("/fmprc/zyxw/t20190614_001.shtml"),
        1,
        "ETag"
    );
    assert_eq!(
        server.not_modified("/govcn/xinwen/2019-11/02/content_001.htm"),
        1,
        "Last-Modified"
    );
    assert_eq!(std::fs::read_dir(d.join("fetch/raw")).unwrap().count(), 9);
    let recs = records(d);
    assert_eq!(recs.len(), 18);
    assert!(recs[9..].iter().all(|r| r["outcome"] == "unchanged"));
    assert_fetch_dir_consistent(d);

    // `scoway catalog` shows what is ingested and what is missing.
    let out = scoway(d)
        .args(["catalog", "--json", "--catalog"])
        .arg(catalog())
        .output()
        .unwrap();
    assert!(out.status.success());
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = |id: &str| {
        c["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        entry("st-chs-2019-declaration")["status"],
        serde_json::json!({"zh": "ingested", "ru": "ingested", "en": "ingested"})
    );
    assert_eq!(
        entry("st-chs-2017-declaration")["status"],
        serde_json::json!({"zh": "missing", "ru": "no-url", "en": "no-url"})
    );
    assert_eq!(c["ingested"], 9);
}

#[test]
fn failures_are_reported_and_never_stop_the_run() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let (out, s) = fetch(
        d,
        &server,
        &[
            "--timeout",
            "1",
            "--retries",
            "1",
            "--only",
            "st-chs-2017-declaration",
            "st-chs-2017-communique",
            "st-chs-2016-declaration",
            "st-chs-2016-communique",
            "st-chs-2015-declaration",
            "st-chs-2015-communique",
            "st-chg-2019-communique",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{s:#}");
    assert_eq!(
        (s["failed"].as_u64(), s["fetched"].as_u64()),
        (Some(6), Some(1)),
        "{s:#}"
    );

    let failed = |id: &str| {
        let i = item(&s, id);
        assert_eq!(i["outcome"], "failed", "{i:#}");
        (
            i["error"].as_str().unwrap_or_default().to_string(),
            i["attempts"].as_u64().unwrap(),
        )
    };
    let (e, n) = failed("st-chs-2017-declaration.zh");
    assert_eq!((e.as_str(), n), ("HTTP 404 Not Found", 1));
    assert_eq!(server.hits("/fmprc/gone.shtml"), 1, "a 404 is not retried");

    let (e, n) = failed("st-chs-2017-communique.zh");
    assert!(e.starts_with("timed out after 1 s"), "{e}");
    assert_eq!(n, 2);

    let (e, n) = failed("st-chs-2016-declaration.zh");
    assert!(e.starts_with("the body broke off after 660 bytes"), "{e}");
    assert_eq!(n, 2);
    assert_eq!(server.hits("/govcn/truncated.htm"), 2);

    let (e, n) = failed("st-chs-2016-communique.zh");
    assert!(
        e.starts_with("not an HTML page (Content-Type: application/pdf)"),
        "{e}"
    );
    assert_eq!(n, 1);

    let (e, _) = failed("st-chs-2015-declaration.zh");
    assert!(
        e.starts_with("implausibly short: 23 characters of text"),
        "{e}"
    );
    let (e, _) = failed("st-chs-2015-communique.en");
    assert!(
        e.starts_with("wrong language: the catalogue row is en"),
        "{e}"
    );

    // Nothing half-written; pages that failed the checks are kept raw but not ingested.
    assert_fetch_dir_consistent(d);
    let store = DocStore::open(d.join("store")).unwrap();
    assert_eq!(
        store.keys().unwrap(),
        vec![DocKey::new("st-chg-2019-communique", Lang::Zh)]
    );
    let raw: Vec<String> = std::fs::read_dir(d.join("fetch/raw"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(raw.len(), 3, "{raw:?}");
    assert!(!raw.iter().any(|f| f.starts_with("st-chs-2016")), "{raw:?}");

    // The human summary names every failure.
    let mut plain = scoway(d);
    let out = plain
        .arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .args(["--base-url", &server.base, "--rate-per-host", "0"])
        .args(["--only", "st-chs-2017-declaration"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("failed:\n  st-chs-2017-declaration.zh (")
            && stderr.contains("0 fetched, 0 unchanged, 1 failed"),
        "{stderr}"
    );
}

#[test]
fn killed_run_leaves_only_complete_files_and_resumes() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let mut child = Command::new(scoway_bin())
        .arg("--data-dir")
        .arg(d)
        .args(["fetch", "--catalog"])
        .arg(catalog())
        .args([
            "--base-url",
            &server.base,
            "--rate-per-host",
            "0",
            "--timeout",
            "600",
        ])
        .args([
            "--only",
            "st-chs-2019-declaration",
            "st-chg-2019-communique",
            "st-chs-2014-declaration",
        ])
        .env_remove("SCOWAY_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scoway fetch");
    // Documents are fetched in catalogue order; the last one never answers.
    let start = Instant::now();
    while server.hits("/xinhua/slowkill.htm") == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the fetch never reached the slow page"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("scoway fetch ended early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert_fetch_dir_consistent(d);
    let recs = records(d);
    let ids: Vec<&str> = recs.iter().map(|r| r["doc_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![
            "st-chs-2019-declaration.zh",
            "st-chs-2019-declaration.ru",
            "st-chs-2019-declaration.en",
            "st-chg-2019-communique.zh"
        ]
    );

    // A new run resumes: what was fetched is only revalidated.
    let (out, s) = fetch(
        d,
        &server,
        &[
            "--only",
            "st-chs-2019-declaration",
            "st-chg-2019-communique",
        ],
    );
    assert!(out.status.success(), "{s:#}");
    assert_eq!(
        (s["fetched"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(4)),
        "{s:#}"
    );
    assert_fetch_dir_consistent(d);
}

#[test]
fn no_network_fails_fast_with_advice() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let out = scoway(data.path())
        .arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .args(["--base-url", &format!("http://127.0.0.1:{port}")])
        .args(["--only", "st-chs-2019-declaration"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach 127.0.0.1: no network?"),
        "{stderr}"
    );
    assert!(stderr.contains("scoway ingest DIR"), "{stderr}");
}

#[test]
fn mirror_map_and_dry_run() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    // Dry run: the plan, nothing on disk, no request.
    let out = scoway(d)
        .arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .args([
            "--dry-run",
            "--lang",
            "zh,ru",
            "--only",
            "st-chs-2019-declaration",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "st-chs-2019-declaration.zh\tzh\thttps://www.fmprc.gov.cn/fmprc/zyxw/t20190614_001.shtml\n\
         st-chs-2019-declaration.ru\tru\thttp://kremlin.ru/kremlin/events/president/news/001\n"
    );
    assert!(!d.join("fetch").exists());

    let map = d.join("mirrors.tsv");
    std::fs::write(
        &map,
        format!(
            "# fixture mirror map\nhttp://www.gov.cn/govcn/\t{}/govcn/\n",
            server.base
        ),
    )
    .unwrap();
    let mut cmd = scoway(d);
    let out = cmd
        .arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .arg("--mirror-map")
        .arg(&map)
        .args([
            "--rate-per-host",
            "0",
            "--json",
            "--only",
            "st-chg-2019-communique",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        item(&s, "st-chg-2019-communique.zh")["request_url"],
        format!("{}/govcn/xinwen/2019-11/02/content_001.htm", server.base)
    );
    assert_eq!(s["fetched"], 1);
    assert_eq!(server.hits("/govcn/xinwen/2019-11/02/content_001.htm"), 1);
}

#[test]
fn catalogue_errors_name_line_and_field() {
    let data = tempfile::tempdir().unwrap();
    let bad = data.path().join("bad.tsv");
    let text = std::fs::read_to_string(catalog()).unwrap();
    std::fs::write(&bad, text.replacen("2019-11-02", "2019-11-31", 1)).unwrap();
    let out = scoway(data.path())
        .args(["catalog", "--catalog"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 4, field `date`: `2019-11-31` is not an ISO date"),
        "{stderr}"
    );
    // The bundled catalogue lists every row, filters work, nothing is created.
    let out = scoway(data.path())
        .args(["catalog", "--body", "chg", "--year", "2018", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["documents"], 1);
    assert_eq!(c["entries"][0]["id"], "chg-2018-communique");
    assert!(!data.path().join("store").exists());
}

/// A server whose every response trickles: the headers at once, then one byte of the body
/// every 300 ms (60 bytes, 18 s in all). Plain TCP, to control each write.
fn start_trickle_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            tx.send(listener.local_addr().expect("local address"))
                .expect("report the address");
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = socket.read(&mut request).await;
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                                Content-Length: 60\r\nConnection: close\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    for _ in 0..60 {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        if socket.write_all(b"x").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    format!("http://{}", rx.recv().expect("the server starts"))
}

#[test]
fn the_timeout_bounds_a_body_that_trickles() {
    let base = start_trickle_server();
    let data = tempfile::tempdir().unwrap();
    let out = scoway(data.path())
        .arg("fetch")
        .arg("--catalog")
        .arg(catalog())
        .args([
            "--catalog-only",
            "--base-url",
            &base,
            "--rate-per-host",
            "0",
        ])
        .args(["--timeout", "2", "--retries", "0", "--json"])
        .args(["--only", "st-chg-2019-communique"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(out.status.code(), Some(1), "{s:#}");
    let i = item(&s, "st-chg-2019-communique.zh");
    assert_eq!(i["outcome"], "failed", "{i:#}");
    // Each byte came well within 2 s: only a limit on the whole response stops it (the
    // body would have ended after 18 s and failed as "implausibly short" instead).
    let error = i["error"].as_str().unwrap();
    assert!(
        error.starts_with("timed out after 2 s with") && error.contains("whole response"),
        "{error}"
    );
    assert_eq!(i["attempts"], 1);
    assert!(
        !data.path().join("store").exists() || {
            let store = DocStore::open(data.path().join("store")).unwrap();
            store.keys().unwrap().is_empty()
        }
    );
}

#[test]
fn a_long_retry_after_is_not_waited_for_and_the_run_moves_on() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let busy = d.join("busy.tsv");
    std::fs::write(
        &busy,
        "# FIXTURE catalogue: a row whose server asks to come back in 27 hours.\n\
         id\tdate\tbody\tmeeting_no\tcity\thost_country\tdoc_type\ttitle_zh\ttitle_en\turl_zh\turl_en\turl_ru\tconfirmed_by\n\
         st-busy\t2019-06-14\tCHS\t\t\t\tdeclaration\t（测试样例）\t\thttp://www.fmprc.gov.cn/busy/retry-after.htm\t\t\tunconfirmed\n",
    )
    .unwrap();
    // Human output: the long wait is refused on stderr; a short Retry-After is announced.
    let out = scoway(d)
        .arg("fetch")
        .arg("--catalog")
        .arg(&busy)
        .arg("--catalog")
        .arg(catalog())
        .args([
            "--catalog-only",
            "--base-url",
            &server.base,
            "--rate-per-host",
            "0",
        ])
        .args(["--only", "st-busy", "st-chs-2018-declaration"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "HTTP 429 Too Many Requests: the server asks to retry after 99999 s, more than the \
             60 s this run waits (--max-retry-after); not retried"
        ),
        "{stderr}"
    );
    assert_eq!(server.hits("/busy/retry-after.htm"), 1, "not retried");
    assert!(
        stderr.contains("waiting 1 s before retrying")
            && stderr.contains("(as the server's Retry-After asks)"),
        "{stderr}"
    );
    // ... and the run moved on to the next document.
    assert!(
        stderr.contains("1 fetched, 0 unchanged, 1 failed"),
        "{stderr}"
    );
    let store = DocStore::open(d.join("store")).unwrap();
    assert_eq!(
        store.keys().unwrap(),
        vec![DocKey::new("st-chs-2018-declaration", Lang::Zh)]
    );
    // A cap of the user's own applies the same way; --max-retry-wait is its other name.
    let (out, s) = fetch(
        d,
        &server,
        &[
            "--max-retry-wait",
            "5",
            "--dry-run",
            "--only",
            "st-chs-2019-declaration",
        ],
    );
    assert!(out.status.success(), "{s:#}");
}

/// A catalogue of a user's own: a 2026 summit (Kyrgyz chairmanship, Bishkek) the bundled
/// catalogue does not have, with a free-text `confirmed_by`, and a row with a broken URL.
fn user_catalogue(dir: &Path) -> PathBuf {
    let path = dir.join("my-rows.tsv");
    std::fs::write(
        &path,
        "# FIXTURE: a user's own rows\n\
         id\tdate\tbody\tmeeting_no\tcity\thost_country\tdoc_type\ttitle_zh\ttitle_en\turl_zh\turl_en\turl_ru\tconfirmed_by\n\
         chs-2026-declaration\t2026-07-05\tCHS\t26\tBishkek\tKyrgyzstan\tdeclaration\t（测试样例）比什凯克宣言\t(Test fixture) Bishkek Declaration\thttps://www.fmprc.gov.cn/fmprc/zh-only.shtml\t\t\tseen on the host's site, July 2026\n\
         chs-2026-statement\t2026-07-05\tCHS\t26\tBishkek\tKyrgyzstan\tstatement\t（测试样例）声明\t\twww.example.org/no-scheme\t\t\tunconfirmed\n",
    )
    .unwrap();
    path
}

#[test]
fn a_user_catalogue_adds_rows_without_editing_the_bundled_one() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let mine = user_catalogue(d);

    // Merged over the bundled rows; the free text is a warning, not an error.
    let out = scoway(d)
        .args(["catalog", "--json", "--catalog"])
        .arg(&mine)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bundled = scoway::corpus::catalog::Catalog::bundled().len() as u64;
    assert_eq!(c["documents"], bundled + 2);
    let warnings = c["warnings"].to_string();
    assert!(
        warnings.contains("line 3, field `confirmed_by`: `seen on the host's site, July 2026`"),
        "{warnings}"
    );
    assert!(warnings.contains("line 4, field `url_zh`"), "{warnings}");
    assert!(stderr.contains("warning: catalogue "), "{stderr}");
    let entry = c["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "chs-2026-declaration")
        .unwrap();
    assert_eq!(entry["city"], "Bishkek");
    assert_eq!(
        entry["confirmed_note"],
        "seen on the host's site, July 2026"
    );

    // --catalog-only: the user's rows alone.
    let c: Value = serde_json::from_slice(
        &scoway(d)
            .args(["catalog", "--json", "--catalog-only", "--catalog"])
            .arg(&mine)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(c["documents"], 2);

    // <data-dir>/catalog.tsv is read without being asked for.
    std::fs::copy(&mine, d.join("catalog.tsv")).unwrap();
    let c: Value = serde_json::from_slice(
        &scoway(d)
            .args(["catalog", "--json", "--year", "2026"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(c["documents"], 2, "{c:#}");

    // Fetching: the new row is fetched and stored with its metadata; the broken URL fails
    // with its file, line and field, and fails only itself.
    let out = scoway(d)
        .arg("fetch")
        .args(["--base-url", &server.base, "--rate-per-host", "0", "--json"])
        .args(["--only", "chs-2026-declaration", "chs-2026-statement"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{s:#}");
    assert_eq!(
        item(&s, "chs-2026-declaration.zh")["outcome"],
        "fetched",
        "{s:#}"
    );
    let broken = item(&s, "chs-2026-statement.zh");
    assert_eq!(broken["outcome"], "failed");
    assert!(
        broken["error"].as_str().unwrap().contains(
            "catalog.tsv, line 4, field `url_zh`: `www.example.org/no-scheme` is not a valid URL"
        ),
        "{broken:#}"
    );
    assert_eq!(broken["attempts"], 0, "nothing was requested");
    let store = DocStore::open(d.join("store")).unwrap();
    let doc = store
        .get(&DocKey::new("chs-2026-declaration", Lang::Zh))
        .unwrap()
        .unwrap();
    assert_eq!(doc.meta.city.as_deref(), Some("Bishkek"));
    assert_eq!(doc.meta.date.to_string(), "2026-07-05");

    // Ingest names a file after the new id: the user's row gives its metadata.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chs-2026-statement.txt");
    std::fs::write(
        &file,
        "（测试样例）各成员国重申上海精神。\n\n（测试样例）第二段。\n",
    )
    .unwrap();
    let out = scoway(d).arg("ingest").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = store
        .get(&DocKey::new("chs-2026-statement", Lang::Zh))
        .unwrap()
        .unwrap();
    assert_eq!(doc.meta.date.to_string(), "2026-07-05");
    assert_eq!(doc.meta.doc_type, "statement");
}

#[test]
fn run_offline_stores_the_pages_fetched_earlier_and_carries_on() {
    let server = Server::start();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    // Pages fetched earlier but never stored (--no-ingest).
    let (out, s) = fetch(
        d,
        &server,
        &["--no-ingest", "--only", "st-chg-2019-communique"],
    );
    assert!(out.status.success(), "{s:#}");
    assert!(
        !d.join("store").exists()
            || DocStore::open(d.join("store"))
                .unwrap()
                .keys()
                .unwrap()
                .is_empty()
    );

    // Now the sources cannot be reached (a refused port stands for no network).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out_parent = tempfile::tempdir().unwrap();
    let out_dir = out_parent.path().join("out");
    let out = scoway(d)
        .arg("run")
        .arg("--catalog")
        .arg(catalog())
        .args([
            "--catalog-only",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .args(["--only", "st-chg-2019-communique", "--no-charts", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("OFFLINE: carrying on with the 1 document(s) already in")
            && stderr.contains("(1 of them stored now from pages fetched earlier)"),
        "{stderr}"
    );
    assert!(!stderr.contains("FIXTURE"), "{stderr}");
    assert!(!out_dir.join("fixture-data").exists());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["corpus"]["documents"], 1);
    assert_eq!(manifest["corpus"]["fixture_documents"], 0);
    assert!(manifest["corpus"]["sha256"]["st-chg-2019-communique.zh"].is_string());
}
