//! `scoway demo`: the whole pipeline, offline, on the bundled fixture corpus.

use crate::Ctx;
use crate::run::{build_options, export_options, print_run_report};
use scoway::layout::DataDir;
use scoway::pipeline::{self, demo_corpus};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the exports (frames, charts, data dictionary, manifest). Unless
    /// `--data-dir` is given, the demo's data directory is `<OUT>/data`.
    #[arg(long, default_value = "demo-out")]
    out: PathBuf,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Do not draw the charts (SVG, and PNG when a font with Chinese glyphs is found).
    #[arg(long)]
    no_charts: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let data = if ctx.data_dir_given {
        ctx.data.clone()
    } else {
        DataDir::new(args.out.join("data"))
    };
    let corpus = demo_corpus::write_to(&data.root().join("demo-corpus"))?;
    eprintln!(
        "demo corpus: {} TEST TEXTS written by the scoway developers in the style of summit \
         declarations. They are fixtures, NOT documents of the Shanghai Cooperation Organisation.",
        demo_corpus::documents().count()
    );
    let report = pipeline::ingest_build_export(
        &data,
        &[corpus],
        None,
        &args.out,
        &build_options(ctx, args.threads),
        &export_options(ctx, args.no_charts),
    )?;
    print_run_report(&report);
    if let Some(bad) = report.rejected().next() {
        // Our own fixtures must always ingest: a rejection here is a bug, not bad input.
        anyhow::bail!("a bundled fixture was rejected: {bad}");
    }
    print!("{}", report.export.trend_table);
    eprintln!("data directory: {}", data.root().display());
    Ok(ExitCode::SUCCESS)
}
