//! `scoway serve`: a reading room in the browser over a data directory, read-only and offline.
//!
//! Server-rendered pages (maud escapes every piece of document text), one module per page, each
//! with a JSON twin at the same address with `?format=json`:
//!
//! | route | page | JSON twin |
//! |---|---|---|
//! | `/search?q=&from=&to=&type=&body=&lang=&page=` | ranked documents, snippets | `scoway search --json` |
//! | `/doc/{id}?lang=` (`#p{n}` per paragraph) | text, dimensions, evidence, versions | `scoway code --doc --json` |
//! | `/kwic?term=&sort=date\|doc&page=` | keyword in context | `scoway kwic --json` |
//! | `/trends?body=&lang=&by=year\|meeting` | SVG charts, year links | `scoway trends --format json` |
//! | `/trends/{dimension}/{year}` | paragraphs coded that year | their rows |
//! | `/terms` | term emergence | `term_emergence`, `term_yearly` rows |
//! | `/codebook` | dimensions, indicators, rules, hash | the same |
//!
//! Nothing is written to the data directory: the store, the index (see
//! [`crate::index::IndexSnapshot`]) and the codes are opened read-only; bounds on queries and
//! pages are in [`security`].

mod codebook;
mod doc;
mod kwic;
mod layout;
mod library;
mod search;
pub mod security;
mod terms;
mod trends;

pub use library::{Exports, Library};

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use security::{ApiError, Params};
use std::collections::HashMap;
use std::sync::Arc;

/// Errors of opening the data directory and of computing a page.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::corpus::StoreError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error(transparent)]
    Trends(#[from] crate::trends::TrendsError),
    #[error("codebook: {0}")]
    Codebook(#[from] crate::code::CodebookError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("export folder {}: {message}", path.display())]
    Exports {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{0}")]
    Computed(String),
}

/// What a page handler answers.
pub enum Reply {
    Html(maud::Markup),
    Json(serde_json::Value),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Html(m) => m.into_response(),
            Reply::Json(v) => axum::Json(v).into_response(),
        }
    }
}

type Shared = State<Arc<Library>>;
type QueryMap = Query<HashMap<String, String>>;

/// Runs a page handler on the blocking pool (search, polars and the coder are synchronous); a
/// panic in it is a 500 answer, never the end of the server.
async fn answer(
    lib: Arc<Library>,
    query: HashMap<String, String>,
    handler: impl FnOnce(&Library, &Params) -> Result<Reply, ApiError> + Send + 'static,
) -> Response {
    let params = match Params::new(query) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let json = params.json;
    let started = std::time::Instant::now();
    let mut response = match tokio::task::spawn_blocking(move || handler(&lib, &params)).await {
        Ok(Ok(reply)) => reply.into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("the page failed: {e}"),
            json,
        }
        .into_response(),
    };
    // The time the page took to make (read by the benchmark; shown by browsers' dev tools).
    let timing = format!("page;dur={:.3}", started.elapsed().as_secs_f64() * 1000.0);
    if let Ok(value) = axum::http::HeaderValue::from_str(&timing) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}

async fn search_page(State(lib): Shared, Query(q): QueryMap) -> Response {
    answer(lib, q, search::handle).await
}

async fn doc_page(
    State(lib): Shared,
    UrlPath(id): UrlPath<String>,
    Query(q): QueryMap,
) -> Response {
    answer(lib, q, move |lib, p| doc::handle(lib, &id, p)).await
}

async fn kwic_page(State(lib): Shared, Query(q): QueryMap) -> Response {
    answer(lib, q, kwic::handle).await
}

async fn trends_page(State(lib): Shared, Query(q): QueryMap) -> Response {
    answer(lib, q, trends::handle).await
}

async fn trends_year_page(
    State(lib): Shared,
    UrlPath((dimension, year)): UrlPath<(String, String)>,
    Query(q): QueryMap,
) -> Response {
    answer(lib, q, move |lib, p| {
        trends::handle_year(lib, &dimension, &year, p)
    })
    .await
}

async fn terms_page(State(lib): Shared, Query(q): QueryMap) -> Response {
    answer(lib, q, terms::handle).await
}

async fn codebook_page(State(lib): Shared, Query(q): QueryMap) -> Response {
    answer(lib, q, codebook::handle).await
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        layout::CSS,
    )
        .into_response()
}

/// A file of the export folder, only when it was listed at start-up.
async fn export_file(State(lib): Shared, UrlPath(name): UrlPath<String>) -> Response {
    let Some(path) = lib.exports.get(&name).map(std::path::Path::to_path_buf) else {
        return ApiError::not_found(format!("no export file `{name}`")).into_response();
    };
    let kind = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") => "text/csv; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Err(e) => ApiError::not_found(format!("export file `{name}`: {e}")).into_response(),
    }
}

async fn not_found() -> Response {
    ApiError::not_found("no such page").into_response()
}

/// The routes of the reading room over `lib`.
pub fn router(lib: Arc<Library>) -> Router {
    Router::new()
        .route("/", get(search_page))
        .route("/search", get(search_page))
        .route("/doc/{id}", get(doc_page))
        .route("/kwic", get(kwic_page))
        .route("/trends", get(trends_page))
        .route("/trends/{dimension}/{year}", get(trends_year_page))
        .route("/terms", get(terms_page))
        .route("/codebook", get(codebook_page))
        .route("/static/scoway.css", get(stylesheet))
        .route("/export/{*name}", get(export_file))
        .fallback(not_found)
        .layer(axum::middleware::map_response(security::headers))
        .with_state(lib)
}

/// Serves `lib` on `listener` until the process is interrupted (Ctrl-C).
pub async fn serve(listener: tokio::net::TcpListener, lib: Arc<Library>) -> std::io::Result<()> {
    axum::serve(listener, router(lib))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
