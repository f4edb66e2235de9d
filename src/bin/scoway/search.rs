//! `scoway search QUERY`: ranked full-text search with filters and highlighted snippets.

use crate::Ctx;
use anyhow::Context;
use clap::builder::RangedU64ValueParser;
use scoway::corpus::Lang;
use scoway::index::{self, SearchRequest, Snippet};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Query in tantivy syntax: words (all must match), "a phrase", "a phrase"~2 (slop),
    /// AND, OR, NOT, parentheses, field:value (title, body, doc_type, lang, year, id).
    /// A Han string is found wherever it stands, also inside longer words (whole words rank
    /// first).
    query: String,
    /// Only documents dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Only documents dated on or before this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Only documents of this type (declaration, communique, statement, ...).
    #[arg(long = "type")]
    doc_type: Option<String>,
    /// Only documents of this body (CHS, CHG, ...).
    #[arg(long)]
    body: Option<String>,
    /// Only documents in this language (zh, ru, en).
    #[arg(long)]
    lang: Option<Lang>,
    /// Maximum number of documents shown (1 to 10000).
    #[arg(long, default_value_t = 10,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=index::MAX_LIMIT as u64))]
    limit: usize,
    /// Snippets shown per document (0 to 100).
    #[arg(long, default_value_t = 3,
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=index::MAX_SNIPPETS as u64))]
    snippets: usize,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    crate::search::quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let req = SearchRequest {
        from: args
            .from
            .as_deref()
            .map(|s| index::parse_date_bound(s, false))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|s| index::parse_date_bound(s, true))
            .transpose()?,
        doc_type: args.doc_type,
        body: args.body,
        lang: args.lang,
        limit: args.limit,
        snippets: args.snippets,
        query: args.query,
    };
    let results = index::search(&ctx.data, &req)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect(&stdout);
    writeln!(
        out,
        "{} document{} match {} (showing {})",
        results.total,
        if results.total == 1 { "" } else { "s" },
        results.query,
        results.hits.len()
    )?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{}. {}  {}  {} {} {}  score {:.2}",
            i + 1,
            style.bold(&hit.id),
            hit.date,
            hit.body,
            hit.doc_type,
            hit.lang,
            hit.score
        )?;
        writeln!(out, "   {}", hit.title)?;
        for s in &hit.snippets {
            writeln!(out, "   ¶{}  {}", s.paragraph, marked(s, &style))?;
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// A reader that stopped reading (`scoway search ... | head`) is not an error.
pub fn quiet_broken_pipe(result: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match result {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<serde_json::Error>()
                        .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            }) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

/// How highlights are shown: ANSI bold on a terminal, 【brackets】 otherwise.
pub struct Style {
    ansi: bool,
}

impl Style {
    pub fn detect(stdout: &std::io::Stdout) -> Self {
        Self {
            ansi: stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    pub fn bold(&self, s: &str) -> String {
        if self.ansi {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn mark(&self, s: &str) -> String {
        if self.ansi {
            format!("\x1b[1;31m{s}\x1b[0m")
        } else {
            format!("【{s}】")
        }
    }
}

/// The snippet with its highlights marked, on one line.
fn marked(s: &Snippet, style: &Style) -> String {
    let chars: Vec<char> = s
        .text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let mut out = String::new();
    let mut at = 0;
    for [start, end] in &s.highlights {
        let (a, b) = (
            start.saturating_sub(s.char_start).min(chars.len()),
            end.saturating_sub(s.char_start).min(chars.len()),
        );
        if a < at {
            continue;
        }
        out.extend(&chars[at..a]);
        out.push_str(&style.mark(&chars[a..b].iter().collect::<String>()));
        at = b;
    }
    out.extend(&chars[at..]);
    out
}
