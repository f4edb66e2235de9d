//! `scoway ingest` on hostile and uncommon input: deeply nested HTML, UTF-8 with a few bad
//! bytes, PDF and Word files generated here from our own fixture text.

use crate::common::{scoway, stored_doc, stored_keys};
use std::path::Path;

/// Writes `files` (name, bytes) into a fresh folder.
fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// Runs `scoway ingest DIR --json`, returning the exit code, the parsed report and stderr.
fn ingest_json(data: &Path, dir: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = scoway(data)
        .args(["ingest", dir.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("ingest --json printed no JSON ({e}); stderr:\n{stderr}"));
    (out.status.code(), report, stderr)
}

fn original(data: &Path, key: &str) -> String {
    stored_doc(data, key)["original"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_deeply_nested_page_is_extracted_and_the_rest_of_the_batch_is_stored() {
    let depth = 50_000;
    let mut page = String::from(
        "<html><head><title>Nested fixture page</title>\
         <meta name=\"pubdate\" content=\"2019-06-14\"></head><body>",
    );
    page.push_str(&"<div>".repeat(depth));
    page.push_str("<p>(Test fixture) A paragraph under fifty thousand nested blocks.</p>");
    page.push_str(&"</div>".repeat(depth));
    page.push_str(&"<table><tr><td>".repeat(depth / 10));
    page.push_str("<p>(Test fixture) A paragraph under five thousand nested tables.</p>");
    page.push_str("</body></html>");
    let dir = folder(&[
        ("a-deep.html", page.as_bytes()),
        (
            "b-plain.md",
            "+++\nid = \"plain\"\ndate = 2019-06-14\n+++\n(Test fixture) The file after it."
                .as_bytes(),
        ),
    ]);
    let data = tempfile::tempdir().unwrap();
    let (code, report, stderr) = ingest_json(data.path(), dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["added"], 2, "{report:#}");
    assert_eq!(stored_keys(data.path()), vec!["a-deep.en", "plain.en"]);
    assert_eq!(
        original(data.path(), "a-deep.en"),
        "(Test fixture) A paragraph under fifty thousand nested blocks.\n\n\
         (Test fixture) A paragraph under five thousand nested tables."
    );
}

#[test]
fn utf8_with_a_few_invalid_bytes_is_stored_as_utf8_with_a_warning_naming_the_offsets() {
    let text = "（测试样例）成员国元首重申恪守上海精神，愿在平等互利基础上深化经贸、交通和能源合作。\
                成员国强调，应当加强在信息安全领域的合作，维护地区和平与稳定。";
    let mut bytes = text.as_bytes().to_vec();
    let first = 3 * 10;
    bytes.insert(first, 0xFF);
    let second = bytes.len() - 3 * 8;
    bytes.insert(second, 0xC3);
    let dir = folder(&[
        ("broken.txt", &bytes),
        ("valid.txt", text.as_bytes()),
    ]);
    let data = tempfile::tempdir().unwrap();
    let out = scoway(data.path())
        .args(["ingest", dir.path().to_str().unwrap(), "--date", "2019-06-14"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "broken.txt: invalid UTF-8 at byte offsets {first}, {second} replaced with U+FFFD"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("valid.txt: invalid"), "{stderr}");
    let doc = stored_doc(data.path(), "broken");
    assert_eq!(doc["meta"]["lang"], "zh", "not taken for a Latin text");
    let stored = doc["original"].as_str().unwrap();
    assert_eq!(stored.matches('\u{FFFD}').count(), 2, "{stored}");
    assert_eq!(
        stored.replace('\u{FFFD}', ""),
        text,
        "everything else is the text itself"
    );
}
