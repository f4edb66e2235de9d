//! Main-text extraction from HTML pages.
//!
//! [`extract`] keeps the paragraph structure of a page's main text (one entry per `<p>`, block
//! element or `<br>`-separated line) and drops scripts, styles, navigation, headers and
//! footers, share buttons and editor lines (责任编辑 …). It also reads the page's own title and
//! date when present.
//!
//! Known sites get a rule of CSS selectors (fmprc.gov.cn / mfa.gov.cn, gov.cn,
//! news.cn / xinhuanet.com, people.com.cn, sectsco.org, kremlin.ru). Every other page, and a
//! known site whose rule finds nothing (templates change), goes through a generic main-content
//! finder: the block that holds the most non-link text, with its sizeable siblings.

use chrono::NaiveDate;
use ego_tree::{NodeId, NodeRef};
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashMap;
use std::sync::LazyLock;

/// What [`extract`] found in a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// The page's own title of the document (site rule, `og:title`, `<h1>` or `<title>`).
    pub title: Option<String>,
    /// The page's own publication date (site rule, meta tags, `<time>`, or the URL).
    pub date: Option<NaiveDate>,
    /// Main-text paragraphs, in page order, whitespace-collapsed, none empty.
    pub paragraphs: Vec<String>,
    /// Name of the rule that found the text: a site name, or `"generic"` for the fallback.
    pub site: &'static str,
    /// Tags nested deeper than [`MAX_NESTING`] that were read as line breaks (0 on any
    /// ordinary page).
    pub capped_tags: usize,
}

impl Extracted {
    /// The paragraphs joined by blank lines (the form the document store keeps).
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    /// Number of non-whitespace characters in the main text.
    pub fn text_chars(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
            .sum()
    }
}

/// CSS selectors for one site. Selectors are tried in order; the first that matches an
/// element with enough text wins.
struct SiteRule {
    name: &'static str,
    /// Host names this rule applies to (the host itself or any subdomain).
    hosts: &'static [&'static str],
    content: &'static [&'static str],
    title: &'static [&'static str],
    date: &'static [&'static str],
}

/// Site rules. The selectors follow the templates these sites have used over the years (old
/// and new templates side by side); the generic finder covers templates not listed here.
const SITE_RULES: &[SiteRule] = &[
    SiteRule {
        name: "fmprc",
        hosts: &["fmprc.gov.cn", "mfa.gov.cn"],
        content: &["#News_Body_Txt_A", ".content_text", "#Zoom", ".TRS_Editor"],
        title: &["#News_Body_Title", ".news-title h1", ".news-title", "h1"],
        date: &["#News_Body_Time", ".news-info .time", ".time span", ".time"],
    },
    SiteRule {
        name: "gov.cn",
        hosts: &["gov.cn"],
        content: &[
            "#UCAP-CONTENT",
            ".pages_content",
            ".trs_editor_view",
            ".TRS_Editor",
            ".article-content",
        ],
        title: &[".article h1", ".pages-title", "#ti", "h1"],
        date: &[".pages-date", ".article .time", ".pages_print .font"],
    },
    SiteRule {
        name: "xinhua",
        hosts: &["news.cn", "xinhuanet.com"],
        content: &[
            "#detail",
            "#p-detail",
            "#detailContent",
            ".main-aticle",
            "#Content",
            "#content",
        ],
        title: &[
            ".head-line .title",
            ".h-title",
            "#title",
            "#conTit h1",
            "h1",
        ],
        date: &[
            ".header-time",
            ".h-time",
            "#pubtime",
            ".info .time",
            ".time",
        ],
    },
    SiteRule {
        name: "people",
        hosts: &["people.com.cn", "people.cn"],
        content: &[
            "#rm_txt_zw",
            ".rm_txt_con",
            "#rwb_zw",
            "#p_content",
            ".show_text",
            ".box_con",
            ".text_con",
        ],
        title: &[".rm_txt h1", ".text_c h1", "#p_title", "h1"],
        date: &[
            ".channel .col-1-1",
            ".col-1-1",
            ".box01 .fl",
            "#p_publishtime",
            ".sou",
        ],
    },
    SiteRule {
        name: "sectsco",
        hosts: &["sectsco.org"],
        content: &[
            ".news_text",
            ".news-text",
            ".article__text",
            ".article-text",
            ".news-detail__content",
            ".text-content",
        ],
        title: &[".news_title", ".news-title", "h1"],
        date: &[".news_date", ".news-date", "time", ".date"],
    },
    SiteRule {
        name: "kremlin",
        hosts: &["kremlin.ru"],
        content: &[
            ".read__internal_content",
            ".entry-content",
            ".read__content",
            "[itemprop=articleBody]",
        ],
        title: &["h1.entry-title", ".read__title", "h1"],
        date: &["time.read__published", ".read__published", "time"],
    },
];

/// Content selectors too common to identify a site by markup alone (used only when the URL
/// names the site).
const COMMON_SELECTORS: &[&str] = &[
    "#content",
    "#Content",
    ".TRS_Editor",
    ".article-content",
    ".box_con",
    ".text_con",
    ".show_text",
    ".content_text",
    ".text-content",
    ".article-text",
    ".entry-content",
    "[itemprop=articleBody]",
];

/// Selectors of a rule, parsed once.
struct ParsedRule {
    rule: &'static SiteRule,
    content: Vec<Selector>,
    /// The content selectors distinctive enough to recognise the site without its URL.
    markers: Vec<Selector>,
    title: Vec<Selector>,
    date: Vec<Selector>,
}

fn parse_all(list: &[&str]) -> Vec<Selector> {
    // The selectors are constants; a typo is caught by the `site_selectors_parse` test.
    list.iter()
        .filter_map(|s| Selector::parse(s).ok())
        .collect()
}

static RULES: LazyLock<Vec<ParsedRule>> = LazyLock::new(|| {
    SITE_RULES
        .iter()
        .map(|rule| ParsedRule {
            rule,
            content: parse_all(rule.content),
            markers: parse_all(
                &rule
                    .content
                    .iter()
                    .copied()
                    .filter(|s| !COMMON_SELECTORS.contains(s))
                    .collect::<Vec<_>>(),
            ),
            title: parse_all(rule.title),
            date: parse_all(rule.date),
        })
        .collect()
});

/// The name of the site rule for `url`, if any.
pub fn site_for_url(url: &str) -> Option<&'static str> {
    rule_for_url(url).map(|r| r.rule.name)
}

fn rule_for_url(url: &str) -> Option<&'static ParsedRule> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    RULES.iter().find(|r| {
        r.rule
            .hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    })
}

/// A site rule's content must hold at least this many non-whitespace characters to be used;
/// a shorter match is usually an empty template slot, and the generic finder does better.
const MIN_RULE_CHARS: usize = 20;

/// Extracts the main text, title and date of an HTML page.
///
/// `url` selects a site rule (by host). Without a URL, the site rules are tried by their
/// selectors, then the generic finder.
pub fn extract(html: &str, url: Option<&str>) -> Extracted {
    let (html, capped_tags) = cap_nesting(html, MAX_NESTING);
    let doc = Html::parse_document(&html);
    // A saved page usually names its own address; it picks the site rule as a URL would.
    let own_url = url.is_none().then(|| page_url(&doc)).flatten();
    let url = url.or(own_url.as_deref());
    let url_rule = url.and_then(rule_for_url);

    // The URL names the site; without one, a rule whose distinctive markup is on the page.
    let found = match (url, url_rule) {
        (_, Some(r)) => rule_content(&doc, &r.content).map(|p| (p, r)),
        (None, None) => RULES
            .iter()
            .find_map(|r| rule_content(&doc, &r.markers).map(|p| (p, r))),
        (Some(_), None) => None,
    };
    let rule = url_rule.or(found.as_ref().map(|(_, r)| *r));

    let title = rule
        .and_then(|r| first_text(&doc, &r.title))
        .or_else(|| generic_title(&doc));
    let date = rule
        .and_then(|r| first_date(&doc, &r.date))
        .or_else(|| meta_date(&doc))
        .or_else(|| time_element_date(&doc))
        .or_else(|| url.and_then(date_in_url));

    let (mut paragraphs, site) = match found {
        Some((paragraphs, r)) => (paragraphs, r.rule.name),
        None => (generic_content(&doc), "generic"),
    };

    // Many templates repeat the title as the first line of the text.
    if let (Some(t), Some(first)) = (&title, paragraphs.first())
        && squash(t) == squash(first)
    {
        paragraphs.remove(0);
    }
    // A rule-less date line such as "2019-06-14 22:34" belongs to the page header.
    paragraphs.retain(|p| !DATE_LINE.is_match(p));

    Extracted {
        title,
        date,
        paragraphs,
        site,
        capped_tags,
    }
}

/// How deep elements may nest before [`extract`] reads further tags as line breaks. Browsers
/// bound the tree their parser builds in the same way (Blink at 512 levels); no real page
/// comes near it. Without a bound, a page of 50,000 nested `<div>`s takes the HTML parser
/// minutes: every new element makes it look through all the open ones.
pub const MAX_NESTING: usize = 512;

/// Elements without content or without a required end tag: they do not count towards the
/// nesting depth (a page of 5,000 unclosed `<li>` is not deep).
fn is_uncounted(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rtc"
            | "rp"
            | "html"
            | "head"
            | "body"
    )
}

/// Elements whose content is raw text, where a `<` starts no tag.
fn is_raw_text(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
    )
}

/// Replaces the tags nested deeper than `max` levels by `<br>` (block elements) or nothing
/// (inline ones), in one pass over the source; returns the source and the number of tags
/// replaced. The depth is estimated from start and end tags, as a bound, not a parse.
fn cap_nesting(html: &str, max: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let (mut depth, mut suppressed, mut capped) = (0usize, 0usize, 0usize);
    // Depth inside <svg> and <math>, where `/>` closes an element.
    let mut foreign = 0usize;
    // Start of the source not yet copied to `out`.
    let mut copied = 0;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(bytes.len(), |e| start + e + 3);
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = start + if closing { 2 } else { 1 };
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let end = tag_end(bytes, name_start + name_len);
        let self_closing = end >= 2 && bytes[end - 2] == b'/';
        i = end;
        if !closing && is_raw_text(&name) {
            // Skip the element's content, which is not markup, and its end tag.
            let close = end_tag_at(bytes, end, name.as_bytes());
            i = if close < bytes.len() {
                tag_end(bytes, close + 2)
            } else {
                bytes.len()
            };
            continue;
        }
        if name == "svg" || name == "math" {
            if closing {
                foreign = foreign.saturating_sub(1);
            } else if !self_closing {
                foreign += 1;
            }
        }
        // `<div/>` opens a div in HTML (the slash means nothing there); only in SVG and
        // MathML does it close the element.
        if is_uncounted(&name) || (self_closing && foreign > 0) {
            continue;
        }
        let drop = if closing {
            if suppressed > 0 {
                suppressed -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= max {
            suppressed += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            capped += 1;
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..start]);
            if is_block(&name) {
                o.push_str("<br>");
            }
            copied = end;
        }
    }
    match out {
        None => (std::borrow::Cow::Borrowed(html), 0),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            (std::borrow::Cow::Owned(o), capped)
        }
    }
}

/// Where the next `</name` (any case) starts, from `from` on, or the end of the source.
fn end_tag_at(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(offset) = bytes[i..].windows(2).position(|w| w == b"</") {
        let at = i + offset;
        let candidate = &bytes[at + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            return at;
        }
        i = at + 2;
    }
    bytes.len()
}

/// The index just past the `>` that closes the tag whose attributes start at `from` (quoted
/// attribute values may hold `>`), or the end of the source.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

static CANONICAL: LazyLock<Option<Selector>> =
    LazyLock::new(|| Selector::parse("link[rel=canonical]").ok());

/// The page's own absolute address, from `<link rel="canonical">` or `og:url`.
fn page_url(doc: &Html) -> Option<String> {
    CANONICAL
        .as_ref()
        .and_then(|sel| doc.select(sel).find_map(|l| l.attr("href")))
        .map(str::trim)
        .map(str::to_string)
        .or_else(|| meta_content(doc, &["og:url"]))
        .filter(|u| url::Url::parse(u).is_ok())
}

fn rule_content(doc: &Html, selectors: &[Selector]) -> Option<Vec<String>> {
    for sel in selectors {
        for el in doc.select(sel) {
            let paragraphs = paragraphs_of(&[*el]);
            let chars: usize = paragraphs
                .iter()
                .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
                .sum();
            if chars >= MIN_RULE_CHARS {
                return Some(paragraphs);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Which elements to drop, and which break paragraphs.

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "blockquote"
            | "pre"
            | "center"
            | "address"
            | "hr"
            | "body"
            | "html"
    )
}

fn is_skipped_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "button"
            | "select"
            | "option"
            | "textarea"
            | "input"
            | "label"
            | "head"
            | "title"
            | "figure"
            | "figcaption"
            | "video"
            | "audio"
    )
}

/// Class and id words (split at `-`, `_` and spaces) that mark page furniture.
fn is_furniture_word(word: &str) -> bool {
    matches!(
        word,
        "share"
            | "sharing"
            | "bshare"
            | "bdshare"
            | "social"
            | "nav"
            | "navbar"
            | "menu"
            | "breadcrumb"
            | "breadcrumbs"
            | "crumb"
            | "crumbs"
            | "header"
            | "footer"
            | "foot"
            | "sidebar"
            | "related"
            | "recommend"
            | "comment"
            | "comments"
            | "tools"
            | "toolbar"
            | "ad"
            | "ads"
            | "advert"
            | "copyright"
            | "pager"
            | "pagination"
            | "zrbj"
            | "editor-name"
            | "fontzoom"
            | "fontsize"
            | "qrcode"
            | "ewm"
            | "tooltip"
            | "popup"
            | "popover"
    )
}

fn is_furniture(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some()
        || el.attr("aria-hidden") == Some("true")
        || el.attr("style").is_some_and(|s| {
            s.replace(' ', "")
                .to_ascii_lowercase()
                .contains("display:none")
        })
    {
        return true;
    }
    let mut words = el.classes().chain(el.id());
    words.any(|name| {
        let lower = name.to_ascii_lowercase();
        lower.contains("share")
            || lower.contains("breadcrumb")
            || lower
                .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
                .any(is_furniture_word)
    })
}

fn skipped(el: &scraper::node::Element) -> bool {
    is_skipped_tag(el.name()) || is_furniture(el)
}

// ---------------------------------------------------------------------------------------
// Paragraphs of a subtree.

/// Collects the paragraphs under `roots`, in order: a block element or `<br>` ends a
/// paragraph; furniture is skipped; boilerplate lines and lines of links are dropped.
fn paragraphs_of(roots: &[NodeRef<'_, Node>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = Pending::default();
    for root in roots {
        // A chosen container is text even if its class looks like furniture.
        collect(*root, &mut buf, &mut out);
        buf.flush(&mut out);
    }
    out
}

/// The text of the paragraph being collected, and how much of it is link text.
#[derive(Default)]
struct Pending {
    text: String,
    chars: usize,
    link_chars: usize,
}

/// A line whose text is more than this share of link text is navigation (a pager, a
/// breadcrumb, related links, share buttons), not the article.
const MAX_LINK_SHARE: f64 = 0.7;

impl Pending {
    fn push(&mut self, text: &str, in_link: bool) {
        // Letters and digits only: the brackets and arrows around links (【打印】, » ) are
        // neither text nor link.
        let n = text.chars().filter(|c| c.is_alphanumeric()).count();
        self.chars += n;
        if in_link {
            self.link_chars += n;
        }
        self.text.push_str(text);
    }

    fn flush(&mut self, out: &mut Vec<String>) {
        if self.text.is_empty() {
            return;
        }
        let links = self.link_chars as f64 > MAX_LINK_SHARE * self.chars as f64;
        let p = collapse_whitespace(&self.text);
        *self = Pending::default();
        if !p.is_empty() && !links && !is_boilerplate(&p) {
            out.push(p);
        }
    }
}

/// One step of the walk over a subtree: entering a node (inside a link or not), or leaving
/// a block element (which ends its paragraph).
enum Step<'a> {
    Enter(NodeRef<'a, Node>, bool),
    LeaveBlock,
}

/// Walks the subtree of `root` with an explicit stack, not recursion: a page of 50,000 nested
/// `<div>`s must not overflow the thread's stack.
fn collect(root: NodeRef<'_, Node>, buf: &mut Pending, out: &mut Vec<String>) {
    let mut stack = vec![Step::Enter(root, false)];
    while let Some(step) = stack.pop() {
        let (node, in_link) = match step {
            Step::Enter(node, in_link) => (node, in_link),
            Step::LeaveBlock => {
                buf.flush(out);
                continue;
            }
        };
        match node.value() {
            Node::Text(t) => buf.push(t, in_link),
            Node::Element(el) => {
                if node.id() != root.id() && skipped(el) {
                    continue;
                }
                let tag = el.name();
                if tag == "br" {
                    buf.flush(out);
                    continue;
                }
                if is_block(tag) {
                    buf.flush(out);
                    stack.push(Step::LeaveBlock);
                }
                let in_link = in_link || tag == "a";
                stack.extend(node.children().rev().map(|c| Step::Enter(c, in_link)));
            }
            _ => {}
        }
    }
}

/// Characters between which a line break in the HTML source is not a space: Chinese and
/// Japanese text has no spaces between words.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF      // CJK radicals, punctuation, kana, ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // vertical forms
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x3FFFF) // extension ideographs
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// Collapses each run of whitespace to one space, or to nothing between two wide (CJK)
/// characters, and trims the ends (including ideographic-space indentation).
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            pending_space = prev.is_some();
            continue;
        }
        if pending_space {
            let between_wide = prev.is_some_and(is_wide) && is_wide(c);
            if !between_wide {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

static BOILERPLATE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Editor, source and reporter lines.
        r"^[\[【(（]?\s*(责任编辑|责编|编辑|审核|校对|来源|稿源|作者|记者|摄影|制图|监制)\s*[:：]",
        r"^[\[【(（]?\s*(责任编辑|责编)\s*\S{0,12}[\]】)）]?$",
        r"(?i)^[\[(]?\s*(editor|source|author|reporter|responsible editor|web editor)\s*:",
        r"(?i)^(источник|редактор|автор)\s*:",
        r"^[\[【(（]?\s*(发布时间|发表时间|发布日期|更新时间|时间|日期)\s*[:：]",
        r"^(相关新闻|相关链接|相关阅读|相关报道|延伸阅读|推荐阅读|热点推荐|图片新闻)\s*[:：]?$",
        r"^(我要留言|我要评论|发表评论|查看评论|网友评论|评论|留言|\s)+$",
        // A picture counter of a photo story: "3/8".
        r"^\d{1,3}\s*/\s*\d{1,3}$",
        // Page tools.
        r"(?i)^[\[【(（]?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|返回|分享到?|收藏|纠错|字号|字体|大|中|小|默认|打印此页|\s|[\[\]【】|：:])+\s*$",
        r"^\s*【?\s*字[体号]\s*[:：]",
        r"^扫一扫",
        r"(?i)^(print|close|share|back to top|top|print this page|font size|a\+|a-|\s|[|\[\]])+$",
        r"(?i)^(версия для печати|поделиться|распечатать|\s)+$",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

/// A bracketed piece of furniture: 【纠错】, 【责任编辑:某某】, (来源：新华社), [打印].
static FURNITURE_PIECE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\[【(（]\s*(责任编辑|责编|编辑|审核|校对|来源|稿源|作者|记者|纠错|我要纠错|打印|打印本页|关闭|关闭窗口|收藏|分享|返回顶部)[^\]】)）]{0,30}[\]】)）]",
    )
    .unwrap_or_else(|_| unreachable_regex())
});

/// A page-furniture line: an editor line, a source line, print/close/share tools.
fn is_boilerplate(p: &str) -> bool {
    // Real text paragraphs can start with such words; furniture lines are short.
    if p.chars().count() > 60 {
        return false;
    }
    if BOILERPLATE.iter().any(|re| re.is_match(p)) {
        return true;
    }
    // A line made only of bracketed furniture, e.g. "【纠错】【责任编辑:某某】".
    FURNITURE_PIECE.is_match(p)
        && FURNITURE_PIECE
            .replace_all(p, "")
            .chars()
            .all(|c| c.is_whitespace() || c.is_ascii_punctuation() || c == '|')
}

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(\s*\d{1,2}:\d{2}(:\d{2})?)?$")
        .unwrap_or_else(|_| unreachable_regex())
});

/// A regex that never matches, standing in for a constant pattern that failed to compile
/// (caught by the unit tests).
fn unreachable_regex() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("`[^\\s\\S]` is a valid regex"))
}

/// Text with everything but letters and digits removed, lower-cased: for comparing titles.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The generic main-content finder.

#[derive(Default, Clone, Copy)]
struct BlockText {
    chars: usize,
    link_chars: usize,
}

/// Finds the main-text block: each block element's own non-link text is credited to itself
/// and its parent in full, and to its grandparent by half; the best-scored element wins (the
/// deeper one on ties), together with siblings that score at least a fifth as much.
fn generic_content(doc: &Html) -> Vec<String> {
    let root = doc.tree.root();
    let mut own: HashMap<NodeId, BlockText> = HashMap::new();
    let mut order: Vec<NodeId> = Vec::new();
    measure(root, &mut own, &mut order);

    let mut score: HashMap<NodeId, f64> = HashMap::new();
    for (id, bt) in &own {
        if bt.chars == 0 || bt.link_chars * 2 > bt.chars {
            continue;
        }
        let value = (bt.chars - bt.link_chars) as f64;
        *score.entry(*id).or_default() += value;
        let Some(node) = doc.tree.get(*id) else {
            continue;
        };
        let parent = node.parent().filter(|p| p.value().is_element());
        if let Some(p) = parent {
            *score.entry(p.id()).or_default() += value;
            if let Some(g) = p.parent().filter(|g| g.value().is_element()) {
                *score.entry(g.id()).or_default() += value / 2.0;
            }
        }
    }

    let mut best: Option<(NodeId, f64)> = None;
    for id in &order {
        let s = score.get(id).copied().unwrap_or(0.0);
        if s > 0.0 && best.is_none_or(|(_, b)| s >= b) {
            best = Some((*id, s));
        }
    }
    let Some((best_id, best_score)) = best else {
        return Vec::new();
    };
    let Some(best_node) = doc.tree.get(best_id) else {
        return Vec::new();
    };

    let mut roots = Vec::new();
    match best_node.parent().filter(|p| p.value().is_element()) {
        Some(parent) => {
            for sibling in parent.children() {
                if sibling.id() == best_id {
                    roots.push(sibling);
                    continue;
                }
                let Some(el) = sibling.value().as_element() else {
                    continue;
                };
                if skipped(el) {
                    continue;
                }
                let s = score.get(&sibling.id()).copied().unwrap_or(0.0);
                if s >= best_score / 5.0 && s >= 20.0 {
                    roots.push(sibling);
                }
            }
        }
        None => roots.push(best_node),
    }
    paragraphs_of(&roots)
}

/// Records each block element's own text (text not inside a nested block element) in
/// document order. Iterative, like [`collect`], so that nesting depth cannot overflow the stack.
fn measure(root: NodeRef<'_, Node>, own: &mut HashMap<NodeId, BlockText>, order: &mut Vec<NodeId>) {
    // (node, the block element its text belongs to, whether it is inside a link)
    let mut stack: Vec<(NodeRef<'_, Node>, Option<NodeId>, bool)> = vec![(root, None, false)];
    while let Some((node, block, in_link)) = stack.pop() {
        match node.value() {
            Node::Text(t) => {
                if let Some(b) = block {
                    let n = t.chars().filter(|c| !c.is_whitespace()).count();
                    let entry = own.entry(b).or_default();
                    entry.chars += n;
                    if in_link {
                        entry.link_chars += n;
                    }
                }
            }
            Node::Element(el) => {
                if skipped(el) {
                    continue;
                }
                let tag = el.name();
                let mut block = block;
                if is_block(tag) && tag != "body" && tag != "html" {
                    block = Some(node.id());
                    order.push(node.id());
                }
                let in_link = in_link || tag == "a";
                stack.extend(node.children().rev().map(|c| (c, block, in_link)));
            }
            Node::Document | Node::Fragment => {
                stack.extend(node.children().rev().map(|c| (c, block, in_link)));
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// Title and date.

fn element_text(el: ElementRef<'_>) -> String {
    collapse_whitespace(&el.text().collect::<String>())
}

fn first_text(doc: &Html, selectors: &[Selector]) -> Option<String> {
    selectors.iter().find_map(|sel| {
        doc.select(sel)
            .map(element_text)
            .find(|t| !t.is_empty() && t.chars().count() <= 300)
    })
}

static META: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("meta").ok());
static H1: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("h1").ok());
static TITLE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("title").ok());
static TIME: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("time").ok());

/// `content` of the first `<meta>` whose `name` or `property` is one of `keys`
/// (case-insensitive), in the order of `keys`.
fn meta_content(doc: &Html, keys: &[&str]) -> Option<String> {
    let sel = META.as_ref()?;
    let metas: Vec<(String, String)> = doc
        .select(sel)
        .filter_map(|m| {
            let key = m.attr("name").or_else(|| m.attr("property"))?;
            let content = m.attr("content")?;
            Some((key.to_ascii_lowercase(), collapse_whitespace(content)))
        })
        .collect();
    keys.iter().find_map(|k| {
        metas
            .iter()
            .find(|(key, content)| key == k && !content.is_empty())
            .map(|(_, c)| c.clone())
    })
}

fn generic_title(doc: &Html) -> Option<String> {
    if let Some(t) = meta_content(doc, &["og:title", "articletitle", "dc.title"]) {
        return Some(t);
    }
    if let Some(h1) = H1.as_ref().and_then(|sel| {
        doc.select(sel)
            .filter(|el| !has_skipped_ancestor(**el))
            .map(element_text)
            .find(|t| !t.is_empty())
    }) {
        return Some(h1);
    }
    let raw = TITLE
        .as_ref()
        .and_then(|sel| doc.select(sel).next())
        .map(element_text)?;
    // "Title_Site name" / "Title - Site": the longest part is the document's own title.
    let parts: Vec<&str> = SITE_SUFFIX_SEP.split(&raw).map(str::trim).collect();
    parts
        .into_iter()
        .max_by_key(|p| p.chars().count())
        .map(str::to_string)
        .filter(|t| !t.is_empty())
}

static SITE_SUFFIX_SEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+[-–—|]\s+|\s*_\s*|\s*\|\s*|——|\s+::\s+").unwrap_or_else(|_| unreachable_regex())
});

fn has_skipped_ancestor(node: NodeRef<'_, Node>) -> bool {
    node.ancestors()
        .filter_map(|a| a.value().as_element())
        .any(skipped)
}

fn first_date(doc: &Html, selectors: &[Selector]) -> Option<NaiveDate> {
    selectors.iter().find_map(|sel| {
        doc.select(sel).find_map(|el| {
            el.attr("datetime")
                .and_then(parse_date)
                .or_else(|| parse_date(&element_text(el)))
        })
    })
}

fn meta_date(doc: &Html) -> Option<NaiveDate> {
    meta_content(
        doc,
        &[
            "article:published_time",
            "pubdate",
            "publishdate",
            "firstpublishedtime",
            "publish-date",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
            "og:published_time",
            "date",
        ],
    )
    .as_deref()
    .and_then(parse_date)
}

fn time_element_date(doc: &Html) -> Option<NaiveDate> {
    let sel = TIME.as_ref()?;
    doc.select(sel)
        .find_map(|el| el.attr("datetime").and_then(parse_date))
}

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*[-/.年\s]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
        .unwrap_or_else(|_| unreachable_regex())
});
static DMY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})\b")
        .unwrap_or_else(|_| unreachable_regex())
});
static RU_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d{1,2})\s+(января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+((?:19|20)\d{2})",
    )
    .unwrap_or_else(|_| unreachable_regex())
});
static EN_DATE_MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2}),?\s+((?:19|20)\d{2})",
    )
    .unwrap_or_else(|_| unreachable_regex())
});
static EN_DATE_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2})\s+(january|february|march|april|may|june|july|august|september|october|november|december),?\s+((?:19|20)\d{2})",
    )
    .unwrap_or_else(|_| unreachable_regex())
});
static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\D)((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})(?:\D|$)")
        .unwrap_or_else(|_| unreachable_regex())
});

const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const EN_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn month_no(names: &[&str; 12], name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    names
        .iter()
        .position(|m| *m == lower)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Parses the first date in `s`: `2019-06-14`, `2019/06/14`, `2019年6月14日`,
/// `2023 07/04` (news.cn), `14.06.2019`, `14 июня 2019`, `June 14, 2019` or `14 June 2019`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if let Some(c) = NUMERIC_DATE.captures(s)
        && let Some(d) = ymd(&c[1], &c[2], &c[3])
    {
        return Some(d);
    }
    if let Some(c) = DMY_DATE.captures(s)
        && let Some(d) = ymd(&c[3], &c[2], &c[1])
    {
        return Some(d);
    }
    if let Some(c) = RU_DATE.captures(s) {
        let m = month_no(&RU_MONTHS, &c[2])?;
        return NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[1].parse().ok()?);
    }
    if let Some(c) = EN_DATE_MDY.captures(s) {
        let m = month_no(&EN_MONTHS, &c[1])?;
        return NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[2].parse().ok()?);
    }
    if let Some(c) = EN_DATE_DMY.captures(s) {
        let m = month_no(&EN_MONTHS, &c[2])?;
        return NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[1].parse().ok()?);
    }
    None
}

/// A date in a URL path: `/2019-06/14/`, `t20190614_`, `/2019/0614/`, `/20020607.D1E.html`.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string());
    URL_DATE
        .captures_iter(&path)
        .find_map(|c| ymd(&c[1], &c[2], &c[3]))
}

// ---------------------------------------------------------------------------------------
// Script statistics, for checking a page's language.

/// Shares of letters by script: CJK ideographs, Cyrillic, Latin. They add up to 1 when
/// the text has any such letter (all zero otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScriptShares {
    pub cjk: f64,
    pub cyrillic: f64,
    pub latin: f64,
    /// Number of letters counted.
    pub letters: usize,
}

/// Counts the letters of `text` by script.
pub fn script_shares(text: &str) -> ScriptShares {
    let (mut cjk, mut cyr, mut lat) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c as u32 {
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF => cjk += 1,
            0x0400..=0x052F => cyr += 1,
            _ if c.is_ascii_alphabetic() => lat += 1,
            0x00C0..=0x024F if c.is_alphabetic() => lat += 1,
            _ => {}
        }
    }
    let total = cjk + cyr + lat;
    if total == 0 {
        return ScriptShares::default();
    }
    let t = total as f64;
    ScriptShares {
        cjk: cjk as f64 / t,
        cyrillic: cyr as f64 / t,
        latin: lat as f64 / t,
        letters: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_selectors_parse() {
        for rule in SITE_RULES {
            for s in rule.content.iter().chain(rule.title).chain(rule.date) {
                assert!(
                    Selector::parse(s).is_ok(),
                    "{}: bad selector {s}",
                    rule.name
                );
            }
        }
        for re in [
            &*DATE_LINE,
            &*NUMERIC_DATE,
            &*DMY_DATE,
            &*RU_DATE,
            &*EN_DATE_MDY,
            &*EN_DATE_DMY,
            &*URL_DATE,
            &*SITE_SUFFIX_SEP,
            &*FURNITURE_PIECE,
        ] {
            assert_ne!(
                re.as_str(),
                r"[^\s\S]",
                "a constant regex failed to compile"
            );
        }
        assert_eq!(
            BOILERPLATE.len(),
            13,
            "a boilerplate regex failed to compile"
        );
    }

    #[test]
    fn fmprc_rule_keeps_paragraphs_and_drops_furniture() {
        let html = r##"<html><head><title>测试页_中华人民共和国外交部</title>
<script>var x = "不要我";</script><style>p { color: red }</style></head>
<body><div class="nav"><a href="/">首页</a> <a href="/x">外交部</a></div>
<div id="News_Body_Title">夹具宣言（全文）</div>
<div id="News_Body_Time">2019-06-14 22:30</div>
<div id="News_Body_Txt_A">
<p>　　第一段：各成员国
  重申上海精神。</p>
<p>第二段，<a href="#">链接文字</a>也算正文。</p>
<div class="share">分享到：微信 微博</div>
<p>（责任编辑：张三）</p>
<p>第三段<br>第四段</p>
</div>
<div id="footer">版权所有</div></body></html>"##;
        let e = extract(
            html,
            Some("https://www.fmprc.gov.cn/web/zyxw/t1672000.shtml"),
        );
        assert_eq!(e.site, "fmprc");
        assert_eq!(e.title.as_deref(), Some("夹具宣言（全文）"));
        assert_eq!(e.date, NaiveDate::from_ymd_opt(2019, 6, 14));
        assert_eq!(
            e.paragraphs,
            vec![
                "第一段：各成员国重申上海精神。",
                "第二段，链接文字也算正文。",
                "第三段",
                "第四段"
            ]
        );
    }

    #[test]
    fn generic_finder_picks_the_text_block_not_the_link_lists() {
        let html = r#"<html><head><title>A fixture declaration - Example Site</title></head><body>
<div id="menu"><ul><li><a href="/a">Home</a></li><li><a href="/b">About us and other things</a></li></ul></div>
<div class="links"><a href="/1">Another long link text that is only navigation</a><br>
<a href="/2">Yet another long link text that is only navigation</a></div>
<div class="main"><div class="body">
<p>The member states reaffirm the Shanghai Spirit, written as a test fixture.</p>
<p>They support a multipolar world and the central role of the United Nations.</p>
</div>
<div class="more"><p>This second block of the fixture text also belongs to the document.</p></div>
</div>
<p class="x">Short.</p>
</body></html>"#;
        let e = extract(html, Some("https://example.org/doc.html"));
        assert_eq!(e.site, "generic");
        assert_eq!(e.title.as_deref(), Some("A fixture declaration"));
        assert_eq!(
            e.paragraphs,
            vec![
                "The member states reaffirm the Shanghai Spirit, written as a test fixture.",
                "They support a multipolar world and the central role of the United Nations.",
                "This second block of the fixture text also belongs to the document.",
            ]
        );
    }

    #[test]
    fn br_separated_table_cell_text() {
        let html = "<html><body><table><tr><td><a href='/'>Home</a></td></tr>\
            <tr><td>第一行夹具文本，足够长的一段话。<br><br>第二行夹具文本。<br>二〇一九年六月十四日于比什凯克</td></tr>\
            </table></body></html>";
        let e = extract(html, None);
        assert_eq!(e.site, "generic");
        assert_eq!(
            e.paragraphs,
            vec![
                "第一行夹具文本，足够长的一段话。",
                "第二行夹具文本。",
                "二〇一九年六月十四日于比什凯克"
            ]
        );
    }

    #[test]
    fn site_rules_are_found_by_markup_without_a_url() {
        let html = r#"<html><body><h1 class="entry-title p-name">Заголовок</h1>
<time class="read__published" datetime="2019-06-14">14 июня 2019 года</time>
<div class="entry-content e-content read__internal_content"><p>Первый абзац тестового текста.</p><p>Второй абзац.</p></div>
<div class="read__bottommeta">Версия для печати</div></body></html>"#;
        let e = extract(html, None);
        assert_eq!(e.site, "kremlin");
        assert_eq!(e.title.as_deref(), Some("Заголовок"));
        assert_eq!(e.date, NaiveDate::from_ymd_opt(2019, 6, 14));
        assert_eq!(
            e.paragraphs,
            vec!["Первый абзац тестового текста.", "Второй абзац."]
        );
    }

    #[test]
    fn common_selectors_do_not_name_a_site_without_a_url() {
        let html = r#"<html><body><div id="content"><div class="menu"><a href="/a">首页</a></div>
<p>一段足够长的夹具正文，用来检验没有网址时不会把常见的编号当成某个网站的标记。</p></div></body></html>"#;
        let e = extract(html, None);
        assert_eq!(e.site, "generic");
        assert_eq!(
            e.paragraphs,
            vec!["一段足够长的夹具正文，用来检验没有网址时不会把常见的编号当成某个网站的标记。"]
        );
        // With the site's URL the same selector is the rule's.
        let e = extract(html, Some("http://www.news.cn/2019-06/14/c_1.htm"));
        assert_eq!(e.site, "xinhua");
    }

    #[test]
    fn a_chosen_container_is_read_even_with_a_furniture_class() {
        let html = r#"<html><body><div id="News_Body_Txt_A" class="share-text">
<p>容器的类名看起来像分享按钮，但它是规则选中的正文容器，应当照常读取。</p></div></body></html>"#;
        let e = extract(html, Some("https://www.mfa.gov.cn/web/t1.shtml"));
        assert_eq!(e.site, "fmprc");
        assert_eq!(
            e.paragraphs,
            vec!["容器的类名看起来像分享按钮，但它是规则选中的正文容器，应当照常读取。"]
        );
    }

    #[test]
    fn rule_with_empty_slot_falls_back_to_generic() {
        let html = r#"<html><body><div id="detail"></div>
<div class="other"><p>新模板的正文在别处，这是一段足够长的夹具正文文字。</p></div></body></html>"#;
        let e = extract(
            html,
            Some("http://www.news.cn/world/2019-06/14/c_1124623011.htm"),
        );
        assert_eq!(e.site, "generic");
        assert_eq!(e.date, NaiveDate::from_ymd_opt(2019, 6, 14));
        assert_eq!(
            e.paragraphs,
            vec!["新模板的正文在别处，这是一段足够长的夹具正文文字。"]
        );
    }

    proptest::proptest! {
        #[test]
        fn cap_nesting_never_panics_and_keeps_shallow_pages(
            s in "[<>/a-z!\\- \"'=é中]{0,300}"
        ) {
            let (out, n) = cap_nesting(&s, 3);
            proptest::prop_assert!(n > 0 || out == s);
            let (out, n) = cap_nesting(&s, usize::MAX);
            proptest::prop_assert_eq!((out.as_ref(), n), (s.as_str(), 0));
        }
    }

    #[test]
    fn deeply_nested_markup_does_not_overflow_the_stack() {
        // Test threads have small stacks (2 MiB): a recursive walk fails long before this.
        let (divs, tables) = (30_000, 5_000);
        let mut html = String::from("<html><head><title>Nested fixture</title></head><body>");
        html.push_str(&"<div>".repeat(divs));
        html.push_str(&"<table><tr><td>".repeat(tables));
        html.push_str("<p>The fixture text sits under thirty thousand nested blocks.</p>");
        html.push_str(&"</td></tr></table>".repeat(tables));
        html.push_str(&"</div>".repeat(divs));
        html.push_str("</body></html>");
        let e = extract(&html, None);
        assert_eq!(
            e.paragraphs,
            vec!["The fixture text sits under thirty thousand nested blocks."]
        );
        // Unclosed tags nest as deeply; the rule selectors and the title still work.
        let unclosed = format!(
            "<div id=\"News_Body_Txt_A\">{}<p>未闭合的标签也嵌套得很深，这是一段夹具正文。",
            "<div><span>".repeat(divs)
        );
        let e = extract(&unclosed, Some("https://www.fmprc.gov.cn/web/t1.shtml"));
        assert_eq!(e.site, "fmprc");
        assert_eq!(
            e.paragraphs,
            vec!["未闭合的标签也嵌套得很深，这是一段夹具正文。"]
        );
    }

    /// Character-level F1 of `got` against `want`: the two texts as bags of non-whitespace
    /// characters.
    fn char_f1(got: &str, want: &str) -> f64 {
        let bag = |s: &str| {
            let mut m: HashMap<char, usize> = HashMap::new();
            for c in s.chars().filter(|c| !c.is_whitespace()) {
                *m.entry(c).or_default() += 1;
            }
            m
        };
        let (g, w) = (bag(got), bag(want));
        let overlap: usize = g
            .iter()
            .map(|(c, n)| (*n).min(w.get(c).copied().unwrap_or(0)))
            .sum();
        let (ng, nw): (usize, usize) = (g.values().sum(), w.values().sum());
        if overlap == 0 || ng == 0 || nw == 0 {
            return 0.0;
        }
        let (precision, recall) = (overlap as f64 / ng as f64, overlap as f64 / nw as f64);
        2.0 * precision * recall / (precision + recall)
    }

    #[test]
    fn char_f1_counts_characters() {
        assert!((char_f1("abcd", "abcd") - 1.0).abs() < 1e-9);
        // Half of it found, nothing extra: precision 1, recall 0.5.
        assert!((char_f1("ab", "abcd") - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(char_f1("xyz", "abc"), 0.0);
    }

    /// The article pages of `tests/fixtures/articles/` (shaped like the templates of the sites
    /// we fetch from, with our own text; see `make_articles.py` there): the extracted text
    /// must match each article's own text at a character F1 of at least 0.85, and 0.95 on
    /// average. As `ingest` reads them: no URL given (the page's canonical link names it).
    #[test]
    fn article_fixtures_meet_the_f1_bar() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
        let mut scores = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        entries.sort();
        for page in entries {
            let html = std::fs::read_to_string(&page)
                .unwrap_or_else(|e| panic!("{}: {e}", page.display()));
            let expected_path = page.with_extension("expected.txt");
            let expected = std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let got = extract(&html, None).text();
            let f1 = char_f1(&got, &expected);
            let name = page
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            eprintln!("{name}: F1 {f1:.3}");
            assert!(f1 >= 0.85, "{name}: F1 {f1:.3} < 0.85; extracted:\n{got}");
            scores.push((name, f1, got));
        }
        assert!(scores.len() >= 5, "fixtures missing in {}", dir.display());
        let mean = scores.iter().map(|s| s.1).sum::<f64>() / scores.len() as f64;
        assert!(
            mean >= 0.95,
            "mean F1 {mean:.3} < 0.95: {:?}",
            scores.iter().map(|s| (&s.0, s.1)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn nesting_is_capped_without_touching_ordinary_pages() {
        let page = "<html><body><!-- <div> --><script>if (a<b) { x = '<div>'; }</script>\
            <ul><li>one<li>two</ul><div class=\"a>b\"><p>text<br/><img src=x></div></body></html>";
        assert_eq!(cap_nesting(page, 2), (std::borrow::Cow::Borrowed(page), 0));
        let (capped, n) = cap_nesting("<div><div><span><div>deep</div></span></div></div>", 2);
        assert_eq!(n, 4);
        assert_eq!(capped, "<div><div><br>deep<br></div></div>");
        // Neither scripts between the tags nor `<div/>` hide the depth.
        let (_, n) = cap_nesting(&"<div><script>var a;</script>".repeat(10), 5);
        assert_eq!(n, 5);
        let (_, n) = cap_nesting(&"<div/>".repeat(10), 5);
        assert_eq!(n, 5);
        // Many self-closed SVG shapes are not deep.
        let svg = format!("<svg>{}</svg>", "<path d=\"M0 0\"/>".repeat(100));
        assert_eq!(cap_nesting(&svg, 5).1, 0);
    }

    #[test]
    fn whitespace_between_wide_chars_is_removed() {
        assert_eq!(
            collapse_whitespace("  上海\n 合作  组织 SCO  summit\t"),
            "上海合作组织 SCO summit"
        );
        assert_eq!(collapse_whitespace("\u{3000}\u{3000}第一条"), "第一条");
        assert_eq!(collapse_whitespace("a\u{a0}\u{a0}b"), "a b");
    }

    #[test]
    fn boilerplate_lines() {
        for line in [
            "（责任编辑：张三）",
            "责任编辑：李四",
            "【责任编辑：王五】",
            "来源：新华社",
            "【打印本页】【关闭窗口】",
            "【字体：大 中 小】",
            "分享到：",
            "Editor: Wang",
            "Print | Close",
            "Версия для печати",
            "【纠错】【责任编辑:测试】",
            "[我要纠错] | (来源：新华社)",
        ] {
            assert!(is_boilerplate(line), "{line}");
        }
        for line in [
            "各方重申上海精神。",
            "编辑部以外的人",
            "The member states print nothing here at all.",
            "来源于各方的共识，这一句不是来源行，因为它足够长，长到超过六十个字符的界限，所以应当保留下来作为正文的一部分。",
        ] {
            assert!(!is_boilerplate(line), "{line}");
        }
    }

    #[test]
    fn parses_dates_in_many_forms() {
        let d = NaiveDate::from_ymd_opt(2019, 6, 14);
        for s in [
            "2019-06-14 22:30",
            "2019/6/14",
            "来源：新华网 2019年06月14日22:32",
            "2019 06/14 22:35:05",
            "14 июня 2019 года, 13:00",
            "June 14, 2019",
            "14 June 2019",
            "14.06.2019",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("no date"), None);
        assert_eq!(parse_date("2019-13-45"), None);
    }

    #[test]
    fn dates_in_urls() {
        let d = NaiveDate::from_ymd_opt(2019, 6, 14);
        for u in [
            "http://www.news.cn/world/2019-06/14/c_1124623011.htm",
            "https://www.fmprc.gov.cn/web/zyxw/t20190614_123.shtml",
            "http://world.people.com.cn/n1/2019/0614/c1002-31138000.html",
            "https://worldjpn.net/documents/texts/SCO/20190614.D1E.html",
        ] {
            assert_eq!(date_in_url(u), d, "{u}");
        }
        assert_eq!(date_in_url("http://www.news.cn/c_1124623011.htm"), None);
    }

    #[test]
    fn title_from_title_tag_drops_site_name() {
        let html = "<html><head><title>上海合作组织夹具宣言（全文）_新华网</title></head><body><p>正文正文正文正文正文正文正文。</p></body></html>";
        let e = extract(html, None);
        assert_eq!(e.title.as_deref(), Some("上海合作组织夹具宣言（全文）"));
    }

    #[test]
    fn title_repeated_as_first_line_is_dropped() {
        let html = r#"<html><body><div class="pages-title">夹具公报</div><div class="pages-date">2019-06-15 07:12</div>
<div class="pages_content" id="UCAP-CONTENT"><p>夹具公报</p><p>正文第一段，长度足够的夹具文字。</p></div></body></html>"#;
        let e = extract(
            html,
            Some("http://www.gov.cn/xinwen/2019-06/15/content_5400000.htm"),
        );
        assert_eq!(e.site, "gov.cn");
        assert_eq!(e.title.as_deref(), Some("夹具公报"));
        assert_eq!(e.date, NaiveDate::from_ymd_opt(2019, 6, 15));
        assert_eq!(e.paragraphs, vec!["正文第一段，长度足够的夹具文字。"]);
    }

    #[test]
    fn script_shares_count_letters() {
        let s = script_shares("上海 Shanghai Шанхай 2019");
        assert_eq!(s.letters, 2 + 8 + 6);
        assert!((s.cjk - 2.0 / 16.0).abs() < 1e-9);
        assert!((s.latin - 8.0 / 16.0).abs() < 1e-9);
        assert!((s.cyrillic - 6.0 / 16.0).abs() < 1e-9);
        assert_eq!(script_shares("123 …").letters, 0);
    }
}
