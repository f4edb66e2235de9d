//! Rewriting catalogue URLs to a mirror: another host (`--base-url`) or a table of prefixes
//! (`--mirror-map`), for tests, proxies and local archives.

use std::path::{Path, PathBuf};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    #[error("--base-url `{url}`: {message}")]
    BaseUrl { url: String, message: String },
    #[error("cannot read mirror map {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("mirror map {path}, line {line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// How catalogue URLs are turned into the URLs actually requested.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum UrlRewrite {
    /// Request the catalogue URLs as they are.
    #[default]
    None,
    /// Replace scheme, host and port with the base URL's; a path in the base URL is put in
    /// front of the original path. `http://127.0.0.1:8080/mirror` turns
    /// `https://www.fmprc.gov.cn/web/t1.shtml?a=1` into
    /// `http://127.0.0.1:8080/mirror/web/t1.shtml?a=1`.
    BaseUrl(Url),
    /// `(original prefix, replacement prefix)` pairs; the longest matching prefix wins and
    /// URLs that match none are left as they are.
    Map(Vec<(String, String)>),
}

impl UrlRewrite {
    /// A `--base-url` rewrite.
    pub fn base_url(raw: &str) -> Result<UrlRewrite, RewriteError> {
        let err = |message: String| RewriteError::BaseUrl {
            url: raw.to_string(),
            message,
        };
        let url = Url::parse(raw).map_err(|e| err(format!("not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(err("not an http(s) URL".into()));
        }
        if url.host_str().is_none() {
            return Err(err("has no host".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(err("must not have a query or fragment".into()));
        }
        Ok(UrlRewrite::BaseUrl(url))
    }

    /// Reads a mirror map: one `original_prefix<TAB>replacement_prefix` a line; blank lines
    /// and lines starting with `#` are skipped.
    pub fn load_map(path: &Path) -> Result<UrlRewrite, RewriteError> {
        let text = std::fs::read_to_string(path).map_err(|source| RewriteError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        UrlRewrite::parse_map(&text, path)
    }

    /// Parses mirror-map text; `path` names it in errors.
    pub fn parse_map(text: &str, path: &Path) -> Result<UrlRewrite, RewriteError> {
        let mut pairs = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let err = |message: String| RewriteError::Line {
                path: path.to_path_buf(),
                line: i + 1,
                message,
            };
            let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
            let [from, to] = fields[..] else {
                return Err(err(format!(
                    "expected `original_prefix<TAB>replacement_prefix`, found {} field(s)",
                    fields.len()
                )));
            };
            if from.is_empty() || to.is_empty() {
                return Err(err("a prefix is empty".into()));
            }
            let target = Url::parse(to).map_err(|e| {
                err(format!(
                    "replacement `{to}` does not start with a valid URL: {e}"
                ))
            })?;
            if !matches!(target.scheme(), "http" | "https") {
                return Err(err(format!("replacement `{to}` is not an http(s) URL")));
            }
            pairs.push((from.to_string(), to.to_string()));
        }
        if pairs.is_empty() {
            return Err(RewriteError::Line {
                path: path.to_path_buf(),
                line: 0,
                message: "the map has no entries".into(),
            });
        }
        Ok(UrlRewrite::Map(pairs))
    }

    /// The URL to request for catalogue URL `url`.
    pub fn apply(&self, url: &str) -> String {
        match self {
            UrlRewrite::None => url.to_string(),
            UrlRewrite::BaseUrl(base) => {
                let Ok(original) = Url::parse(url) else {
                    return url.to_string();
                };
                let prefix = base.path().trim_end_matches('/');
                let mut out = format!(
                    "{}{prefix}{}",
                    base.origin().ascii_serialization(),
                    original.path()
                );
                if let Some(q) = original.query() {
                    out.push('?');
                    out.push_str(q);
                }
                out
            }
            UrlRewrite::Map(pairs) => pairs
                .iter()
                .filter(|(from, _)| url.starts_with(from.as_str()))
                .max_by_key(|(from, _)| from.len())
                .map(|(from, to)| format!("{to}{}", &url[from.len()..]))
                .unwrap_or_else(|| url.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_swaps_the_host_and_keeps_path_and_query() {
        let r = UrlRewrite::base_url("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            r.apply("https://www.fmprc.gov.cn/web/t1.shtml?a=1#top"),
            "http://127.0.0.1:8080/web/t1.shtml?a=1"
        );
        let r = UrlRewrite::base_url("http://127.0.0.1:8080/mirror/").unwrap();
        assert_eq!(
            r.apply("http://news.cn/2019-06/14/c_1.htm"),
            "http://127.0.0.1:8080/mirror/2019-06/14/c_1.htm"
        );
        assert!(UrlRewrite::base_url("file:///tmp").is_err());
        assert!(UrlRewrite::base_url("not a url").is_err());
    }

    #[test]
    fn mirror_map_uses_the_longest_prefix() {
        let map = "# comment\nhttp://news.cn/\thttp://127.0.0.1:9/xinhua/\n\
                   http://news.cn/world/\thttp://127.0.0.1:9/world/\n";
        let r = UrlRewrite::parse_map(map, Path::new("m.tsv")).unwrap();
        assert_eq!(
            r.apply("http://news.cn/a.htm"),
            "http://127.0.0.1:9/xinhua/a.htm"
        );
        assert_eq!(
            r.apply("http://news.cn/world/b.htm"),
            "http://127.0.0.1:9/world/b.htm"
        );
        assert_eq!(r.apply("http://gov.cn/c.htm"), "http://gov.cn/c.htm");
    }

    #[test]
    fn mirror_map_errors_name_the_line() {
        let e = UrlRewrite::parse_map("a\tb\tc\n", Path::new("m.tsv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mirror map m.tsv, line 1: expected `original_prefix<TAB>replacement_prefix`, found 3 field(s)"
        );
        let e = UrlRewrite::parse_map("\nhttp://a/\tnowhere\n", Path::new("m.tsv")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("mirror map m.tsv, line 2: replacement `nowhere`"),
            "{e}"
        );
    }
}
