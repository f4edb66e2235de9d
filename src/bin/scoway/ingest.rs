//! `scoway ingest PATH...`

use crate::Ctx;
use scoway::corpus::catalog::Catalog;
use scoway::corpus::ingest::{self, IngestOptions, Overrides};
use scoway::corpus::{DocStore, Lang, PutOutcome};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders (read recursively): .txt, .md, .html/.htm, .json.
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
    /// Convert traditional Chinese characters to simplified ones.
    #[arg(long)]
    to_simplified: bool,
    /// Catalogue used to fill metadata when a file name is a catalogue id (default: bundled).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Print one JSON document with the outcome of every file.
    #[arg(long)]
    json: bool,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    ingest::parse_date(s).ok_or_else(|| format!("`{s}` is not a date (expected YYYY-MM-DD)"))
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = DocStore::open(ctx.data.store_dir())?;
    let catalog = match &args.catalog {
        Some(path) => Catalog::load(path)?,
        None => Catalog::bundled(),
    };
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
        to_simplified: args.to_simplified,
    };
    let reports = ingest::ingest_paths(&store, &args.paths, &overrides, Some(&lookup), &opts)?;

    let (mut added, mut replaced, mut unchanged, mut rejected) = (0, 0, 0, 0);
    let mut rows = Vec::new();
    for report in &reports {
        let file = report.path.display().to_string();
        match &report.result {
            Ok(docs) => {
                for doc in docs {
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
                            if *duplicate_of == doc.id {
                                "unchanged".to_string()
                            } else {
                                format!("unchanged (same bytes as {duplicate_of})")
                            }
                        }
                    };
                    if !args.json {
                        println!("{status:<10} {:<32} {file}", doc.id);
                    }
                    rows.push(serde_json::json!({"file": file, "id": doc.id, "status": status}));
                }
            }
            Err(err) => {
                rejected += 1;
                eprintln!("rejected: {err}");
                rows.push(serde_json::json!({"file": file, "status": "rejected", "error": err.to_string()}));
            }
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
        eprintln!("{rejected} file(s) were rejected; the others were stored");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
