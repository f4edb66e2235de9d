//! `scoway validate --gold FILE.jsonl`: compare the coder with hand-coded gold units (and with
//! each human coder, beside the coders' own agreement). `--parallel` compares the language
//! versions of the stored documents instead (as `scoway parallel`).

use crate::Ctx;
use crate::search::quiet_broken_pipe;
use anyhow::Context;
use scoway::code::validate::{
    Comparison, DimensionMetrics, ValidationReport, load_gold, same_labels, validate,
};
use scoway::code::{Codebook, Coder, DIMENSIONS};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Gold file: JSON Lines `{"text": "...", "labels": [...]}`, optionally with the label sets
    /// of individual coders (`"coder1": [...]`, `"coder2": [...]`), as in `../shared/gold/real/`.
    #[arg(long, required_unless_present = "parallel")]
    gold: Option<PathBuf>,
    /// Instead of a gold file: do the stored documents' language versions get the same codes?
    /// (The same as `scoway parallel`.)
    #[arg(long, conflicts_with_all = ["gold", "errors"])]
    parallel: bool,
    #[command(flatten)]
    select: crate::parallel::Selection,
    /// List every unit the coder reads differently from the gold.
    #[arg(long)]
    errors: bool,
    /// Print one JSON document (per-dimension figures, macro-F1, accuracy, per-unit results).
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let Some(gold) = args.gold.clone().filter(|_| !args.parallel) else {
        return crate::parallel::run(
            ctx,
            crate::parallel::Args {
                select: args.select,
                json: args.json,
            },
        );
    };
    quiet_broken_pipe(print(ctx, &args, gold))
}

fn alpha(a: Option<f64>) -> String {
    a.map_or_else(|| "n/a".to_string(), |a| format!("{a:.3}"))
}

fn print(ctx: &Ctx, args: &Args, gold: PathBuf) -> anyhow::Result<ExitCode> {
    let codebook = Codebook::load(ctx.codebook.as_deref())?;
    let coder = Coder::new(&codebook)?;
    let units = load_gold(&gold)?;
    let report = validate(&coder, &units);
    let source = codebook
        .path()
        .map_or_else(|| "bundled".to_string(), |p| p.display().to_string());
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "gold": gold.display().to_string(),
            "codebook_hash": codebook.hash(),
            "codebook_version": codebook.name().1,
            "codebook_source": source,
            "report": report,
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "gold {}: {} units ({} single-label); codebook {} {} {}",
        gold.display(),
        report.units,
        report.single_label_units,
        codebook.name().1,
        source,
        &codebook.hash()[..12]
    )?;
    writeln!(out)?;
    write_table(
        &mut out,
        "scoway against the reference labels",
        &report.dimensions,
    )?;
    writeln!(
        out,
        "macro-F1: {:.3} (mean over the {} dimensions present: {})",
        report.macro_f1,
        report.macro_dimensions.len(),
        report.macro_dimensions.join(", ")
    )?;
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
    write_coders(&mut out, &report)?;
    if !report.by_language.is_empty() {
        writeln!(out)?;
        writeln!(out, "by language (scoway against the reference):")?;
        for l in &report.by_language {
            let f1s: Vec<String> = l
                .dimensions
                .iter()
                .filter(|m| m.support > 0)
                .map(|m| format!("{} {:.2}", short(&m.dimension), m.f1))
                .collect();
            writeln!(
                out,
                "  {:<3} {:>4} units  macro-F1 {:.3}  ({})",
                l.lang.as_str(),
                l.units,
                l.macro_f1,
                f1s.join(", ")
            )?;
        }
    }
    if let Some(x) = &report.cross_language {
        writeln!(out)?;
        let pairs: Vec<String> = x
            .by_pair
            .iter()
            .map(|(k, (n, share))| format!("{k} {:.0} % of {n}", share * 100.0))
            .collect();
        writeln!(
            out,
            "the same paragraph in two languages: identical labels in {:.0} % of {} pairs as \
             coded ({}), {:.0} % in the gold",
            x.identical_coded * 100.0,
            x.pairs,
            pairs.join(", "),
            x.identical_gold * 100.0
        )?;
    }
    if !report.confusion.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "single-label units, reference → coder's dominant dimension:"
        )?;
        for (g, row) in &report.confusion {
            let cells: Vec<String> = row.iter().map(|(p, n)| format!("{p} {n}")).collect();
            writeln!(out, "  {g:<27} {}", cells.join(", "))?;
        }
    }
    if args.errors {
        write_errors(&mut out, &report)?;
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn short(dimension: &str) -> &str {
    match dimension {
        "security_spillover" => "security",
        "differential_institutions" => "institutions",
        "networked_circles" => "circles",
        "balanced_power" => "balance",
        d => d,
    }
}

fn write_table(out: &mut impl Write, title: &str, dims: &[DimensionMetrics]) -> anyhow::Result<()> {
    writeln!(out, "{title}:")?;
    writeln!(
        out,
        "{:<27} {:>7} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6} {:>7}",
        "dimension", "support", "tp", "fp", "fn", "precision", "recall", "F1", "alpha"
    )?;
    for m in dims {
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
            alpha(m.alpha)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// scoway against each coder, beside the coders' own agreement (the ceiling), per dimension.
fn write_coders(out: &mut impl Write, report: &ValidationReport) -> anyhow::Result<()> {
    if report.against_coders.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "F1 per dimension, side by side (scoway against the reference and each coder; the \
         coders against each other, the ceiling):"
    )?;
    let human = report.human_agreement.as_ref();
    let mut header = format!("{:<27} {:>9}", "dimension", "reference");
    for c in &report.against_coders {
        header.push_str(&format!(" {:>9}", c.reference));
    }
    if let Some(h) = human {
        for p in &h.pairs {
            header.push_str(&format!(
                " {:>15}",
                format!("{}~{}", p.reference, p.candidate)
            ));
        }
        header.push_str(&format!(" {:>12}", "coder alpha"));
    }
    writeln!(out, "{header}")?;
    let f1 = |c: &Comparison, d: usize| {
        let m = &c.dimensions[d];
        if m.support == 0 && m.false_positives == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", m.f1)
        }
    };
    for (d, key) in DIMENSIONS.iter().enumerate() {
        let m = &report.dimensions[d];
        let mut row = format!("{key:<27} {:>9.3}", m.f1);
        for c in &report.against_coders {
            row.push_str(&format!(" {:>9}", f1(c, d)));
        }
        if let Some(h) = human {
            for p in &h.pairs {
                row.push_str(&format!(" {:>15}", f1(p, d)));
            }
            row.push_str(&format!(
                " {:>12}",
                alpha(h.alpha.get(*key).copied().flatten())
            ));
        }
        writeln!(out, "{row}")?;
    }
    let mut row = format!("{:<27} {:>9.3}", "macro-F1", report.macro_f1);
    for c in &report.against_coders {
        row.push_str(&format!(" {:>9.3}", c.macro_f1));
    }
    if let Some(h) = human {
        for p in &h.pairs {
            row.push_str(&format!(" {:>15.3}", p.macro_f1));
        }
    }
    writeln!(out, "{row}")?;
    Ok(())
}

fn write_errors(out: &mut impl Write, report: &ValidationReport) -> anyhow::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "units read differently (unit: reference | coded | dominant [| coders]):"
    )?;
    for r in report.results.iter().filter(|r| {
        !same_labels(&r.gold, &r.predicted)
            || (r.gold.len() == 1 && r.dominant.as_ref() != r.gold.first())
    }) {
        let coders: Vec<String> = r
            .coders
            .iter()
            .map(|(k, l)| format!("{k} {}", l.join(",")))
            .collect();
        writeln!(
            out,
            "  {:>4} {}: {} | {} | {}{}",
            r.line,
            r.name,
            r.gold.join(","),
            r.predicted.join(","),
            r.dominant.as_deref().unwrap_or("none"),
            if coders.is_empty() {
                String::new()
            } else {
                format!(" | {}", coders.join("; "))
            }
        )?;
    }
    Ok(())
}
