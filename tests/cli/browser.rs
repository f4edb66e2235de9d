//! Browser tests: headless Chromium, driven through chromedriver, on `scoway serve` over the
//! fixture corpus. Screenshots are saved to `target/browser-screenshots/`.

use crate::serve::{Server, XSS_DOC};
use crate::webdriver::{Browser, browser_or_skip, poll};
use serde_json::json;
use std::time::Duration;

/// One session walks the pages as a reader would: search, follow a hit, read its evidence,
/// look at the trends and open a year.
#[test]
fn a_reader_searches_follows_a_hit_and_reads_the_trends() {
    if !browser_or_skip() {
        return;
    }
    let server = Server::fixture();
    let browser = Browser::start();

    browser.goto(&format!("{}/search", server.url));
    let sheets = browser.script("return document.styleSheets[0].cssRules.length;", json!([]));
    assert!(
        sheets.as_u64().unwrap_or(0) > 10,
        "our stylesheet loads under the CSP"
    );
    browser.find("#q").type_text("三股势力");
    browser.find("#go").click();
    let total = browser.find("#total").text();
    assert!(total.contains("match"), "{total}");
    let snippet_marks = browser.find_all("li.hit mark.hl");
    assert!(!snippet_marks.is_empty(), "highlighted snippets");
    assert!(
        browser.current_url().contains("q=%E4%B8%89"),
        "{}",
        browser.current_url()
    );
    browser.screenshot("search");

    // Follow the serve fixture's hit to its paragraph.
    let link = browser.find(&format!(
        "li.hit .snippet a[href^=\"/doc/{XSS_DOC}?lang=zh#p\"]"
    ));
    let anchor = link.attribute("href").unwrap();
    link.click();
    let url = poll(Duration::from_secs(20), || {
        Some(browser.current_url()).filter(|u| u.contains("/doc/"))
    })
    .expect("the hit opens its document");
    assert!(url.ends_with(&anchor), "{url} vs {anchor}");
    let fragment = anchor.rsplit('#').next().unwrap().to_string();
    let target = browser.find(&format!("#{fragment}"));
    assert!(
        target.css("outline-style") == "solid",
        "the linked paragraph is the target"
    );

    let marks = browser.find_all("section.version.main mark.ev");
    assert!(marks.len() >= 3, "evidence marked: {}", marks.len());
    let security = browser.find("section.version.main mark.ev.d0");
    let hover = security.attribute("title").unwrap();
    assert!(
        hover.contains("security_spillover: core_security, weight"),
        "{hover}"
    );
    let colour = security.css("border-bottom-color");
    assert!(
        colour.starts_with("rgb") && colour.contains("31, 119, 180"),
        "security evidence in its dimension's colour: {colour}"
    );
    // The markup in the text is text: no script ran, no image was made from it.
    let injected = browser.script(
        "return [document.querySelectorAll('main script, main img').length, document.body.innerText.includes('<script>alert(\"serve-xss\")</script>')];",
        json!([]),
    );
    assert_eq!(injected, json!([0, true]));
    assert!(
        !browser.find_all("section.version.other").is_empty(),
        "the Russian version beside it"
    );
    browser.screenshot("doc");

    browser.goto(&format!("{}/trends", server.url));
    let charts = browser.find_all("section.trend .chart svg");
    assert_eq!(charts.len(), 5, "one chart per dimension");
    let lines = browser.script(
        "return document.querySelectorAll('section.trend .chart svg polyline, section.trend .chart svg path').length;",
        json!([]),
    );
    assert!(
        lines.as_u64().unwrap_or(0) > 5,
        "the charts draw lines: {lines}"
    );
    browser.screenshot("trends");
    // A year's column in the chart is a link (the years under it are too).
    browser
        .find("#dim-security_spillover svg a[data-year=\"2016\"] rect")
        .click();
    browser.find("#total");
    assert!(
        browser
            .current_url()
            .contains("/trends/security_spillover/2016")
    );
    assert!(
        !browser.find_all(".para mark.ev.d0").is_empty(),
        "the year's evidence"
    );
    browser.screenshot("trend-year");

    for (path, name) in [
        ("/kwic?term=%E4%B8%BB%E6%9D%83", "kwic"),
        ("/terms", "terms"),
        ("/codebook", "codebook"),
    ] {
        browser.goto(&format!("{}{path}", server.url));
        let h1 = browser.find("h1").text();
        assert!(!h1.is_empty(), "{path}");
        browser.screenshot(name);
    }
    assert!(
        browser.find("#hash").text().len() == 64,
        "the codebook hash"
    );
    browser.goto(&format!("{}/kwic?term=%E4%B8%BB%E6%9D%83", server.url));
    browser.find("table.kwic tr a").click();
    let url = poll(Duration::from_secs(20), || {
        Some(browser.current_url()).filter(|u| u.contains("/doc/"))
    })
    .expect("a KWIC line opens its paragraph");
    assert!(url.contains("#p"), "{url}");
}
