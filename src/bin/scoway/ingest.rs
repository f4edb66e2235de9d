//! `scoway ingest PATH...`

use crate::Ctx;
use crate::catalog_args::CatalogArgs;
use scoway::corpus::ingest::{self, IngestOptions, Overrides};
use scoway::corpus::{DocStore, Lang, PutOutcome};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders (read recursively): .txt, .md, .html/.htm, .json, .pdf, .docx.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Document id (single file only).
    #[arg(long)]
    id: Option<String>,
    /// Date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    date: Option<chrono::NaiveDate>,
    /// Title (single file only).
    #[arg(long)]
    title: Option<String>,
    /// Issuing body: CHS (heads of state), CHG (heads of government) or another.
    #[arg(long)]
    body: Option<String>,
    /// Document type: declaration, communique, statement, ...
    #[arg(long = "type")]
    doc_type: Option<String>,
    /// Language: zh, ru or en (default: detected from the text).
    #[arg(long)]
    lang: Option<Lang>,
    /// No effect, kept for old scripts: traditional characters are detected and converted for
    /// analysis automatically (the stored document records the detected script).
    #[arg(long, hide = true)]
    to_simplified: bool,
    /// Follow symbolic links inside folders even when they lead out of the folder.
    #[arg(long)]
    follow_links: bool,
    /// Accept document dates outside 1900–2100.
    #[arg(long)]
    any_date: bool,
    /// Largest text of one document, in MB [default: 32]; a larger one is refused (building
    /// a document needs about 50 times its text in memory).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_document_mb: Option<u32>,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Print one JSON document with the outcome of every file.
    #[arg(long)]
    json: bool,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    ingest::parse_date(s).ok_or_else(|| format!("`{s}` is not a date (expected YYYY-MM-DD)"))
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = DocStore::open(ctx.data.store_dir())?;
    let catalog = args.catalog.load(ctx)?;
    let lookup = |id: &str, lang: Lang| catalog.meta_for(id, lang);
    let overrides = Overrides {
        id: args.id,
        date: args.date,
        title: args.title,
        body: args.body,
        doc_type: args.doc_type,
        lang: args.lang,
    };
    let opts = IngestOptions {
        follow_links: args.follow_links,
        any_date: args.any_date,
        max_document_mb: args.max_document_mb,
    };
    let reports = ingest::ingest_paths(&store, &args.paths, &overrides, Some(&lookup), &opts)?;

    let (mut added, mut replaced, mut unchanged, mut rejected) = (0, 0, 0, 0);
    let mut rows = Vec::new();
    for report in &reports {
        let file = report.path.display().to_string();
        for warning in &report.warnings {
            eprintln!("warning: {file}: {warning}");
        }
        for doc in &report.documents {
            match doc {
                Ok(doc) => {
                    let status = match &doc.outcome {
                        PutOutcome::Added => {
                            added += 1;
                            "added".to_string()
                        }
                        PutOutcome::Replaced => {
                            replaced += 1;
                            "replaced".to_string()
                        }
                        PutOutcome::Unchanged { duplicate_of } => {
                            unchanged += 1;
                            if *duplicate_of == doc.key {
                                "unchanged".to_string()
                            } else {
                                format!("unchanged (same bytes as {duplicate_of})")
                            }
                        }
                    };
                    if !args.json {
                        println!("{status:<10} {:<32} {:<3} {file}", doc.key.id, doc.key.lang);
                    }
                    rows.push(serde_json::json!({
                        "file": file, "id": doc.key.id, "lang": doc.key.lang,
                        "status": status, "warnings": report.warnings,
                    }));
                }
                Err(err) => {
                    rejected += 1;
                    eprintln!("rejected: {err}");
                    rows.push(serde_json::json!({
                        "file": file, "status": "rejected", "error": err.to_string(),
                    }));
                }
            }
        }
        if report.documents.is_empty() && !report.warnings.is_empty() {
            rows.push(serde_json::json!({
                "file": file, "status": "skipped", "warnings": report.warnings,
            }));
        }
    }
    if args.json {
        let summary = serde_json::json!({
            "added": added, "replaced": replaced, "unchanged": unchanged, "rejected": rejected,
            "files": rows,
        });
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        eprintln!(
            "{added} added, {replaced} replaced, {unchanged} unchanged, {rejected} rejected \
             (store: {})",
            store.dir().display()
        );
    }
    if rejected > 0 {
        eprintln!("{rejected} document(s) or path(s) were rejected; the others were stored");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
