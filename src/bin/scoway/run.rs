//! `scoway run`: the main job — fetch what is missing (or ingest a folder), build, and write
//! the trend table, charts and exports.
//!
//! Offline, it carries on with what there is: the documents already in the store, the raw
//! pages fetched earlier, and only when there is nothing at all the bundled fixture corpus,
//! in a data directory of its own (`<out>/fixture-data`), saying so loudly everywhere.

use crate::Ctx;
use crate::catalog_args::CatalogArgs;
use scoway::corpus::fetch::{self, FetchError, FetchOptions, UrlRewrite};
use scoway::corpus::{DocStore, Lang};
use scoway::layout::DataDir;
use scoway::pipeline::{self, BuildOptions, RunReport, demo_corpus};
use scoway::trends::ExportOptions;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    catalog: CatalogArgs,
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
    /// When the sources cannot be reached, stop with an error (exit 2) instead of carrying
    /// on with the documents already stored or, failing those, the bundled fixtures.
    #[arg(long)]
    no_fallback: bool,
    /// Do not draw the charts (SVG, and PNG when a font with Chinese glyphs is found).
    #[arg(long)]
    no_charts: bool,
}

/// The folder of `<out>` that holds the data of a run on the bundled fixtures: never the
/// user's data directory, so that no fixture ever mixes with real documents.
pub const FIXTURE_DATA: &str = "fixture-data";

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load(ctx)?;
    let mut failed_fetches = 0;
    let mut data = ctx.data.clone();
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut on_fixtures = false;
    match &args.from_dir {
        Some(dir) => inputs.push(dir.clone()),
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
            match fetch::fetch(&ctx.data, &catalog, &opts) {
                Ok(summary) => {
                    eprintln!(
                        "fetch: {} fetched, {} unchanged, {} failed, {} ingested",
                        summary.fetched, summary.unchanged, summary.failed, summary.ingested
                    );
                    for item in summary.items.iter().filter(|i| i.error.is_some()) {
                        eprintln!("  {}", fetch::describe(item));
                    }
                    failed_fetches = summary.failed;
                }
                Err(offline @ FetchError::Offline { .. }) => {
                    if args.no_fallback {
                        return Err(anyhow::Error::new(offline).context(
                            "the official sources cannot be reached (--no-fallback: no run on \
                             stored documents or fixtures)",
                        ));
                    }
                    eprintln!("warning: {offline}");
                    on_fixtures = !carry_on_offline(&ctx.data, &catalog, &opts)?;
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    if on_fixtures {
        data = DataDir::new(args.out.join(FIXTURE_DATA));
        inputs.push(demo_corpus::write_to(&data.root().join("demo-corpus"))?);
        shout_fixtures(&format!(
            "nothing was fetched or stored in {}, so this run uses the BUNDLED FIXTURE CORPUS \
             ({} test texts written by the scoway developers, NOT documents of the Shanghai \
             Cooperation Organisation). Its data directory is {} (kept apart from yours); \
             every output says so. For real results connect to the internet, or run with \
             --from-dir DIR on documents you hold.",
            ctx.data.root().display(),
            demo_corpus::documents().count(),
            data.root().display()
        ));
    } else {
        remove_stale_fixture_data(&args.out);
    }
    let lookup = |id: &str, lang: Lang| catalog.meta_for(id, lang);
    let report = pipeline::ingest_build_export(
        &data,
        &inputs,
        Some(&lookup),
        &args.out,
        &build_options(ctx, args.threads),
        &export_options(ctx, args.no_charts),
    )?;
    print_run_report(&report);
    print!("{}", report.export.trend_table);
    if on_fixtures {
        shout_fixtures(&format!(
            "the outputs in {} are made from the bundled fixture corpus, NOT from SCO documents",
            args.out.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
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

/// After the sources proved unreachable: stores the raw pages fetched earlier that are not
/// stored yet, and says what the run carries on with. `false` when there is nothing at all.
fn carry_on_offline(
    data: &DataDir,
    catalog: &scoway::corpus::catalog::Catalog,
    opts: &FetchOptions,
) -> anyhow::Result<bool> {
    let from_raw = fetch::ingest_fetched(data, catalog, opts)?;
    let added = from_raw
        .iter()
        .filter(|r| matches!(r.ingest.as_deref(), Some("added" | "replaced")))
        .count();
    for item in from_raw.iter().filter(|i| i.error.is_some()) {
        eprintln!("  {}", fetch::describe(item));
    }
    let stored = if data.store_dir().is_dir() {
        DocStore::open(data.store_dir())?.keys()?.len()
    } else {
        0
    };
    if stored == 0 {
        return Ok(false);
    }
    eprintln!(
        "warning: OFFLINE: carrying on with the {stored} document(s) already in {}{}; nothing \
         new was downloaded",
        data.store_dir().display(),
        if added > 0 {
            format!(" ({added} of them stored now from pages fetched earlier)")
        } else {
            String::new()
        }
    );
    Ok(true)
}

/// A warning that no one can miss, on stderr.
fn shout_fixtures(message: &str) {
    let rule = "=".repeat(78);
    eprintln!("{rule}\nWARNING: {message}\n{rule}");
}

/// An earlier run on the fixtures left its data in `<out>/fixture-data`; a run on real
/// documents replaces that run's outputs, so its data goes too (only if it is ours: it holds
/// the fixture corpus' NOTICE).
fn remove_stale_fixture_data(out: &Path) {
    let dir = out.join(FIXTURE_DATA);
    if dir.join("demo-corpus").join("NOTICE").is_file() {
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => eprintln!(
                "removed {} (the data of an earlier run on the bundled fixtures)",
                dir.display()
            ),
            Err(e) => eprintln!("warning: cannot remove {}: {e}", dir.display()),
        }
    }
}

/// Build options of `run` and `demo`: the global codebook, the given thread count.
pub fn build_options(ctx: &Ctx, threads: Option<usize>) -> BuildOptions {
    BuildOptions {
        codebook: ctx.codebook.clone(),
        threads,
    }
}

/// Export options of `run` and `demo`: defaults, with the global codebook.
pub fn export_options(ctx: &Ctx, no_charts: bool) -> ExportOptions {
    ExportOptions {
        codebook: ctx.codebook.clone(),
        charts: !no_charts,
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
