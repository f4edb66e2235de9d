//! Integration tests: `scoway serve` as a real process on a free port, over a data directory
//! built from our fixtures (`tests/fixtures/corpus/` and `tests/fixtures/serve/`, texts we
//! wrote), requested with reqwest.

use crate::common::{fixture, run_json, run_ok, scoway};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The document of `tests/fixtures/serve/` in two languages whose text holds markup.
pub const XSS_DOC: &str = "srv-chs-2016-declaration";

/// A data directory with the fixture corpus and the serve fixtures ingested and built, and an
/// export of it; made once per test run (the tests only read it).
pub fn fixture_data() -> &'static (PathBuf, PathBuf) {
    static DATA: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DATA.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-fixture");
        let _ = std::fs::remove_dir_all(&root);
        let (data, out) = (root.join("data"), root.join("out"));
        for dir in ["corpus", "serve"] {
            run_ok(&data, &["ingest", fixture(dir).to_str().unwrap()]);
        }
        run_ok(&data, &["build"]);
        run_ok(&data, &["export", "--out", out.to_str().unwrap()]);
        (data, out)
    })
}

/// A running `scoway serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    stderr: Option<std::process::ChildStderr>,
}

impl Server {
    /// Starts `scoway --data-dir DATA serve --port 0 EXTRA...` and reads the address it prints.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut cmd = scoway(data);
        cmd.args(["serve", "--port", "0"]).args(extra);
        Server::spawn(cmd)
    }

    /// Starts `cmd` (a `scoway ... serve` command) and reads the address it prints.
    pub fn spawn(mut cmd: std::process::Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("scoway serve starts");
        let mut line = String::new();
        let read =
            BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line);
        let mut stderr = child.stderr.take();
        if read.is_err() || !line.starts_with("http://") {
            let mut err = String::new();
            if let Some(s) = stderr.as_mut() {
                let _ = child.kill();
                let _ = s.read_to_string(&mut err);
            }
            panic!("scoway serve printed no address (stdout {line:?}); stderr:\n{err}");
        }
        Server {
            child,
            url: line.trim().trim_end_matches('/').to_string(),
            stderr,
        }
    }

    /// Starts a server over the shared fixture data, offering its export.
    pub fn fixture() -> Server {
        let (data, out) = fixture_data();
        Server::start(data, &["--exports", out.to_str().unwrap()])
    }

    pub fn get(&self, path_and_query: &str) -> reqwest::blocking::Response {
        client()
            .get(format!("{}{path_and_query}", self.url))
            .send()
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
    }

    /// GET, expecting 200, the body as text.
    pub fn page(&self, path_and_query: &str) -> String {
        let r = self.get(path_and_query);
        let status = r.status();
        let body = r.text().expect("body is text");
        assert_eq!(status, 200, "GET {path_and_query}:\n{body}");
        body
    }

    /// GET with `format=json`, expecting 200, the body parsed.
    pub fn json(&self, path_and_query: &str) -> Value {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let body = self.page(&format!("{path_and_query}{sep}format=json"));
        serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{path_and_query}: not JSON ({e}):\n{body}"))
    }

    /// Stops the server and returns what it wrote on stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut s) = self.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// Every file below `dir` with its size and modification time, sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let m = e.metadata().expect("metadata");
            (
                e.path().to_path_buf(),
                m.len(),
                m.modified().expect("mtime"),
            )
        })
        .collect();
    out.sort();
    out
}

fn hits(v: &Value) -> Vec<(String, String)> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["lang"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_json_twin_is_the_cli_json() {
    let (data, _) = fixture_data();
    let server = Server::fixture();

    let web = server.json("/search?q=%E4%B8%89%E8%82%A1%E5%8A%BF%E5%8A%9B");
    let cli = run_json(data, &["search", "三股势力", "--limit", "20", "--json"]);
    assert_eq!(web["total"], cli["total"]);
    assert!(
        cli["total"].as_u64().unwrap() >= 2,
        "the fixtures match: {cli}"
    );
    assert_eq!(hits(&web), hits(&cli));
    assert_eq!(web["hits"][0]["snippets"], cli["hits"][0]["snippets"]);

    let web = server.json(&format!("/doc/{XSS_DOC}?lang=zh"));
    let cli = run_json(data, &["code", "--doc", XSS_DOC, "--lang", "zh", "--json"]);
    assert_eq!(web, cli);

    let web = server.json("/kwic?term=%E4%B8%BB%E6%9D%83&sort=doc");
    let cli = run_json(
        data,
        &["kwic", "主权", "--window", "30", "--sort", "doc", "--json"],
    );
    assert_eq!(web["total"], cli["total"]);
    let n = web["lines"].as_array().unwrap().len();
    assert!(n > 0);
    assert_eq!(
        web["lines"].as_array().unwrap()[..],
        cli["lines"].as_array().unwrap()[..n]
    );

    for (query, args) in [
        ("", vec![]),
        ("?body=CHS&lang=zh", vec!["--body", "CHS", "--lang", "zh"]),
        ("?by=meeting", vec!["--by", "meeting"]),
    ] {
        let web = server.json(&format!("/trends{query}"));
        let mut all = vec!["trends", "--format", "json"];
        all.extend(args);
        let out = run_ok(data, &all);
        let cli: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(web, cli, "/trends{query}");
    }

    let codebook = server.json("/codebook");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(data.join("codes/manifest.json")).unwrap()).unwrap();
    assert_eq!(codebook["hash"], manifest["codebook_hash"]);
    assert_eq!(codebook["dimensions"].as_array().unwrap().len(), 5);

    let terms = server.json("/terms");
    let found = terms["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == "三股势力")
        .expect("三股势力 is a codebook term");
    assert!(found["hits"].as_u64().unwrap() > 0, "{found}");
}

#[test]
fn pages_show_hits_documents_versions_and_charts() {
    let server = Server::fixture();
    let search = server.page("/search?q=%E4%B8%89%E8%82%A1%E5%8A%BF%E5%8A%9B&body=CHS");
    assert!(
        search.contains(&format!("href=\"/doc/{XSS_DOC}?lang=zh#p")),
        "{search}"
    );
    assert!(
        search.contains("<mark class=\"hl\">"),
        "snippets are highlighted"
    );

    let doc = server.page(&format!("/doc/{XSS_DOC}"));
    assert!(doc.contains("id=\"p1\""), "paragraph anchors");
    assert!(
        doc.contains("class=\"ev d0\""),
        "security evidence in its colour:\n{doc}"
    );
    assert!(
        doc.contains("title=\"security_spillover: core_security, weight"),
        "hover"
    );
    assert!(doc.contains("Ташкентская"), "the Russian version beside it");
    assert!(doc.contains("/export/evidence.csv"), "export files offered");

    let trends = server.page("/trends");
    assert!(
        trends.matches("<svg").count() >= 5,
        "one chart per dimension"
    );
    assert!(trends.contains("href=\"/trends/security_spillover/2016?body=all&amp;lang=all\""));
    assert!(
        trends.contains(
            "<a href=\"/trends/recognition/2016?body=all&amp;lang=all\" data-year=\"2016\"><rect"
        ),
        "the year's column in the chart is a link"
    );
    let year = server.page("/trends/security_spillover/2016");
    assert!(
        year.contains(&format!("/doc/{XSS_DOC}?lang=zh#p")),
        "{year}"
    );
    assert!(year.contains("class=\"ev d0\""));
    let year_json = server.json("/trends/security_spillover/2016");
    assert!(year_json["total"].as_u64().unwrap() >= 1);
    assert!(
        !year_json["paragraphs"][0]["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    for path in [
        "/kwic?term=%E4%B8%BB%E6%9D%83",
        "/terms",
        "/codebook",
        "/",
        "/kwic",
        "/search",
    ] {
        let page = server.page(path);
        assert!(page.starts_with("<!DOCTYPE html>"), "{path}");
    }
    let css = server.get("/static/scoway.css");
    assert_eq!(css.status(), 200);
    let csv = server.get("/export/evidence.csv");
    assert_eq!(csv.status(), 200);
    assert!(csv.text().unwrap().starts_with("doc_id"));
}

#[test]
fn document_text_is_shown_as_text_never_as_markup() {
    let server = Server::fixture();
    for path in [
        format!("/doc/{XSS_DOC}?lang=zh"),
        format!("/doc/{XSS_DOC}?lang=ru"),
        "/search?q=onerror".to_string(),
        "/search?q=%E6%B5%8B%E8%AF%95%E6%AE%B5%E8%90%BD".to_string(),
        "/kwic?term=alert".to_string(),
        "/search?q=img%20onerror%20alert".to_string(),
    ] {
        let page = server.page(&path);
        assert!(
            !page.contains("<script"),
            "{path}: a script element:\n{page}"
        );
        assert!(!page.contains("<img"), "{path}: an img element");
    }
    let doc = server.page(&format!("/doc/{XSS_DOC}?lang=zh"));
    assert!(
        doc.contains("&lt;script&gt;alert(&quot;serve-xss&quot;)&lt;/script&gt;"),
        "{doc}"
    );
    assert!(doc.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // The query is echoed in the error too, escaped.
    let r = server.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(r.status(), 400);
    let body = r.text().unwrap();
    assert!(
        !body.contains("<script") && body.contains("&lt;script&gt;alert(1)"),
        "{body}"
    );
    let r = server.get("/search");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[test]
fn bad_requests_are_refused_with_clear_messages() {
    let server = Server::fixture();
    let long = "x".repeat(301);
    for (path, status, message) in [
        (
            format!("/search?q={long}"),
            400,
            "longer than 300 characters",
        ),
        (
            "/search?q=a&page=51".to_string(),
            400,
            "page number from 1 to 50",
        ),
        ("/search?q=a&from=20x1".to_string(), 400, "parameter `from`"),
        ("/search?q=%22unclosed".to_string(), 400, "invalid query"),
        ("/search?q=a&lang=fr".to_string(), 400, "unknown language"),
        (
            "/search?q=a&format=xml".to_string(),
            400,
            "not html or json",
        ),
        (
            "/doc/..%2F..%2Fetc%2Fpasswd".to_string(),
            400,
            "invalid document id",
        ),
        ("/doc/.LAYOUT".to_string(), 400, "invalid document id"),
        (format!("/doc/{XSS_DOC}?lang=en"), 404, "no version in en"),
        ("/doc/no-such-doc".to_string(), 404, "no document"),
        (
            "/kwic?term=a&sort=size".to_string(),
            400,
            "not one of date, doc",
        ),
        ("/trends?body=XYZ".to_string(), 400, "parameter `body`"),
        ("/trends/nothing/2016".to_string(), 404, "no dimension"),
        ("/trends/recognition/99999".to_string(), 400, "not a year"),
        (
            "/export/..%2Fdata%2Fstore%2FLAYOUT".to_string(),
            404,
            "no export file",
        ),
        (
            "/export/manifest.json/../../data/LAYOUT".to_string(),
            404,
            "no",
        ),
        ("/no-such-page".to_string(), 404, "no such page"),
    ] {
        let r = server.get(&path);
        assert_eq!(r.status().as_u16(), status, "{path}");
        let body = r.text().unwrap();
        assert!(body.contains(message), "{path}: {body}");
    }
    // Odd input is a 4xx answer, never a failure of the server.
    let long_id = "a".repeat(300);
    for path in [
        "/search?q=%FF%FE".to_string(),
        "/doc/%FF".to_string(),
        "/doc/%00".to_string(),
        format!("/doc/{long_id}"),
        // Only punctuation: nothing to look for (的, a stopword, is found literally now).
        "/kwic?term=%EF%BC%8C".to_string(),
        "/kwic?term=a&page=0".to_string(),
        "/trends/recognition/-1".to_string(),
        "/search?q=a&page=99999999999999999999999".to_string(),
        "/search?q=a&to=2001&from=2010".to_string(),
    ] {
        let status = server.get(&path).status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
    }
    let r = server.get("/search?q=%22unclosed&format=json");
    assert_eq!(r.status(), 400);
    let v: Value = r.json().expect("a JSON error for a JSON request");
    assert!(
        v["error"].as_str().unwrap().contains("invalid query"),
        "{v}"
    );
}

#[test]
fn serving_never_writes_to_the_data_directory() {
    // A data directory of its own: the CLI commands of the other tests take tantivy's lock.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    run_ok(data, &["ingest", fixture("serve").to_str().unwrap()]);
    run_ok(data, &["build"]);
    // A fetch record for one version (as `scoway fetch` writes them): its page shows it.
    std::fs::create_dir_all(data.join("fetch/raw")).unwrap();
    std::fs::write(data.join("fetch/raw/srv.html"), "<p>raw</p>").unwrap();
    let record = serde_json::json!({
        "doc_id": "srv-chs-2016-declaration.zh", "id": "srv-chs-2016-declaration", "lang": "zh",
        "url": "https://example.org/srv", "request_url": "https://example.org/srv",
        "final_url": "https://example.org/srv-final", "status": 200, "outcome": "fetched",
        "attempts": 1, "sha256": "0123456789abcdef", "bytes": 10, "file": "raw/srv.html",
        "headers": {}, "fetched_at": "2026-12-01T10:00:00Z", "tool": "scoway test",
    });
    std::fs::write(data.join("fetch/provenance.jsonl"), format!("{record}\n")).unwrap();
    let before = tree(data);
    let server = Server::start(data, &[]);
    let doc = server.page("/doc/srv-chs-2016-declaration?lang=zh");
    assert!(
        doc.contains("href=\"https://example.org/srv-final\""),
        "provenance shown"
    );
    assert!(doc.contains("2026-12-01T10:00:00Z · HTTP 200 · 10 bytes · fetched"));
    assert!(
        doc.contains("the stored text is not from these bytes"),
        "hashes compared"
    );
    for path in [
        "/search?q=%E5%AE%89%E5%85%A8",
        "/doc/srv-chs-2016-declaration?lang=ru",
        "/trends/recognition/2016",
        "/kwic?term=%E5%AE%89%E5%85%A8",
        "/trends",
        "/terms",
        "/codebook",
    ] {
        server.page(path);
    }
    server.stop();
    let after = tree(data);
    // Folders' times included: a lock file made and removed again would show.
    assert_eq!(before, after, "the data directory changed");
}

#[test]
fn the_address_is_printed_and_other_binds_are_warned_about() {
    let (data, _) = fixture_data();
    // `--open` without any xdg-open on the PATH still serves.
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = scoway(data);
    cmd.env("PATH", empty.path())
        .args(["serve", "--port", "0", "--bind", "0.0.0.0", "--open"]);
    let server = Server::spawn(cmd);
    assert!(server.url.starts_with("http://0.0.0.0:"), "{}", server.url);
    let port = server.url.rsplit(':').next().unwrap().to_string();
    let local = client()
        .get(format!("http://127.0.0.1:{port}/codebook"))
        .send()
        .unwrap();
    assert_eq!(local.status(), 200);
    let stderr = server.stop();
    assert!(
        stderr.contains("warning: listening on 0.0.0.0 (not a loopback address)"),
        "{stderr}"
    );

    let loopback = Server::start(data, &[]);
    assert!(loopback.url.starts_with("http://127.0.0.1:"));
    assert!(!loopback.stop().contains("warning"));
}

#[test]
fn a_data_directory_without_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &["ingest", fixture("serve").to_str().unwrap()]);
    let out = scoway(dir.path())
        .args(["serve", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run `scoway build` first"), "{err}");
    assert!(!dir.path().join("index").exists(), "nothing created");
}
