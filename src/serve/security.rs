//! What a request may ask for: bounded queries and pages, ids that name store entries only,
//! export names from the listed files only, and the headers every answer carries.

use super::ServeError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// Longest query or KWIC term, in chars.
pub const MAX_QUERY_CHARS: usize = 300;
/// Search hits per page.
pub const HITS_PER_PAGE: usize = 20;
/// Last search page: at most this × [`HITS_PER_PAGE`] hits are ranked for one request.
pub const MAX_PAGE: usize = 50;
/// KWIC lines per page.
pub const KWIC_PER_PAGE: usize = 100;
/// Most KWIC lines kept for one term (the answer says when there were more).
pub const MAX_KWIC_LINES: usize = 5000;
/// Most paragraphs listed for a dimension and year.
pub const MAX_YEAR_PARAGRAPHS: usize = 300;
/// Longest value of any query parameter, in bytes.
const MAX_PARAM_BYTES: usize = 2000;

/// `Content-Security-Policy` of every answer: nothing but what this server sends, no inline
/// script or style.
pub const CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// An answer that is not a page: a status and a message, as HTML or as JSON `{"error": ...}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub json: bool,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            json: false,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            json: false,
        }
    }

    pub fn json(mut self, json: bool) -> Self {
        self.json = json;
        self
    }
}

impl From<ServeError> for ApiError {
    fn from(e: ServeError) -> Self {
        let status = match &e {
            ServeError::Index(crate::index::IndexError::Query { .. })
            | ServeError::Index(crate::index::IndexError::Request(_)) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            message: e.to_string(),
            json: false,
        }
    }
}

impl From<crate::index::IndexError> for ApiError {
    fn from(e: crate::index::IndexError) -> Self {
        ServeError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({ "error": self.message, "status": self.status.as_u16() });
            (self.status, axum::Json(body)).into_response()
        } else {
            let page = super::layout::page(
                &format!("Error {}", self.status.as_u16()),
                "",
                maud::html! {
                    h1 { "Error " (self.status.as_u16()) }
                    p.error { (self.message) }
                    p { a href="/" { "Back to the search" } }
                },
            );
            (self.status, page).into_response()
        }
    }
}

/// The query parameters of a request, checked as they are read.
pub struct Params {
    values: HashMap<String, String>,
    pub json: bool,
}

impl Params {
    pub fn new(values: HashMap<String, String>) -> Result<Self, ApiError> {
        let json = match values.get("format").map(String::as_str) {
            None | Some("html") | Some("") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "parameter `format`: `{other}` is not html or json"
                )));
            }
        };
        if let Some((name, _)) = values.iter().find(|(_, v)| v.len() > MAX_PARAM_BYTES) {
            return Err(ApiError::bad_request(format!(
                "parameter `{name}` is longer than {MAX_PARAM_BYTES} bytes"
            ))
            .json(json));
        }
        Ok(Self { values, json })
    }

    pub fn bad(&self, message: impl Into<String>) -> ApiError {
        ApiError::bad_request(message).json(self.json)
    }

    /// The trimmed value of `name`; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A query or term: at most [`MAX_QUERY_CHARS`] chars.
    pub fn query(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.text(name) {
            Some(q) if q.chars().count() > MAX_QUERY_CHARS => Err(self.bad(format!(
                "parameter `{name}` is longer than {MAX_QUERY_CHARS} characters"
            ))),
            other => Ok(other),
        }
    }

    /// A page number, 1 when absent, at most `max`.
    pub fn page(&self, max: usize) -> Result<usize, ApiError> {
        let Some(v) = self.text("page") else {
            return Ok(1);
        };
        match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(self.bad(format!(
                "parameter `page`: `{v}` is not a page number from 1 to {max}"
            ))),
        }
    }

    /// A language (`zh`, `ru`, `en`).
    pub fn lang(&self, name: &str) -> Result<Option<crate::corpus::Lang>, ApiError> {
        self.text(name)
            .map(|v| {
                v.parse()
                    .map_err(|e| self.bad(format!("parameter `{name}`: {e}")))
            })
            .transpose()
    }

    /// One of `choices` (compared without case), or `default` when absent.
    pub fn choice(
        &self,
        name: &str,
        choices: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, ApiError> {
        let Some(v) = self.text(name) else {
            return Ok(default);
        };
        choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(v))
            .copied()
            .ok_or_else(|| {
                self.bad(format!(
                    "parameter `{name}`: `{v}` is not one of {}",
                    choices.join(", ")
                ))
            })
    }
}

/// Checks a document id from a URL: it must be a valid store id, so it cannot name a path
/// outside the store (no `/`, no leading `.`).
pub fn document_id(id: &str, json: bool) -> Result<&str, ApiError> {
    crate::corpus::document::validate_id(id)
        .map_err(|e| ApiError::bad_request(format!("invalid document id: {e}")).json(json))?;
    Ok(id)
}

/// Whether a path relative to the export folder may be served: plain names separated by `/`,
/// none starting with `.`.
pub fn is_safe_export_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

/// Adds the security headers to every answer.
pub async fn headers(response: Response) -> Response {
    let mut response = response;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params(pairs: &[(&str, &str)]) -> Result<Params, ApiError> {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn pages_and_queries_are_bounded() {
        let p = params(&[("page", "51"), ("q", &"x".repeat(MAX_QUERY_CHARS + 1))]).unwrap();
        assert_eq!(
            p.page(MAX_PAGE).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(p.query("q").unwrap_err().status, StatusCode::BAD_REQUEST);
        let p = params(&[("page", "2"), ("q", " 上海精神 ")]).unwrap();
        assert_eq!(p.page(MAX_PAGE).unwrap(), 2);
        assert_eq!(p.query("q").unwrap(), Some("上海精神"));
        assert!(params(&[("page", "0")]).unwrap().page(MAX_PAGE).is_err());
        assert!(params(&[("format", "xml")]).is_err());
        assert!(params(&[("format", "json")]).unwrap().json);
    }

    #[test]
    fn ids_that_could_leave_the_store_are_refused() {
        for id in ["../etc/passwd", "a/b", ".hidden", "", "a\\b", "x%2F"] {
            assert!(document_id(id, false).is_err(), "{id}");
        }
        assert!(document_id("chs-2018-declaration", false).is_ok());
    }

    proptest! {
        #[test]
        fn reading_parameters_never_panics(
            pairs in proptest::collection::vec(("[a-z]{1,6}", "\\PC{0,40}"), 0..6)
        ) {
            if let Ok(p) = Params::new(pairs.into_iter().collect()) {
                let _ = p.page(MAX_PAGE);
                let _ = p.query("q");
                let _ = p.lang("lang");
                let _ = p.choice("sort", &["date", "doc"], "date");
                let _ = document_id(p.text("id").unwrap_or_default(), p.json);
            }
        }

        #[test]
        fn safe_export_names_never_climb_or_hide(name in "[a-z./_-]{0,20}") {
            if is_safe_export_name(&name) {
                prop_assert!(!name.split('/').any(|p| p == ".." || p == "." || p.is_empty()));
                prop_assert!(!name.starts_with('/'));
            }
        }
    }
}
