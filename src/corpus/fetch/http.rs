//! HTTP: one blocking client, a per-host rate limit, retries with exponential backoff and
//! jitter (timeouts, 408, 429, 5xx, broken bodies), `Retry-After`, conditional requests.

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{self, HeaderMap};
use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant, SystemTime};

/// The User-Agent: who we are and why, as polite crawlers say.
pub fn default_user_agent() -> String {
    format!(
        "scoway/{} (+{}; research use)",
        env!("CARGO_PKG_VERSION"),
        repository_url()
    )
}

/// Where the project lives, so that site operators can see who is fetching: the
/// `repository` of Cargo.toml, or the crate's registry page when none is set.
pub fn repository_url() -> &'static str {
    match env!("CARGO_PKG_REPOSITORY") {
        "" => "https://crates.io/crates/scoway",
        url => url,
    }
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub user_agent: String,
    /// Limit of one attempt, from connecting to the last byte of the body: a body that
    /// trickles in fails when it is reached.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff delay; doubled at each retry, with jitter.
    pub retry_base: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured: a server asking for more gets no retry, and the
    /// URL fails at once, saying so.
    pub max_retry_after: Duration,
    /// Minimum time between two requests to the same host.
    pub rate_per_host: Duration,
    /// Bodies larger than this are refused.
    pub max_bytes: u64,
    /// Say on stderr when waiting for a retry (`Retry-After` or backoff) of a second or more.
    pub announce_waits: bool,
}

/// Validators from a previous response, for a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response that ended the retry loop.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub final_url: String,
    pub headers: HeaderMap,
    /// Empty for 304.
    pub body: Vec<u8>,
    pub attempts: u32,
}

impl Response {
    pub fn not_modified(&self) -> bool {
        self.status == StatusCode::NOT_MODIFIED.as_u16()
    }

    pub fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// Why a URL could not be fetched.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub attempts: u32,
    pub status: Option<u16>,
    /// The failure was to connect (DNS, refused, unreachable): nothing came back.
    pub connect: bool,
}

pub struct Http {
    client: Client,
    settings: HttpSettings,
    next_slot: HashMap<String, Instant>,
    /// Any response at all (any status) in this run: the network works.
    pub reached_network: bool,
}

/// A transient failure worth retrying, with the server's `Retry-After` if it gave one.
struct Transient {
    message: String,
    status: Option<u16>,
    retry_after: Option<Duration>,
    connect: bool,
}

enum Attempt {
    Done(Response),
    Retry(Transient),
    Fail(Failure),
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Http, String> {
        let client = Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout.min(settings.timeout))
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| error_chain(&e))?;
        Ok(Http {
            client,
            settings,
            next_slot: HashMap::new(),
            reached_network: false,
        })
    }

    /// GETs `url`, retrying transient failures. With `fail_fast_on_connect`, a connection
    /// failure returns at once (the caller is checking whether there is a network at all).
    pub fn get(
        &mut self,
        url: &str,
        validators: Option<&Validators>,
        fail_fast_on_connect: bool,
    ) -> Result<Response, Failure> {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let max_attempts = self.settings.retries.saturating_add(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_for_slot(&host);
            let transient = match self.attempt(url, validators, attempt) {
                Attempt::Done(r) => return Ok(r),
                Attempt::Fail(f) => return Err(f),
                Attempt::Retry(t) => t,
            };
            if attempt >= max_attempts || (transient.connect && fail_fast_on_connect) {
                let message = if attempt > 1 {
                    format!("{} (after {attempt} attempts)", transient.message)
                } else {
                    transient.message
                };
                return Err(Failure {
                    message,
                    attempts: attempt,
                    status: transient.status,
                    connect: transient.connect,
                });
            }
            let delay = match transient.retry_after {
                Some(asked) if asked > self.settings.max_retry_after => {
                    return Err(Failure {
                        message: format!(
                            "{}: the server asks to retry after {} s, more than the {} s this \
                             run waits (--max-retry-after); not retried, try again later",
                            transient.message,
                            asked.as_secs(),
                            self.settings.max_retry_after.as_secs()
                        ),
                        attempts: attempt,
                        status: transient.status,
                        connect: false,
                    });
                }
                Some(asked) => asked,
                None => backoff(self.settings.retry_base, attempt, self.settings.max_backoff),
            };
            if self.settings.announce_waits && delay >= Duration::from_secs(1) {
                let why = if transient.retry_after.is_some() {
                    "as the server's Retry-After asks"
                } else {
                    "backoff"
                };
                eprintln!(
                    "  {}: waiting {:.0} s before retrying {url} ({why})",
                    transient.message,
                    delay.as_secs_f64()
                );
            }
            std::thread::sleep(delay);
        }
    }

    fn wait_for_slot(&mut self, host: &str) {
        let now = Instant::now();
        if let Some(next) = self.next_slot.get(host)
            && *next > now
        {
            std::thread::sleep(*next - now);
        }
        self.next_slot.insert(
            host.to_string(),
            Instant::now() + self.settings.rate_per_host,
        );
    }

    fn attempt(&mut self, url: &str, validators: Option<&Validators>, attempt: u32) -> Attempt {
        // A per-request timeout bounds the whole exchange, body included (the client's own
        // timeout bounds each read only, so a body trickling in would never end).
        let started = Instant::now();
        let mut req = self.client.get(url).timeout(self.settings.timeout);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = match req.send() {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(classify(&e, self.settings.timeout)),
        };
        self.reached_network = true;
        let status = resp.status();
        let final_url = resp.url().to_string();
        let headers = resp.headers().clone();
        if status == StatusCode::NOT_MODIFIED {
            return Attempt::Done(Response {
                status: status.as_u16(),
                final_url,
                headers,
                body: Vec::new(),
                attempts: attempt,
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error()
        {
            return Attempt::Retry(Transient {
                message: format!("HTTP {status}"),
                status: Some(status.as_u16()),
                retry_after: retry_after(&headers, SystemTime::now()),
                connect: false,
            });
        }
        if !status.is_success() {
            return Attempt::Fail(Failure {
                message: format!("HTTP {status}"),
                attempts: attempt,
                status: Some(status.as_u16()),
                connect: false,
            });
        }
        let max = self.settings.max_bytes;
        if resp.content_length().is_some_and(|n| n > max) {
            return Attempt::Fail(Failure {
                message: format!("the response is larger than the {max}-byte limit"),
                attempts: attempt,
                status: Some(status.as_u16()),
                connect: false,
            });
        }
        let mut body = Vec::new();
        if let Err(e) = resp.take(max.saturating_add(1)).read_to_end(&mut body) {
            let message = if started.elapsed() >= self.settings.timeout {
                format!(
                    "timed out after {} s with {} bytes of the body (--timeout bounds the whole \
                     response)",
                    self.settings.timeout.as_secs_f64(),
                    body.len()
                )
            } else {
                format!(
                    "the body broke off after {} bytes: {}",
                    body.len(),
                    io_chain(&e)
                )
            };
            return Attempt::Retry(Transient {
                message,
                status: Some(status.as_u16()),
                retry_after: None,
                connect: false,
            });
        }
        if body.len() as u64 > max {
            return Attempt::Fail(Failure {
                message: format!("the response is larger than the {max}-byte limit"),
                attempts: attempt,
                status: Some(status.as_u16()),
                connect: false,
            });
        }
        Attempt::Done(Response {
            status: status.as_u16(),
            final_url,
            headers,
            body,
            attempts: attempt,
        })
    }
}

fn classify(e: &reqwest::Error, timeout: Duration) -> Transient {
    let connect = e.is_connect();
    // reqwest's own top line repeats the URL ("error sending request for url (...)"); the
    // causes say what went wrong.
    let causes = match std::error::Error::source(e) {
        Some(source) => error_chain(source),
        None => e.to_string(),
    };
    let message = if e.is_timeout() && !connect {
        format!("timed out after {} s", timeout.as_secs_f64())
    } else if connect {
        format!("cannot connect: {causes}")
    } else {
        causes
    };
    Transient {
        message,
        status: None,
        retry_after: None,
        connect,
    }
}

/// An error and its sources, `: `-separated (reqwest's own message alone says little).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn io_chain(e: &std::io::Error) -> String {
    match e.get_ref() {
        Some(inner) => error_chain(inner),
        None => e.to_string(),
    }
}

/// Exponential backoff with jitter: `base · 2^(attempt-1)`, capped, times a random factor in
/// [0.5, 1] so that clients retrying together spread out.
pub fn backoff(base: Duration, attempt: u32, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(max);
    capped.mul_f64(rand::random_range(0.5..=1.0))
}

/// `Retry-After` as seconds or as an HTTP date (relative to `now`).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(when.timestamp()).ok()?);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            retry_after(&h, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(10)));
        let later = now + Duration::from_secs(100);
        assert_eq!(retry_after(&h, later), Some(Duration::ZERO));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for attempt in 1..=6 {
            let d = backoff(base, attempt, max);
            let full = (base * 2u32.pow(attempt - 1)).min(max);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
    }

    #[test]
    fn user_agent_names_the_tool_and_purpose() {
        let ua = default_user_agent();
        assert!(ua.starts_with("scoway/"), "{ua}");
        assert!(ua.contains("research use"), "{ua}");
    }
}
