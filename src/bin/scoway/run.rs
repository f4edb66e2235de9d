//! `scoway run`: the main job — fetch what is missing (or ingest a folder), build, and write
//! the trend table, charts and exports.

use crate::Ctx;
use scoway::corpus::Lang;
use scoway::corpus::catalog::Catalog;
use scoway::corpus::fetch::{self, FetchOptions, UrlRewrite};
use scoway::pipeline::{self, BuildOptions, RunReport};
use scoway::trends::ExportOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Catalogue of documents to fetch (default: the bundled `corpus/catalog.tsv`).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Ingest this folder instead of fetching (no network needed).
    #[arg(long)]
    from_dir: Option<PathBuf>,
    /// Where to write the trend table, frames, charts, data dictionary and manifest.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Fetch only these catalogue ids.
    #[arg(long, num_args = 1..)]
    only: Vec<String>,
    /// Fetch only these languages (default: every language the catalogue has a URL for).
    #[arg(long)]
    lang: Vec<Lang>,
    /// Fetch from this host instead of the catalogue's (a mirror or local archive).
    #[arg(long)]
    base_url: Option<String>,
    /// Worker threads for the build (default: every core).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let catalog = match &args.catalog {
        Some(path) => Catalog::load(path)?,
        None => Catalog::bundled(),
    };
    let mut failed_fetches = 0;
    let inputs = match &args.from_dir {
        Some(dir) => vec![dir.clone()],
        None => {
            let opts = FetchOptions {
                langs: args.lang.clone(),
                only: args.only.clone(),
                rewrite: match &args.base_url {
                    Some(url) => UrlRewrite::base_url(url)?,
                    None => UrlRewrite::None,
                },
                progress: std::io::stderr().is_terminal(),
                ..FetchOptions::default()
            };
            let summary = fetch::fetch(&ctx.data, &catalog, &opts)?;
            eprintln!(
                "fetch: {} fetched, {} unchanged, {} failed, {} ingested",
                summary.fetched, summary.unchanged, summary.failed, summary.ingested
            );
            for item in summary.items.iter().filter(|i| i.error.is_some()) {
                eprintln!("  {}", fetch::describe(item));
            }
            failed_fetches = summary.failed;
            Vec::new()
        }
    };
    let lookup = |id: &str, lang: Lang| catalog.meta_for(id, lang);
    let report = pipeline::ingest_build_export(
        &ctx.data,
        &inputs,
        Some(&lookup),
        &args.out,
        &build_options(ctx, args.threads),
        &export_options(ctx),
    )?;
    print_run_report(&report);
    print!("{}", report.export.trend_table);
    let rejected = report.rejected().count();
    if rejected + failed_fetches > 0 {
        eprintln!(
            "{failed_fetches} download(s) failed and {rejected} file(s) were rejected; \
             everything else went through the pipeline"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Build options of `run` and `demo`: the global codebook, the given thread count.
pub fn build_options(ctx: &Ctx, threads: Option<usize>) -> BuildOptions {
    BuildOptions {
        codebook: ctx.codebook.clone(),
        threads,
    }
}

/// Export options of `run` and `demo`: defaults, with the global codebook.
pub fn export_options(ctx: &Ctx) -> ExportOptions {
    ExportOptions {
        codebook: ctx.codebook.clone(),
        ..ExportOptions::default()
    }
}

/// Prints what each stage of a run did (stderr: stdout stays free for data).
pub fn print_run_report(report: &RunReport) {
    let stored: usize = report.ingest.iter().map(|r| r.stored().count()).sum();
    if !report.ingest.is_empty() {
        eprintln!(
            "ingest: {stored} document(s) stored or unchanged, {} rejected",
            report.rejected().count()
        );
    }
    for file in &report.ingest {
        for warning in &file.warnings {
            eprintln!("  warning: {}: {warning}", file.path.display());
        }
    }
    for err in report.rejected() {
        eprintln!("  rejected: {err}");
    }
    let b = &report.build;
    eprintln!(
        "build: {} documents ({} paragraphs), {} indexed, {} removed, {} coded in {:.2} s",
        b.documents, b.paragraphs, b.indexed, b.removed, b.coded, b.seconds
    );
    let e = &report.export;
    eprintln!(
        "export: {} files in {} ({} documents, {} breaks)",
        e.files.len(),
        e.out_dir.display(),
        e.documents,
        e.breaks
    );
    for warning in &e.warnings {
        eprintln!("  warning: {warning}");
    }
    for file in &e.files {
        eprintln!("  {}", file.display());
    }
}
