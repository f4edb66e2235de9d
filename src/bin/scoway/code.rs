//! `scoway code`: code a stored document or a text against the codebook, with the evidence.

use crate::Ctx;
use crate::search::{Style, quiet_broken_pipe};
use anyhow::{Context, bail};
use scoway::code::{self, Codebook, Coder, DIMENSIONS, DocumentCodes};
use scoway::corpus::{DocKey, DocStore, Document, Lang};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["doc", "text"])))]
pub struct Args {
    /// Id of a stored document (see `scoway catalog` or the store).
    #[arg(long)]
    doc: Option<String>,
    /// A text to code; paragraphs are split as ingest splits them.
    #[arg(long)]
    text: Option<String>,
    /// Language: of `--text` (default: guessed from the script), or which version of `--doc`
    /// (needed when the document is stored in several languages).
    #[arg(long)]
    lang: Option<Lang>,
    /// Also list paragraphs that are not coded (their hits, if any, are shown too).
    #[arg(long)]
    all: bool,
    /// Print one JSON document (`paragraphs` with labels, scores and evidence; `document`).
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let codebook = Codebook::load(ctx.codebook.as_deref())?;
    let coder = Coder::new(&codebook)?;
    let doc: Document = match (&args.doc, &args.text) {
        (Some(id), _) => stored_version(ctx, id, args.lang)?,
        (None, Some(text)) => {
            let lang = args
                .lang
                .unwrap_or_else(|| scoway::corpus::ingest::detect_lang(text));
            match code::document_from_text("text", text, lang, true) {
                Some(d) => d,
                None => bail!("the text to code is empty"),
            }
        }
        (None, None) => bail!("give --doc ID or --text TEXT"),
    };
    let tokens = code::segment_document(&doc);
    let codes = coder.code_document(&doc, &tokens);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &codes)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect(&stdout);
    write_text(&mut out, &style, &doc, &codes, &codebook, args.all)?;
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The stored version of document `id` in `lang`, or its only version when `lang` is not
/// given.
pub fn stored_version(ctx: &Ctx, id: &str, lang: Option<Lang>) -> anyhow::Result<Document> {
    let store = DocStore::open(ctx.data.store_dir())?;
    let langs = store.langs_of(id)?;
    let lang = match (lang, langs.as_slice()) {
        (_, []) => bail!(
            "no document `{id}` in the store {} (ingest it first, or use --text)",
            store.dir().display()
        ),
        (Some(l), _) if !langs.contains(&l) => bail!(
            "document `{id}` is stored in {} but not in {l}",
            join_langs(&langs)
        ),
        (Some(l), _) => l,
        (None, [only]) => *only,
        (None, _) => bail!(
            "document `{id}` is stored in {}: choose one with --lang",
            join_langs(&langs)
        ),
    };
    store
        .get(&DocKey::new(id, lang))?
        .with_context(|| format!("document `{id}` ({lang}) vanished from the store"))
}

fn join_langs(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn write_text(
    out: &mut impl Write,
    style: &Style,
    doc: &Document,
    codes: &DocumentCodes,
    codebook: &Codebook,
    all: bool,
) -> anyhow::Result<()> {
    let s = &codes.document;
    writeln!(
        out,
        "{}  ({}, {} paragraphs, {} tokens; codebook {} {})",
        style.bold(&codes.doc_id),
        doc.meta.lang,
        s.paragraphs,
        s.tokens,
        codebook
            .path()
            .map_or_else(|| "bundled".to_string(), |p| p.display().to_string()),
        &codes.codebook_hash[..12.min(codes.codebook_hash.len())],
    )?;
    writeln!(
        out,
        "coded paragraphs: {}/{}   dominant: {}",
        s.coded_paragraphs,
        s.paragraphs,
        s.dominant.as_deref().unwrap_or("none")
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<27} {:>6} {:>9} {:>9} {:>7} {:>7}",
        "dimension", "hits", "weighted", "per 1k", "coded", "share"
    )?;
    for d in DIMENSIONS {
        if let Some(m) = s.dimensions.get(d) {
            writeln!(
                out,
                "{:<27} {:>6} {:>9.2} {:>9.2} {:>7} {:>6.0}%",
                d,
                m.hits,
                m.weighted_hits,
                m.per_1k_tokens,
                m.coded_paragraphs,
                m.share_coded * 100.0
            )?;
        }
    }
    let chars: Vec<char> = doc.original.chars().collect();
    for (p, pc) in doc.paragraphs.iter().zip(&codes.paragraphs) {
        if pc.labels.is_empty() && !all {
            continue;
        }
        writeln!(out)?;
        let labels = if pc.labels.is_empty() {
            "not coded".to_string()
        } else {
            pc.labels.join(", ")
        };
        writeln!(out, "¶{}  [{}]", pc.index, style.bold(&labels))?;
        // Highlight each evidence span once (several dimensions may share a span).
        let mut spans: Vec<(usize, usize)> = pc
            .evidence
            .iter()
            .map(|e| (e.char_start, e.char_end))
            .collect();
        spans.sort_unstable();
        spans.dedup();
        let (from, to) = (p.char_start.min(chars.len()), p.char_end.min(chars.len()));
        let mut line = String::new();
        let mut at = from;
        for (a, b) in spans {
            let (a, b) = (a.clamp(from, to), b.clamp(from, to));
            if a < at {
                continue;
            }
            line.extend(&chars[at..a]);
            line.push_str(&style.mark(&chars[a..b].iter().collect::<String>()));
            at = b;
        }
        line.extend(&chars[at..to]);
        writeln!(out, "   {}", line.replace('\n', " "))?;
        for e in &pc.evidence {
            let cue = e
                .cue
                .as_deref()
                .map(|c| format!(" cue {c}"))
                .unwrap_or_default();
            let bp = if e.boilerplate { " boilerplate" } else { "" };
            writeln!(
                out,
                "     {:<27} {:<26} {} ({} {}{bp}{cue}, w {:.2}, chars {}..{})",
                e.dimension,
                e.indicator,
                e.matched,
                e.rule.as_str(),
                e.term,
                e.weight,
                e.char_start,
                e.char_end
            )?;
        }
    }
    Ok(())
}
