//! `scoway catalog`: list the catalogue and what is fetched, ingested or missing.

use crate::Ctx;
use crate::catalog_args::CatalogArgs;
use chrono::Datelike;
use scoway::corpus::catalog::{BODIES, CatalogEntry, DOC_TYPES};
use scoway::corpus::fetch;
use scoway::corpus::{DocStore, Lang};
use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Only documents of this year.
    #[arg(long)]
    year: Option<i32>,
    /// Only documents of this body: CHS (heads of state) or CHG (heads of government).
    #[arg(long, value_parser = parse_body)]
    body: Option<String>,
    /// Only documents of this type: declaration, communique or statement.
    #[arg(long = "type", value_parser = parse_type)]
    doc_type: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

fn parse_body(s: &str) -> Result<String, String> {
    let up = s.to_ascii_uppercase();
    if BODIES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(format!("expected {}", BODIES.join(" or ")))
    }
}

fn parse_type(s: &str) -> Result<String, String> {
    let low = s.to_ascii_lowercase();
    if DOC_TYPES.contains(&low.as_str()) {
        Ok(low)
    } else {
        Err(format!("expected one of {}", DOC_TYPES.join(", ")))
    }
}

/// State of one language version of a document.
fn state(
    entry: &CatalogEntry,
    lang: Lang,
    fetched: &HashSet<String>,
    stored: &HashSet<String>,
) -> &'static str {
    let key = entry.key(lang).to_string();
    if stored.contains(&key) {
        "ingested"
    } else if fetched.contains(&key) {
        "fetched"
    } else if entry.url(lang).is_some() {
        "missing"
    } else {
        "no-url"
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load(ctx)?;
    let fetched: HashSet<String> = fetch::fetched_documents(&ctx.data)?.into_keys().collect();
    // Listing must not create a store in a data directory that has none.
    let stored: HashSet<String> = if ctx.data.store_dir().is_dir() {
        DocStore::open(ctx.data.store_dir())?
            .keys()?
            .into_iter()
            .map(|k| k.to_string())
            .collect()
    } else {
        HashSet::new()
    };

    let rows: Vec<&CatalogEntry> = catalog
        .iter()
        .filter(|e| args.year.is_none_or(|y| e.date.year() == y))
        .filter(|e| args.body.as_ref().is_none_or(|b| &e.body == b))
        .filter(|e| args.doc_type.as_ref().is_none_or(|t| &e.doc_type == t))
        .collect();

    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    let mut json_rows = Vec::new();
    if !args.json {
        println!(
            "{:<38} {:<10} {:<4} {:<11} {:<16} {:<9} {:<9} {:<9}",
            "id", "date", "body", "type", "city", "zh", "ru", "en"
        );
    }
    for e in &rows {
        let states: Vec<(Lang, &str)> = Lang::ALL
            .iter()
            .map(|&l| (l, state(e, l, &fetched, &stored)))
            .collect();
        for (_, s) in &states {
            *totals.entry(s).or_default() += 1;
        }
        if args.json {
            let status: BTreeMap<&str, &str> =
                states.iter().map(|(l, s)| (l.as_str(), *s)).collect();
            let mut v = serde_json::to_value(e)?;
            if let Some(obj) = v.as_object_mut() {
                obj.insert("status".into(), serde_json::to_value(status)?);
            }
            json_rows.push(v);
        } else {
            let cell = |s: &str| {
                if s == "no-url" {
                    "-".to_string()
                } else {
                    s.to_string()
                }
            };
            println!(
                "{:<38} {:<10} {:<4} {:<11} {:<16} {:<9} {:<9} {:<9}",
                e.id,
                e.date,
                e.body,
                e.doc_type,
                e.city.as_deref().unwrap_or("-"),
                cell(states[0].1),
                cell(states[1].1),
                cell(states[2].1),
            );
        }
    }
    let count = |k: &str| totals.get(k).copied().unwrap_or(0);
    if args.json {
        let out = serde_json::json!({
            "catalog": catalog.describe_sources(),
            "catalogs": catalog.sources(),
            "warnings": catalog.warnings(),
            "documents": rows.len(),
            "ingested": count("ingested"),
            "fetched": count("fetched"),
            "missing": count("missing"),
            "entries": json_rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        eprintln!(
            "{} document(s); language versions: {} ingested, {} fetched but not ingested, {} \
             missing (\"-\": the catalogue has no URL in that language)",
            rows.len(),
            count("ingested"),
            count("fetched"),
            count("missing"),
        );
    }
    Ok(ExitCode::SUCCESS)
}
