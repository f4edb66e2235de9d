//! `scoway export`: every frame (Parquet and CSV), charts, data dictionary and manifest.

use crate::Ctx;
use scoway::trends::{BreakOptions, DEFAULT_RESAMPLES, DEFAULT_SEED, ExportOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Write the trend frames as Parquet and CSV, SVG/PNG charts, DATA_DICTIONARY.md and
/// manifest.json into a directory. Needs `scoway build` first.
#[derive(clap::Args)]
pub struct Args {
    /// Output directory (created if needed; files of the same name are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Bootstrap resamples for the confidence intervals (0: none).
    #[arg(long, default_value_t = DEFAULT_RESAMPLES)]
    resamples: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Break detection penalty (multiplier of σ²·ln n; larger finds fewer breaks).
    #[arg(long, default_value_t = BreakOptions::default().penalty)]
    penalty: f64,
    /// Minimum number of years in a segment between breaks.
    #[arg(long, default_value_t = BreakOptions::default().min_segment)]
    min_segment: usize,
    /// Do not draw the charts (they need a font with Chinese glyphs).
    #[arg(long)]
    no_charts: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let opts = ExportOptions {
        codebook: ctx.codebook.clone(),
        resamples: args.resamples,
        seed: args.seed,
        confidence: args.confidence,
        breaks: BreakOptions {
            penalty: args.penalty,
            min_segment: args.min_segment,
        },
        charts: !args.no_charts,
    };
    let report = scoway::trends::export(&ctx.data, &args.out, &opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        let value = serde_json::json!({
            "out_dir": report.out_dir,
            "documents": report.documents,
            "breaks": report.breaks,
            "frames": report.frames.iter().map(|(n, r)| serde_json::json!({"frame": n, "rows": r})).collect::<Vec<_>>(),
            "files": report.files,
            "warnings": report.warnings,
            "timings_ms": report.timings.iter().map(|(step, t)| serde_json::json!({"step": step, "ms": t.as_secs_f64() * 1000.0})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "exported {} documents to {} ({} files, {} breaks)",
            report.documents,
            report.out_dir.display(),
            report.files.len(),
            report.breaks
        );
        for (name, rows) in &report.frames {
            println!("  {name:<16} {rows:>9} rows");
        }
    }
    Ok(ExitCode::SUCCESS)
}
