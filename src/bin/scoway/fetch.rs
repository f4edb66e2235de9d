//! `scoway fetch`: download catalogue documents and ingest them.

use crate::Ctx;
use crate::catalog_args::CatalogArgs;
use anyhow::Context;
use scoway::corpus::Lang;
use scoway::corpus::fetch::{self, FetchOptions, Outcome, UrlRewrite};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Fetch only these catalogue ids.
    #[arg(long, num_args = 1.., value_name = "ID")]
    only: Vec<String>,
    /// Languages to fetch: zh, ru, en (repeat or comma-separate; default: all with a URL).
    #[arg(long, value_delimiter = ',', value_name = "LANG")]
    lang: Vec<Lang>,
    /// Show what would be fetched; download nothing.
    #[arg(long)]
    dry_run: bool,
    /// Fetch from this host instead of the catalogue's (path and query kept).
    #[arg(long, value_name = "URL", conflicts_with = "mirror_map")]
    base_url: Option<String>,
    /// TSV of `original_prefix<TAB>replacement_prefix` rewriting catalogue URLs.
    #[arg(long, value_name = "FILE")]
    mirror_map: Option<PathBuf>,
    /// Limit of one attempt in seconds: connecting, the headers and the whole body.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
    /// Retries after a failed attempt (timeouts, 429, 5xx, broken bodies).
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,
    /// First retry delay in milliseconds; doubled at each retry, with jitter.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    retry_base_ms: u64,
    /// Longest wait honoured from a `Retry-After` header, in seconds; a server asking for
    /// more fails that document at once (saying so) and the run moves on.
    #[arg(
        long,
        alias = "max-retry-wait",
        value_name = "SECS",
        default_value_t = 60
    )]
    max_retry_after: u64,
    /// Minimum delay between two requests to the same host, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3.0)]
    rate_per_host: f64,
    /// Pages with less main text than this (non-space characters) are failures.
    #[arg(long, value_name = "N", default_value_t = 300)]
    min_chars: usize,
    /// Keep the raw pages only; do not add the text to the document store.
    #[arg(long)]
    no_ingest: bool,
    /// No effect, kept for old scripts: traditional characters are detected and converted for
    /// analysis automatically.
    #[arg(long, hide = true)]
    to_simplified: bool,
    /// Print one JSON document with the outcome of every document.
    #[arg(long)]
    json: bool,
}

fn seconds(name: &str, secs: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(secs)
        .map_err(|_| anyhow::anyhow!("--{name} must be a non-negative number of seconds"))
}

impl Args {
    /// The library options these arguments stand for.
    pub fn options(&self) -> anyhow::Result<FetchOptions> {
        let rewrite = match (&self.base_url, &self.mirror_map) {
            (Some(url), _) => UrlRewrite::base_url(url)?,
            (None, Some(path)) => UrlRewrite::load_map(path)?,
            (None, None) => UrlRewrite::None,
        };
        let timeout = seconds("timeout", self.timeout)?;
        if timeout.is_zero() {
            anyhow::bail!("--timeout must be more than 0 seconds");
        }
        Ok(FetchOptions {
            langs: self.lang.clone(),
            only: self.only.clone(),
            dry_run: self.dry_run,
            rewrite,
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            retries: self.retries,
            retry_base: Duration::from_millis(self.retry_base_ms),
            max_retry_after: Duration::from_secs(self.max_retry_after),
            rate_per_host: seconds("rate-per-host", self.rate_per_host)?,
            min_chars: self.min_chars,
            ingest: !self.no_ingest,
            progress: !self.json,
            ..FetchOptions::default()
        })
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load(ctx)?;
    let opts = args.options()?;
    let mut summary = fetch::fetch(&ctx.data, &catalog, &opts).with_context(|| {
        format!(
            "fetch stopped (documents fetched before are kept in {})",
            ctx.data.fetch_dir().display()
        )
    })?;
    summary
        .notes
        .extend(catalog.warnings().iter().map(|w| format!("catalogue: {w}")));

    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if summary.dry_run {
        for item in &summary.items {
            match &item.error {
                None => println!("{}\t{}\t{}", item.doc_id, item.lang, item.request_url),
                Some(e) => eprintln!("cannot fetch {} ({}): {e}", item.doc_id, item.lang),
            }
        }
        eprintln!("{} document(s) would be fetched", summary.planned);
    }
    if !args.json {
        // The catalogue's warnings were printed as it loaded.
        for note in summary
            .notes
            .iter()
            .filter(|n| !n.starts_with("catalogue: "))
        {
            eprintln!("note: {note}");
        }
        if !summary.dry_run {
            let warnings = summary.warnings();
            if !warnings.is_empty() {
                eprintln!("warnings:");
                for w in &warnings {
                    eprintln!("  {w}");
                }
            }
            let failed: Vec<_> = summary
                .items
                .iter()
                .filter(|i| i.outcome == Outcome::Failed)
                .collect();
            if !failed.is_empty() {
                eprintln!("failed:");
                for i in &failed {
                    eprintln!(
                        "  {} ({}): {}",
                        i.doc_id,
                        i.request_url,
                        i.error.as_deref().unwrap_or("unknown error")
                    );
                }
            }
            eprintln!(
                "{} fetched, {} unchanged, {} failed; {} added to or replaced in the store \
                 (raw pages and provenance in {})",
                summary.fetched,
                summary.unchanged,
                summary.failed,
                summary.ingested,
                ctx.data.fetch_dir().display()
            );
        }
    }
    Ok(if summary.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
