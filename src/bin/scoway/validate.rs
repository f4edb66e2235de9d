//! `scoway validate --gold FILE.jsonl`: compare the coder with hand-coded gold units.

use crate::Ctx;
use anyhow::Context;
use scoway::code::validate::{load_gold, validate};
use scoway::code::{Codebook, Coder};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Gold file: JSON Lines `{"text": "...", "labels": ["recognition", ...]}`.
    #[arg(long)]
    gold: PathBuf,
    /// List every unit the coder reads differently from the gold.
    #[arg(long)]
    errors: bool,
    /// Print one JSON document (per-dimension figures, macro-F1, accuracy, per-unit results).
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let codebook = Codebook::load(ctx.codebook.as_deref())?;
    let coder = Coder::new(&codebook)?;
    let units = load_gold(&args.gold)?;
    let report = validate(&coder, &units);
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "gold": args.gold.display().to_string(),
            "codebook_hash": codebook.hash(),
            "codebook_source": codebook.path().map_or_else(|| "bundled".to_string(), |p| p.display().to_string()),
            "report": report,
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "gold {}: {} units ({} single-label); codebook {} {}",
        args.gold.display(),
        report.units,
        report.single_label_units,
        codebook
            .path()
            .map_or_else(|| "bundled".to_string(), |p| p.display().to_string()),
        &codebook.hash()[..12]
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<27} {:>7} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6} {:>7}",
        "dimension", "support", "tp", "fp", "fn", "precision", "recall", "F1", "alpha"
    )?;
    for m in &report.dimensions {
        writeln!(
            out,
            "{:<27} {:>7} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3} {:>7}",
            m.dimension,
            m.support,
            m.true_positives,
            m.false_positives,
            m.false_negatives,
            m.precision,
            m.recall,
            m.f1,
            m.alpha
                .map_or_else(|| "n/a".to_string(), |a| format!("{a:.3}"))
        )?;
    }
    writeln!(out)?;
    writeln!(out, "macro-F1: {:.3}", report.macro_f1)?;
    match report.dominant_accuracy {
        Some(a) => writeln!(
            out,
            "dominant-dimension accuracy (single-label units): {a:.3} ({} units)",
            report.single_label_units
        )?,
        None => writeln!(
            out,
            "dominant-dimension accuracy: n/a (no single-label units)"
        )?,
    }
    if !report.confusion.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "single-label units, gold → coder's dominant dimension:"
        )?;
        for (gold, row) in &report.confusion {
            let cells: Vec<String> = row.iter().map(|(p, n)| format!("{p} {n}")).collect();
            writeln!(out, "  {gold:<27} {}", cells.join(", "))?;
        }
    }
    if args.errors {
        writeln!(out)?;
        writeln!(
            out,
            "units read differently (line: gold | coded | dominant):"
        )?;
        for r in report.results.iter().filter(|r| {
            let mut g = r.gold.clone();
            let mut p = r.predicted.clone();
            g.sort();
            p.sort();
            g != p || (r.gold.len() == 1 && r.dominant.as_ref() != r.gold.first())
        }) {
            writeln!(
                out,
                "  {:>4}: {} | {} | {}",
                r.line,
                r.gold.join(","),
                r.predicted.join(","),
                r.dominant.as_deref().unwrap_or("none")
            )?;
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
