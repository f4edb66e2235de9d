//! `scoway endorsements`: who supported what, how strongly, and who was missing, by year.

use crate::Ctx;
use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use scoway::corpus::document::{DocMeta, Lang};
use scoway::corpus::store::DocStore;
use scoway::endorse::frame::{self, DocumentEndorsements};
use scoway::endorse::{Endorsement, Extractor, fold_case};
use scoway::report::{self, ChartOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Endorsement statements of the stored documents (no `build` needed), or of a text.
#[derive(clap::Args)]
pub struct Args {
    /// Only statements whose object contains TEXT (without case), e.g. 一带一路.
    #[arg(long, value_name = "TEXT")]
    object: Option<String>,
    /// Only statements that STATE (a code, a name or a short form: KZ, 哈方, India) made or
    /// was left out of.
    #[arg(long, value_name = "STATE")]
    member: Option<String>,
    /// From this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Up to this date (inclusive).
    #[arg(long)]
    to: Option<String>,
    /// Only this language version (zh, ru, en).
    #[arg(long)]
    lang: Option<String>,
    /// Read this text instead of the store (with --lang, default zh, and --date).
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// Date of the --text, for who the members were (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Draw the member × year chart of the grade for --object into DIR
    /// (`DIR/endorsements.svg`, and `.png` with a CJK font).
    #[arg(long, value_name = "DIR")]
    chart: Option<PathBuf>,
    /// Membership table to use instead of `<data-dir>/endorse/membership.tsv` or the bundled
    /// `corpus/membership.tsv`.
    #[arg(long, value_name = "FILE")]
    membership: Option<PathBuf>,
    /// Verb table to use instead of `<data-dir>/endorse/verbs.tsv` or the bundled
    /// `corpus/endorse/verbs.tsv`.
    #[arg(long, value_name = "FILE")]
    verbs: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    doc_id: &'a str,
    lang: Lang,
    date: NaiveDate,
    year: i32,
    body: &'a str,
    /// The --member's part: `endorses` or `absent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    member_role: Option<&'static str>,
    #[serde(flatten)]
    endorsement: &'a Endorsement,
}

#[derive(Serialize)]
struct Output<'a> {
    documents: usize,
    total: usize,
    endorsements: Vec<Row<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    charts: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    crate::search::quiet_broken_pipe(print(ctx, args))
}

fn print(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let (membership, verbs) = scoway::endorse::load_tables(
        Some(ctx.data.root()),
        args.membership.as_deref(),
        args.verbs.as_deref(),
    )?;
    let extractor = Extractor::new(membership.clone(), &verbs);
    let lang: Option<Lang> = args
        .lang
        .as_deref()
        .map(|l| {
            l.parse()
                .map_err(|e: String| anyhow::anyhow!("--lang: {e}"))
        })
        .transpose()?;
    let bound = |s: &Option<String>, end: bool, name: &str| -> anyhow::Result<Option<NaiveDate>> {
        s.as_deref()
            .map(|s| scoway::index::parse_date_bound(s, end).with_context(|| format!("--{name}")))
            .transpose()
    };
    let (from, to) = (
        bound(&args.from, false, "from")?,
        bound(&args.to, true, "to")?,
    );
    let member = match &args.member {
        Some(m) => Some(
            membership
                .find(m)
                .with_context(|| {
                    format!(
                        "--member {m}: not a state of the membership table (give a code such \
                         as KZ, or a name or short form such as 哈方 or India)"
                    )
                })?
                .code
                .clone(),
        ),
        None => None,
    };
    if args.chart.is_some() && args.object.is_none() {
        bail!("--chart draws the grades given to one object: give it with --object TEXT");
    }

    let docs = match &args.text {
        Some(text) => {
            let date = match &args.date {
                Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .with_context(|| format!("--date {d}: expected YYYY-MM-DD"))?,
                None => chrono::Local::now().date_naive(),
            };
            let lang = lang.unwrap_or(Lang::Zh);
            let Some(mut doc) = scoway::code::document_from_text("text", text, lang, true) else {
                bail!("--text is empty");
            };
            doc.meta.date = date;
            vec![doc]
        }
        None => {
            let dir = ctx.data.store_dir();
            if !dir.is_dir() {
                bail!(
                    "no document store in {} (run `scoway ingest` or `scoway fetch` first)",
                    dir.display()
                );
            }
            let store = DocStore::open(dir.clone())?;
            let mut docs = store
                .load_all()
                .with_context(|| format!("reading the store {}", dir.display()))?;
            docs.retain(|d| {
                lang.is_none_or(|l| d.meta.lang == l)
                    && from.is_none_or(|f| d.meta.date >= f)
                    && to.is_none_or(|t| d.meta.date <= t)
            });
            docs.sort_by(|a, b| (a.meta.date, &a.meta.id).cmp(&(b.meta.date, &b.meta.id)));
            docs
        }
    };
    let needle = args.object.as_deref().map(fold_case);
    let mut found: Vec<DocumentEndorsements> = frame::extract_all(&extractor, &docs);
    for d in &mut found {
        d.endorsements.retain(|e| {
            needle
                .as_ref()
                .is_none_or(|n| fold_case(&e.object).contains(n))
        });
    }

    let mut charts = Vec::new();
    if let (Some(dir), Some(object)) = (&args.chart, &args.object) {
        let grid = frame::grade_grid(
            &found,
            &membership,
            object,
            format!("“{object}”: 各成员国的支持等级 — grade of endorsement by member and year"),
        );
        if grid.years.is_empty() {
            eprintln!("note: no statement about `{object}`: no chart drawn");
        } else {
            let png = report::png_font().is_ok();
            let files = report::heatmap(
                &dir.join("endorsements"),
                &grid,
                &ChartOptions {
                    png,
                    subtitle: None,
                },
            )?;
            charts.extend(files.iter().map(|f| f.display().to_string()));
        }
    }

    let mut rows: Vec<Row> = Vec::new();
    for d in &found {
        let on_date = membership.members_on(d.meta.date);
        for e in &d.endorsements {
            let role = match &member {
                None => None,
                Some(m) if e.endorsers(&on_date).contains(&m.as_str()) => Some("endorses"),
                Some(m) if e.absent.iter().flatten().any(|a| a == m) => Some("absent"),
                Some(_) => continue,
            };
            rows.push(row(&d.meta, e, role));
        }
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let o = Output {
            documents: found.len(),
            total: rows.len(),
            endorsements: rows,
            charts,
        };
        serde_json::to_writer_pretty(&mut out, &o)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut by_year: BTreeMap<i32, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by_year.entry(r.year).or_default().push(r);
    }
    for (year, rows) in &by_year {
        writeln!(out, "{year} — {} statement(s)", rows.len())?;
        for r in rows {
            let e = r.endorsement;
            let who = match e.subject_kind {
                scoway::endorse::SubjectKind::List | scoway::endorse::SubjectKind::Single => {
                    format!(
                        "{} [{}]",
                        e.subject_kind.as_str(),
                        e.subject_states.join(" ")
                    )
                }
                kind => kind.as_str().to_string(),
            };
            let negation = if e.negated { "NOT " } else { "" };
            writeln!(
                out,
                "  {}.{} ¶{}  {who}: {} {negation}{} ({}, grade {}, {}){}",
                r.doc_id,
                r.lang,
                e.paragraph,
                e.subject,
                e.verb,
                e.verb_label,
                e.grade,
                e.strength.as_str(),
                r.member_role
                    .map(|m| format!("  [--member: {m}]"))
                    .unwrap_or_default()
            )?;
            let proposers = if e.proposers.is_empty() {
                String::new()
            } else {
                format!(" (proposed by {})", e.proposers.join(" "))
            };
            writeln!(
                out,
                "      {}: {}{proposers}",
                e.object_kind.as_str(),
                e.object
            )?;
            if let Some(absent) = &e.absent
                && !absent.is_empty()
            {
                writeln!(out, "      absent: {}", absent.join(" "))?;
            }
        }
    }
    if rows.is_empty() {
        writeln!(out, "no endorsement statement found")?;
    }
    for c in &charts {
        eprintln!("wrote {c}");
    }
    Ok(ExitCode::SUCCESS)
}

fn row<'a>(meta: &'a DocMeta, e: &'a Endorsement, role: Option<&'static str>) -> Row<'a> {
    Row {
        doc_id: &meta.id,
        lang: meta.lang,
        date: meta.date,
        year: meta.date.year(),
        body: &meta.body,
        member_role: role,
        endorsement: e,
    }
}

/// The rows of `trends --strength`: the strength table of the stored documents' endorsements
/// (of the body and language of `filter`) over the paragraph codes of `codes`.
pub fn strength_rows(
    ctx: &Ctx,
    codes: &scoway::trends::Codes,
    filter: &scoway::trends::TrendFilter,
) -> anyhow::Result<polars::prelude::DataFrame> {
    let dir = ctx.data.store_dir();
    let store = DocStore::open(dir.clone())?;
    let mut docs = store
        .load_all()
        .with_context(|| format!("reading the store {}", dir.display()))?;
    let all = scoway::trends::ALL;
    docs.retain(|d| {
        (filter.body == all || d.meta.body == filter.body)
            && (filter.lang == all || d.meta.lang.as_str() == filter.lang)
    });
    let (membership, verbs) = scoway::endorse::load_tables(Some(ctx.data.root()), None, None)?;
    let found = frame::extract_all(&Extractor::new(membership.clone(), &verbs), &docs);
    let endorsements = frame::endorsements_frame(&found, &membership)?;
    Ok(frame::strength_table(
        polars::prelude::IntoLazy::lazy(endorsements),
        codes.paragraph_codes.clone(),
    )
    .collect()?)
}
