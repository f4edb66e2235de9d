//! `scoway show ID`: a stored document as ingest kept it — metadata, provenance, paragraphs.

use crate::Ctx;
use crate::search::{Style, quiet_broken_pipe};
use anyhow::{Context, bail};
use scoway::corpus::fetch::{FetchDir, ProvenanceRecord};
use scoway::corpus::{DocKey, DocStore, Document, Lang, suggest};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Id of the document (`chs-2018-declaration`, or `chs-2018-declaration.ru` for a version).
    id: String,
    /// Which language version (needed when the document is stored in several languages).
    #[arg(long)]
    lang: Option<Lang>,
    /// Also print each paragraph's normalised text (what is indexed and coded).
    #[arg(long)]
    normalized: bool,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = DocStore::open(ctx.data.store_dir())?;
    let doc = find(&store, &args.id, args.lang)?;
    let key = doc.key();
    let languages = store.langs_of(&key.id)?;
    let provenance = FetchDir::new(ctx.data.fetch_dir())
        .latest()
        .context("cannot read the fetch provenance records")?
        .remove(&key.to_string());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let json = to_json(&doc, &languages, provenance.as_ref(), args.normalized);
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        let style = Style::detect(&stdout);
        write_text(
            &mut out,
            &style,
            &doc,
            &languages,
            provenance.as_ref(),
            args.normalized,
        )?;
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The version of `id` in `lang` (or its only version); `id` may also be `<id>.<lang>`.
/// When there is none, the error names the nearest stored ids or the languages there are.
fn find(store: &DocStore, id: &str, lang: Option<Lang>) -> anyhow::Result<Document> {
    let mut langs = store.langs_of(id).unwrap_or_default();
    let mut id = id.to_string();
    if langs.is_empty()
        && let Some(key) = DocKey::parse(&id)
        && lang.is_none_or(|l| l == key.lang)
        && store.get(&key)?.is_some()
    {
        langs = vec![key.lang];
        id = key.id;
    }
    let lang = match (lang, langs.as_slice()) {
        (_, []) => bail!("{}", not_found(store, &id)?),
        (Some(l), _) if !langs.contains(&l) => bail!(
            "document `{id}` is stored in {} but not in {l}: use {}",
            join_langs(&langs),
            lang_options(&langs)
        ),
        (Some(l), _) => l,
        (None, [only]) => *only,
        (None, _) => bail!(
            "document `{id}` is stored in {}: choose one with {}",
            join_langs(&langs),
            lang_options(&langs)
        ),
    };
    store
        .get(&DocKey::new(id.as_str(), lang))?
        .with_context(|| format!("document `{id}` ({lang}) vanished from the store"))
}

fn not_found(store: &DocStore, id: &str) -> anyhow::Result<String> {
    let keys = store.keys()?;
    if keys.is_empty() {
        return Ok(format!(
            "no document `{id}`: the store {} is empty (add documents with `scoway ingest` or \
             `scoway fetch`)",
            store.dir().display()
        ));
    }
    let mut ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    ids.dedup();
    let near = suggest::nearest(id, ids.iter().copied(), 5);
    Ok(if near.is_empty() {
        format!(
            "no document `{id}` in the store {} ({} documents; `scoway catalog` lists the \
             catalogued ones)",
            store.dir().display(),
            ids.len()
        )
    } else {
        format!(
            "no document `{id}` in the store {}; the nearest ids: {}",
            store.dir().display(),
            near.join(", ")
        )
    })
}

fn join_langs(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn lang_options(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(|l| format!("--lang {l}"))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn to_json(
    doc: &Document,
    languages: &[Lang],
    provenance: Option<&ProvenanceRecord>,
    normalized: bool,
) -> serde_json::Value {
    let originals = doc.original_paragraphs();
    let paragraphs: Vec<serde_json::Value> = doc
        .paragraphs
        .iter()
        .zip(originals)
        .map(|(p, original)| {
            let mut v = serde_json::json!({
                "index": p.index,
                "char_start": p.char_start,
                "char_end": p.char_end,
                "original": original,
            });
            if normalized {
                v["normalized"] = doc.paragraph_text(p).into();
            }
            v
        })
        .collect();
    serde_json::json!({
        "key": doc.key().to_string(),
        "meta": doc.meta,
        "source": doc.source,
        "sha256": doc.sha256,
        "chars": doc.original.chars().count(),
        "languages": languages,
        "provenance": provenance,
        "paragraphs": paragraphs,
    })
}

fn write_text(
    out: &mut impl Write,
    style: &Style,
    doc: &Document,
    languages: &[Lang],
    provenance: Option<&ProvenanceRecord>,
    normalized: bool,
) -> anyhow::Result<()> {
    let m = &doc.meta;
    writeln!(out, "{}  {}", style.bold(&doc.key().to_string()), m.title)?;
    let mut line = format!(
        "date {}  body {}  type {}  lang {}  script {}",
        m.date, m.body, m.doc_type, m.lang, m.script
    );
    if let Some(n) = m.meeting_no {
        line.push_str(&format!("  meeting {n}"));
    }
    if let Some(city) = &m.city {
        line.push_str(&format!("  city {city}"));
    }
    writeln!(out, "{line}")?;
    writeln!(out, "versions: {}", join_langs(languages))?;
    writeln!(out, "source: {}", doc.source)?;
    if let Some(url) = &m.source_url {
        writeln!(out, "source url: {url}")?;
    }
    writeln!(out, "sha256: {}", doc.sha256)?;
    match provenance {
        Some(r) => {
            writeln!(
                out,
                "fetched: {} from {} (HTTP {}, {} bytes, {} attempt{}), raw file {}",
                r.fetched_at,
                r.final_url,
                r.status,
                r.bytes,
                r.attempts,
                if r.attempts == 1 { "" } else { "s" },
                r.file
            )?;
            if r.sha256 != doc.sha256 {
                writeln!(
                    out,
                    "note: the stored text was not read from that fetch (another sha256)"
                )?;
            }
        }
        None => writeln!(out, "fetched: no (ingested from a file)")?,
    }
    writeln!(
        out,
        "{} paragraphs, {} characters{}",
        doc.paragraphs.len(),
        doc.original.chars().count(),
        if normalized {
            "; each paragraph as stored, then its normalised text when it differs"
        } else {
            ""
        }
    )?;
    for (p, original) in doc.paragraphs.iter().zip(doc.original_paragraphs()) {
        writeln!(out)?;
        writeln!(out, "[{}] {original}", p.index + 1)?;
        if normalized {
            let text = doc.paragraph_text(p);
            if text == original {
                writeln!(out, "    (normalised: the same)")?;
            } else {
                writeln!(out, "    normalised: {text}")?;
            }
        }
    }
    Ok(())
}
