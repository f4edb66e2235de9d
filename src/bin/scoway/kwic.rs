//! `scoway kwic TERM`: every occurrence of a term with its context.

use crate::Ctx;
use crate::search::Style;
use anyhow::Context;
use clap::builder::RangedU64ValueParser;
use scoway::index::{self, KwicRequest, KwicSort};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Sort {
    /// By document date.
    Date,
    /// By document id.
    Doc,
}

#[derive(clap::Args)]
pub struct Args {
    /// The word or phrase to look for. A Han string is found wherever it stands, also inside
    /// longer words (see --words).
    term: String,
    /// Characters of context on each side (0 to 500).
    #[arg(long, default_value_t = 20,
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=index::MAX_WINDOW as u64))]
    window: usize,
    /// Whole words only: a Han string only where it stands as a word or a part the segmenter
    /// cuts out (as search's words match it, aliases included), not inside any longer word.
    #[arg(long)]
    words: bool,
    /// Order of the lines.
    #[arg(long, value_enum, default_value = "date")]
    sort: Sort,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    term: &'a str,
    total: usize,
    lines: &'a [index::KwicLine],
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    crate::search::quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let req = KwicRequest {
        term: args.term.clone(),
        window: args.window,
        words: args.words,
        sort: match args.sort {
            Sort::Date => KwicSort::Date,
            Sort::Doc => KwicSort::Doc,
        },
    };
    let lines = index::kwic(&ctx.data, &req)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let o = Output {
            term: &args.term,
            total: lines.len(),
            lines: &lines,
        };
        serde_json::to_writer_pretty(&mut out, &o)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect(&stdout);
    let id_w = lines.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let left_w = lines.iter().map(|l| width(&l.left)).max().unwrap_or(0);
    for l in &lines {
        let loc = format!("¶{}", l.paragraph);
        writeln!(
            out,
            "{}  {:<id_w$}  {:<5} {}{} {} {}",
            l.date,
            l.id,
            loc,
            " ".repeat(left_w - width(&l.left)),
            l.left,
            style.mark(&l.hit),
            l.right
        )?;
    }
    writeln!(
        out,
        "{} occurrence{} of {}",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        args.term
    )?;
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Display width in terminal columns: East Asian wide and full-width characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if scoway::text::is_wide(c) { 2 } else { 1 })
        .sum()
}
