//! `scoway parallel` (also `scoway validate --parallel`): do the language versions of the
//! stored documents get the same codes?

use crate::Ctx;
use crate::search::{Style, quiet_broken_pipe};
use anyhow::bail;
use scoway::align::agreement::{LanguageAgreement, Side, across_languages};
use scoway::code::{Codebook, Coder};
use scoway::corpus::{DocStore, Document, Lang};
use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub select: Selection,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// Which documents and languages to compare (shared with `validate --parallel`).
#[derive(clap::Args)]
pub struct Selection {
    /// Only these documents (ids; default: every document stored in two or more languages).
    #[arg(long = "doc", value_name = "ID")]
    pub docs: Vec<String>,
    /// Only this pair of languages, e.g. `zh,ru` (default: every pair the store has).
    #[arg(long, value_name = "L1,L2", value_parser = parse_pair)]
    pub langs: Option<(Lang, Lang)>,
    /// Disagreeing paragraph pairs to print per language pair (0: none; `--json` has them all).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub show: u32,
}

fn parse_pair(s: &str) -> Result<(Lang, Lang), String> {
    let parts: Vec<&str> = s.split([',', '-', ' ']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [a, b] => {
            let (a, b): (Lang, Lang) = (a.parse()?, b.parse()?);
            if a == b {
                Err(format!("`{s}` names one language twice"))
            } else {
                Ok((a, b))
            }
        }
        _ => Err(format!("`{s}` is not two languages such as `zh,ru`")),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    if !ctx.data.store_dir().is_dir() {
        bail!(
            "no document store in {}: ingest documents in two languages first (e.g. \
             `x.zh.txt` and `x.ru.txt`)",
            ctx.data.root().display()
        );
    }
    let store = DocStore::open(ctx.data.store_dir())?;
    let keys = store.keys()?;
    let wanted: BTreeSet<&str> = args.select.docs.iter().map(String::as_str).collect();
    for id in &wanted {
        if !keys.iter().any(|k| k.id == *id) {
            bail!("no document `{id}` in the store {}", store.dir().display());
        }
    }
    let mut docs: Vec<Document> = Vec::new();
    for key in &keys {
        if !wanted.is_empty() && !wanted.contains(key.id.as_str()) {
            continue;
        }
        if keys.iter().filter(|k| k.id == key.id).count() < 2 {
            continue;
        }
        if let Some(doc) = store.get(key)? {
            docs.push(doc);
        }
    }
    if docs.is_empty() {
        bail!(
            "no document is stored in two languages{} (parallel versions share an id: \
             `x.zh.txt` and `x.ru.txt`, or `id` in the front matter and another `lang`)",
            if wanted.is_empty() {
                ""
            } else {
                " among those given"
            }
        );
    }
    let codebook = Codebook::load(ctx.codebook.as_deref())?;
    let coder = Coder::new(&codebook)?;
    let results = across_languages(&docs, &coder, args.select.langs);
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "codebook_hash": codebook.hash(),
            "language_pairs": results,
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.is_empty() {
        writeln!(out, "no document is stored in both languages asked for")?;
    }
    let style = Style::detect(&std::io::stdout());
    for r in &results {
        write_agreement(&mut out, &style, r, args.select.show as usize)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_agreement(
    out: &mut impl Write,
    style: &Style,
    r: &LanguageAgreement,
    show: usize,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "{} – {}: {} document(s), {} aligned paragraph pairs ({} without counterpart); identical \
         label sets: {:.0} %",
        style.bold(r.lang_a.as_str()),
        style.bold(r.lang_b.as_str()),
        r.documents.len(),
        r.pairs,
        r.unmatched,
        r.identical * 100.0
    )?;
    writeln!(
        out,
        "  {:<27} {:>6} {:>8} {:>8} {:>10} {:>7}",
        "dimension",
        "both",
        format!("{} only", r.lang_a),
        format!("{} only", r.lang_b),
        "agreement",
        "alpha"
    )?;
    for d in &r.dimensions {
        writeln!(
            out,
            "  {:<27} {:>6} {:>8} {:>8} {:>9.0}% {:>7}",
            d.dimension,
            d.both,
            d.only_a,
            d.only_b,
            d.agreement * 100.0,
            d.alpha
                .map_or_else(|| "—".to_string(), |a| format!("{a:.3}"))
        )?;
    }
    for d in r.disagreements.iter().take(show) {
        writeln!(out)?;
        writeln!(
            out,
            "  {} ({}), differs on {}:",
            d.id,
            d.kind,
            d.dimensions.join(", ")
        )?;
        write_side(out, style, &d.a)?;
        write_side(out, style, &d.b)?;
    }
    if r.disagreements.len() > show {
        writeln!(
            out,
            "\n  ... {} more disagreeing pair(s): --show N, or --json for all",
            r.disagreements.len() - show
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_side(out: &mut impl Write, style: &Style, s: &Side) -> anyhow::Result<()> {
    let paragraphs: Vec<String> = s.paragraphs.iter().map(|p| format!("¶{p}")).collect();
    let labels = if s.labels.is_empty() {
        "not coded".to_string()
    } else {
        s.labels.join(", ")
    };
    writeln!(
        out,
        "    {} {} [{}]",
        s.lang,
        paragraphs.join("+"),
        style.bold(&labels)
    )?;
    writeln!(out, "      {}", s.text.replace('\n', " "))?;
    for e in &s.evidence {
        writeln!(
            out,
            "      - {:<27} {:<26} {} ({} {})",
            e.dimension,
            e.indicator,
            e.matched,
            e.rule.as_str(),
            e.term
        )?;
    }
    Ok(())
}
