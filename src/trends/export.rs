//! `scoway export`: every frame as Parquet and CSV, the charts, `DATA_DICTIONARY.md` and
//! `manifest.json`.

use super::dictionary::{self as dict, DictionaryParams, FrameSpec};
use super::{
    ALL, BreakOptions, Codes, DEFAULT_RESAMPLES, DEFAULT_SEED, PeriodBy, PolarsContext,
    TrendOptions, TrendsError, breaks, document_scores, documents, evidence, paragraph_codes,
    passages, term_emergence, trends,
};
use super::{TrendFilter, render_markdown};
use crate::code::Codebook;
use crate::layout::DataDir;
use crate::pipeline::demo_corpus;
use crate::publish::StagedDir;
use crate::report::{self, ChartOptions, HeatmapData, SeriesPoint, TrendLine};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Parameters of [`export`].
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Codebook whose terms `term_emergence` lists (`None`: the bundled one).
    pub codebook: Option<PathBuf>,
    /// Bootstrap resamples per trend row.
    pub resamples: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Confidence level of the bootstrap intervals.
    pub confidence: f64,
    /// Break detection.
    pub breaks: BreakOptions,
    /// Whether to draw the charts (SVG always; PNG too when a CJK font is found, see
    /// [`crate::report::find_font`]).
    pub charts: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            codebook: None,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
            confidence: 0.95,
            breaks: BreakOptions::default(),
            charts: true,
        }
    }
}

/// What [`export`] wrote.
#[derive(Debug, Clone, Default)]
pub struct ExportReport {
    pub out_dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// Rows of each exported frame.
    pub frames: Vec<(String, usize)>,
    pub documents: usize,
    pub breaks: usize,
    /// Things the user should know (e.g. codes built with another codebook).
    pub warnings: Vec<String>,
    /// Documents that are bundled fixtures (texts we wrote, see
    /// [`crate::pipeline::demo_corpus`]), not SCO documents: recognised by their hash.
    pub fixture_documents: usize,
    /// Wall time of each step, in order.
    pub timings: Vec<(String, Duration)>,
    /// The default trend table (by year, every body and language pooled) as Markdown, as
    /// written to `trends.md`; empty when there is no trend frame.
    pub trend_table: String,
}

/// Records the wall time of consecutive steps.
struct Laps {
    last: Instant,
    laps: Vec<(String, Duration)>,
}

impl Laps {
    fn new() -> Self {
        Self {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, step: &str) {
        let now = Instant::now();
        self.laps.push((step.to_string(), now - self.last));
        self.last = now;
    }
}

/// Reads the codes in `data`, builds every frame and writes them into `out` (created if
/// needed). Fails with [`TrendsError::NoCodes`] when `scoway build` has not run, and with
/// [`TrendsError::OutDir`] when `out` is a file system root, the data directory or a folder
/// inside it, or a symbolic link.
///
/// The new set of files replaces the old one as a whole (see [`crate::publish`]): a reader of
/// `out` sees the previous export or the new one, never a mix, even if the export is killed.
/// Files in `out` that scoway does not write (a user's notebooks) are kept.
pub fn export(
    data: &DataDir,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, TrendsError> {
    check_out_dir(data, out)?;
    let start = Instant::now();
    let codes = Codes::open(data)?;
    let opened = start.elapsed();
    let mut report = export_codes(&codes, out, opts)?;
    report.timings.insert(0, ("open codes".to_string(), opened));
    Ok(report)
}

/// Refuses export folders that would clobber what must not be touched.
fn check_out_dir(data: &DataDir, out: &Path) -> Result<(), TrendsError> {
    let refuse = |reason: &str| TrendsError::OutDir {
        path: out.to_path_buf(),
        reason: reason.to_string(),
    };
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(refuse(
            "it is a symbolic link, and scoway never writes through one; give the real folder",
        ));
    }
    // The folder may not exist yet: judge by its nearest existing ancestor.
    let absolute = std::path::absolute(out).map_err(|source| TrendsError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let resolved = resolve_existing(&absolute);
    if resolved.parent().is_none() {
        return Err(refuse("it is the root of the file system"));
    }
    if let Ok(home) = std::env::var("HOME")
        && let Ok(home) = std::fs::canonicalize(home)
        && resolved == home
    {
        return Err(refuse("it is your home folder; give a folder of its own"));
    }
    if let Ok(data_root) = std::fs::canonicalize(data.root())
        && resolved.starts_with(&data_root)
    {
        return Err(refuse(&format!(
            "it is inside the data directory {}, which holds the store, the index and the codes; \
             give a folder outside it",
            data_root.display()
        )));
    }
    Ok(())
}

/// `path` with its longest existing prefix canonicalised (links resolved) and the rest kept.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p: PathBuf, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Whether `name` (an entry of an export folder) is one scoway writes: replaced by every
/// export, never carried over from the previous one.
fn is_export_file(name: &str) -> bool {
    let frame = name
        .strip_suffix(".parquet")
        .or_else(|| name.strip_suffix(".csv"));
    frame.is_some_and(|f| dict::EXPORTED.iter().any(|spec| spec.name == f))
        || matches!(
            name,
            "charts" | "DATA_DICTIONARY.md" | "manifest.json" | "trends.md"
        )
}

/// [`export`] from already opened codes.
pub fn export_codes(
    codes: &Codes,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, TrendsError> {
    if opts.breaks.penalty.is_nan() || opts.breaks.penalty < 0.0 {
        return Err(TrendsError::Option {
            option: "penalty",
            message: format!("{} is not a non-negative number", opts.breaks.penalty),
        });
    }
    let mut laps = Laps::new();
    let codebook = Codebook::load(opts.codebook.as_deref())?;
    laps.lap("load codebook");
    let mut report = ExportReport {
        out_dir: out.to_path_buf(),
        ..ExportReport::default()
    };
    let codebook_hash = codebook.hash();
    if let Some(built) = codes.codebook_hash()
        && built != codebook_hash
    {
        report.warnings.push(format!(
            "the codes were built with another codebook (sha256 {built}) than the one exported \
             ({codebook_hash}); term_emergence lists the current codebook's terms. Run `scoway \
             build` to recode."
        ));
    }

    let trend_opts = |by| TrendOptions {
        by,
        resamples: opts.resamples,
        seed: opts.seed,
        confidence: opts.confidence,
    };
    let collect = |spec: &FrameSpec, lf: LazyFrame| -> Result<DataFrame, TrendsError> {
        lf.collect().context(|| format!("building {}", spec.name))
    };
    let documents = collect(&dict::DOCUMENTS, documents(codes))?;
    laps.lap("documents");
    let trends_year = trends(codes, &trend_opts(PeriodBy::Year))?;
    laps.lap("trends by year");
    let trends_meeting = trends(codes, &trend_opts(PeriodBy::Meeting))?;
    laps.lap("trends by meeting");
    let breaks_df = breaks(&trends_year, opts.breaks)?;
    laps.lap("breaks");
    let (emergence, yearly) = term_emergence(codes, &codebook.all_terms())?;
    laps.lap("term emergence");
    let (passages, passage_warnings) = passages(codes)?;
    report.warnings.extend(passage_warnings);
    laps.lap("passages");
    let data_root = codes.store_dir.as_deref().and_then(Path::parent);
    let (membership, verbs) = crate::endorse::load_tables(data_root, None, None)?;
    let extractor = crate::endorse::Extractor::new(membership.clone(), &verbs);
    let endorsed = stored_endorsements(codes, &extractor)?;
    let endorsements_df = crate::endorse::frame::endorsements_frame(&endorsed, &membership)
        .context(|| "building endorsements".to_string())?;
    let strength_df = crate::endorse::frame::strength_table(
        endorsements_df.clone().lazy(),
        codes.paragraph_codes.clone(),
    )
    .collect()
    .context(|| "building endorsement_strength".to_string())?;
    laps.lap("endorsements");
    let frames: Vec<(&FrameSpec, DataFrame)> = vec![
        (&dict::DOCUMENTS, documents),
        (
            &dict::PARAGRAPH_CODES,
            collect(&dict::PARAGRAPH_CODES, paragraph_codes(codes))?,
        ),
        (
            &dict::DOCUMENT_SCORES,
            collect(&dict::DOCUMENT_SCORES, document_scores(codes)?)?,
        ),
        (&dict::TRENDS, trends_year),
        (&dict::TRENDS_MEETING, trends_meeting),
        (&dict::TERM_EMERGENCE, emergence),
        (&dict::TERM_YEARLY, yearly),
        (&dict::BREAKS, breaks_df),
        (&dict::EVIDENCE, collect(&dict::EVIDENCE, evidence(codes))?),
        (&dict::PASSAGES, passages),
        (&dict::ENDORSEMENTS, endorsements_df),
        (&dict::ENDORSEMENT_STRENGTH, strength_df),
    ];
    laps.lap("paragraph codes, document scores, evidence");

    let staged = StagedDir::new(out)?;
    let dir = staged.path();
    let written: Vec<Vec<PathBuf>> = frames
        .par_iter()
        .map(|(spec, df)| write_frame(dir, spec, df))
        .collect::<Result<_, _>>()?;
    report.files.extend(written.into_iter().flatten());
    laps.lap("write Parquet and CSV");
    report.frames = frames
        .iter()
        .map(|(spec, df)| (spec.name.to_string(), df.height()))
        .collect();
    let frame = |name: &str| {
        frames
            .iter()
            .find(|(spec, _)| spec.name == name)
            .map(|(_, df)| df)
    };
    report.documents = frame("documents").map_or(0, DataFrame::height);
    report.breaks = frame("breaks").map_or(0, DataFrame::height);
    let hashes = document_hashes(frame("documents"))?;
    report.fixture_documents = fixture_documents(frame("documents"))?;
    let fixture_note = fixture_note(report.fixture_documents, report.documents);
    if let Some(note) = &fixture_note {
        report.warnings.push(note.clone());
    }

    if opts.charts {
        if let (Some(trends_year), Some(breaks_df)) = (frame("trends"), frame("breaks")) {
            let png = match report::png_font() {
                Ok(_) => true,
                Err(missing) => {
                    report.warnings.push(format!(
                        "PNG charts not drawn: {missing}. The SVG charts are written (their \
                         text is drawn by the viewer's fonts)."
                    ));
                    false
                }
            };
            let chart_opts = ChartOptions {
                png,
                subtitle: fixture_note.as_ref().map(|_| FIXTURE_SUBTITLE.to_string()),
            };
            let charts = draw_charts(dir, trends_year, breaks_df, &codes.dimensions, &chart_opts)?;
            if charts.is_empty() {
                report
                    .warnings
                    .push("no charts: there are no coded documents".to_string());
            }
            report.files.extend(charts);
            let grid = crate::endorse::frame::grade_grid(
                &endorsed,
                &membership,
                BELT_AND_ROAD.0,
                BELT_AND_ROAD.1.to_string(),
            );
            if !grid.years.is_empty() {
                report.files.extend(report::heatmap(
                    &dir.join("charts").join("endorsements_belt_and_road"),
                    &grid,
                    &chart_opts,
                )?);
            }
        }
        laps.lap("charts");
    }

    let params = DictionaryParams {
        resamples: opts.resamples,
        confidence: opts.confidence,
        seed: opts.seed,
        penalty: opts.breaks.penalty,
        min_segment: opts.breaks.min_segment.max(1),
    };
    if let Some(trends_year) = frame("trends") {
        let filter = TrendFilter::default();
        let by_year = trend_opts(PeriodBy::Year);
        let rows = filter.apply(trends_year, PeriodBy::Year, &codes.dimensions)?;
        let mut table = String::new();
        if let Some(note) = &fixture_note {
            table.push_str(&format!("> **WARNING — {note}.**\n\n"));
        }
        table.push_str(&render_markdown(
            &rows,
            &filter,
            &by_year,
            &codes.dimensions,
        )?);
        report.trend_table = table;
        let table_path = dir.join("trends.md");
        write_text(&table_path, &report.trend_table)?;
        report.files.push(table_path);
    }
    let dictionary_path = dir.join("DATA_DICTIONARY.md");
    write_text(&dictionary_path, &dict::render_markdown(&params))?;
    report.files.push(dictionary_path);

    let manifest_path = dir.join("manifest.json");
    let manifest = manifest(codes, &codebook, &params, &report, hashes, dir)?;
    let text = serde_json::to_string_pretty(&manifest).map_err(|source| TrendsError::Json {
        path: manifest_path.clone(),
        source,
    })?;
    write_text(&manifest_path, &text)?;
    report.files.push(manifest_path);
    // Written in the staging folder; reported where they are after publishing.
    for file in &mut report.files {
        if let Ok(rel) = file.strip_prefix(dir) {
            *file = out.join(rel);
        }
    }
    staged.publish(is_export_file)?;
    laps.lap("dictionary, manifest and publishing");
    report.timings = laps.laps;
    Ok(report)
}

/// The object of the grade chart of every export: what it matches, and its caption.
const BELT_AND_ROAD: (&str, &str) = (
    "一带一路",
    "“一带一路”倡议: 各成员国的支持等级 — grade of endorsement by member and year (0: left out of a list)",
);

/// The endorsements of the stored documents that were coded (same key and bytes as in the
/// codes), so that their paragraph numbers are those of `paragraph_codes`.
fn stored_endorsements(
    codes: &Codes,
    extractor: &crate::endorse::Extractor,
) -> Result<Vec<crate::endorse::frame::DocumentEndorsements>, TrendsError> {
    let Some(store_dir) = codes.store_dir.as_ref().filter(|d| d.is_dir()) else {
        return Ok(Vec::new());
    };
    let documents = codes
        .documents
        .clone()
        .collect()
        .context(|| "reading documents".to_string())?;
    let coded = document_hashes(Some(&documents))?;
    let store = crate::corpus::store::DocStore::open(store_dir.clone()).map_err(|e| {
        TrendsError::Store {
            path: store_dir.clone(),
            message: e.to_string(),
        }
    })?;
    let docs: Vec<_> = store
        .load_all()
        .map_err(|e| TrendsError::Store {
            path: store_dir.clone(),
            message: e.to_string(),
        })?
        .into_iter()
        .filter(|d| coded.get(&d.key().to_string()) == Some(&d.sha256))
        .collect();
    Ok(crate::endorse::frame::extract_all(extractor, &docs))
}

fn write_text(path: &Path, text: &str) -> Result<(), TrendsError> {
    std::fs::write(path, text).map_err(|source| TrendsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `<name>.parquet` and `<name>.csv`.
fn write_frame(out: &Path, spec: &FrameSpec, df: &DataFrame) -> Result<Vec<PathBuf>, TrendsError> {
    let parquet = out.join(format!("{}.parquet", spec.name));
    let csv = out.join(format!("{}.csv", spec.name));
    let create = |path: &Path| {
        File::create(path).map_err(|source| TrendsError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let mut df = df.clone();
    // Snappy: read by every Parquet reader, and cheaper to write than zstd for these sizes.
    ParquetWriter::new(create(&parquet)?)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .context(|| format!("writing {}", parquet.display()))?;
    CsvWriter::new(BufWriter::new(create(&csv)?))
        .include_header(true)
        .finish(&mut df)
        .context(|| format!("writing {}", csv.display()))?;
    Ok(vec![parquet, csv])
}

/// Above the charts of a corpus with fixtures in it.
pub const FIXTURE_SUBTITLE: &str =
    "FIXTURE CORPUS: bundled test texts written by the scoway developers, not SCO documents";

/// What the exports say about a corpus holding `fixtures` bundled fixtures among `documents`.
pub fn fixture_note(fixtures: usize, documents: usize) -> Option<String> {
    if fixtures == 0 {
        None
    } else if fixtures == documents {
        Some(format!(
            "FIXTURE CORPUS: all {documents} documents are {} (test texts written by the \
             scoway developers); no figure here says anything about the SCO",
            demo_corpus::FIXTURE_CORPUS
        ))
    } else {
        Some(format!(
            "FIXTURE DOCUMENTS: {fixtures} of the {documents} documents are {} (test texts \
             written by the scoway developers); the figures mix them with real documents",
            demo_corpus::FIXTURE_CORPUS
        ))
    }
}

/// Rows of the `documents` frame (document versions) whose bytes are a bundled fixture's.
fn fixture_documents(documents: Option<&DataFrame>) -> Result<usize, TrendsError> {
    let Some(df) = documents else {
        return Ok(0);
    };
    let hashes = df
        .column("sha256")
        .and_then(|c| c.str().cloned())
        .context(|| "reading documents.sha256".to_string())?;
    Ok(hashes
        .iter()
        .flatten()
        .filter(|sha| demo_corpus::is_fixture(sha))
        .count())
}

/// Document version (`<id>.<lang>`) → sha256, from the `documents` frame.
fn document_hashes(documents: Option<&DataFrame>) -> Result<BTreeMap<String, String>, TrendsError> {
    let mut corpus = BTreeMap::new();
    if let Some(df) = documents {
        let ctx = || "reading documents.sha256".to_string();
        let text = |name: &str| df.column(name).and_then(|c| c.str().cloned()).context(ctx);
        let (ids, langs, hashes) = (text("id")?, text("lang")?, text("sha256")?);
        for ((id, lang), hash) in ids.iter().zip(langs.iter()).zip(hashes.iter()) {
            if let (Some(id), Some(lang), Some(hash)) = (id, lang, hash) {
                corpus.insert(format!("{id}.{lang}"), hash.to_string());
            }
        }
    }
    Ok(corpus)
}

fn manifest(
    codes: &Codes,
    codebook: &Codebook,
    params: &DictionaryParams,
    report: &ExportReport,
    corpus: BTreeMap<String, String>,
    out: &Path,
) -> Result<serde_json::Value, TrendsError> {
    let description = if report.fixture_documents == 0 {
        "documents of the data directory's store".to_string()
    } else if report.fixture_documents == report.documents {
        demo_corpus::FIXTURE_CORPUS.to_string()
    } else {
        format!(
            "{} of {} documents are {}",
            report.fixture_documents,
            report.documents,
            demo_corpus::FIXTURE_CORPUS
        )
    };
    let files: Vec<String> = report
        .files
        .iter()
        .map(|p| {
            p.strip_prefix(out)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let frames: BTreeMap<&str, usize> = report
        .frames
        .iter()
        .map(|(name, rows)| (name.as_str(), *rows))
        .collect();
    Ok(serde_json::json!({
        "tool": "scoway export",
        "scoway_version": env!("CARGO_PKG_VERSION"),
        "codebook": {
            "sha256": codebook.hash(),
            "path": codebook.path().map(|p| p.display().to_string()),
            "codes_built_with": codes.codebook_hash(),
        },
        "codes_manifest": codes.manifest,
        "corpus": {
            "description": description,
            "fixture_documents": report.fixture_documents,
            "documents": corpus.len(),
            "sha256": corpus,
        },
        "parameters": {
            "bootstrap_resamples": params.resamples,
            "confidence": params.confidence,
            "seed": params.seed,
            "rolling_window": 3,
            "break_method": "binary segmentation, L2 cost, threshold = penalty × σ² × ln(n)",
            "break_penalty": params.penalty,
            "break_min_segment": params.min_segment,
        },
        "frames": frames,
        "files": files,
        "warnings": report.warnings,
    }))
}

/// Bodies drawn as separate lines in the per-dimension charts, in this order.
fn body_label(body: &str) -> String {
    match body {
        "CHS" => "CHS declarations (heads of state)".to_string(),
        "CHG" => "CHG communiqués (heads of government)".to_string(),
        other => other.to_string(),
    }
}

/// One line chart per dimension (share by year, a line per body, pooled languages, with
/// bands and breaks) and the dimension × year heatmap (all bodies, all languages).
fn draw_charts(
    out: &Path,
    trends_year: &DataFrame,
    breaks_df: &DataFrame,
    dimensions: &[String],
    chart_opts: &ChartOptions,
) -> Result<Vec<PathBuf>, TrendsError> {
    if trends_year.height() == 0 {
        return Ok(Vec::new());
    }
    let ctx = || "preparing the charts".to_string();
    let rows = trends_year
        .clone()
        .lazy()
        .filter(col("lang").eq(lit(ALL)))
        .select([
            col("body"),
            col("dimension"),
            col("year"),
            col("share_paragraphs"),
            col("ci_low"),
            col("ci_high"),
        ])
        .sort(
            ["body", "dimension", "year"],
            SortMultipleOptions::default(),
        )
        .collect()
        .context(ctx)?;
    let text = |df: &DataFrame, name: &str| -> Result<Vec<String>, TrendsError> {
        Ok(df
            .column(name)
            .and_then(|c| c.str().cloned())
            .context(ctx)?
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    };
    let ints = |df: &DataFrame, name: &str| -> Result<Vec<i32>, TrendsError> {
        Ok(df
            .column(name)
            .and_then(|c| c.cast(&DataType::Int32))
            .and_then(|c| c.i32().cloned())
            .context(ctx)?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let floats = |df: &DataFrame, name: &str| -> Result<Vec<f64>, TrendsError> {
        Ok(df
            .column(name)
            .and_then(|c| c.f64().cloned())
            .context(ctx)?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    let (body, dimension, year) = (
        text(&rows, "body")?,
        text(&rows, "dimension")?,
        ints(&rows, "year")?,
    );
    let (share, low, high) = (
        floats(&rows, "share_paragraphs")?,
        floats(&rows, "ci_low")?,
        floats(&rows, "ci_high")?,
    );
    let brk = breaks_df
        .clone()
        .lazy()
        .filter(col("lang").eq(lit(ALL)))
        .collect()
        .context(ctx)?;
    let (brk_body, brk_dim, brk_year, brk_shift) = (
        text(&brk, "body")?,
        text(&brk, "dimension")?,
        ints(&brk, "break_year")?,
        floats(&brk, "shift")?,
    );

    let bodies: Vec<String> = {
        let mut b: Vec<String> = body.iter().filter(|b| *b != ALL).cloned().collect();
        b.sort_by_key(|x| (x != "CHS", x != "CHG", x.clone()));
        b.dedup();
        b
    };
    let mut jobs: Vec<(PathBuf, String, Vec<TrendLine>)> = Vec::new();
    for d in dimensions {
        let mut series = Vec::new();
        for b in &bodies {
            let points: Vec<SeriesPoint> = (0..rows.height())
                .filter(|&i| &body[i] == b && &dimension[i] == d)
                .map(|i| SeriesPoint {
                    x: year[i],
                    y: 100.0 * share[i],
                    low: 100.0 * low[i],
                    high: 100.0 * high[i],
                })
                .collect();
            if points.is_empty() {
                continue;
            }
            let breaks = (0..brk.height())
                .filter(|&i| &brk_body[i] == b && &brk_dim[i] == d)
                .map(|i| (brk_year[i], 100.0 * brk_shift[i]))
                .collect();
            series.push(TrendLine {
                label: body_label(b),
                points,
                breaks,
            });
        }
        jobs.push((
            out.join("charts").join(format!("trend_{d}")),
            d.clone(),
            series,
        ));
    }

    let years: Vec<i32> = {
        let mut y: Vec<i32> = (0..rows.height())
            .filter(|&i| body[i] == ALL)
            .map(|i| year[i])
            .collect();
        y.sort_unstable();
        y.dedup();
        y
    };
    let values: Vec<Vec<Option<f64>>> = dimensions
        .iter()
        .map(|d| {
            years
                .iter()
                .map(|y| {
                    (0..rows.height())
                        .find(|&i| body[i] == ALL && &dimension[i] == d && year[i] == *y)
                        .map(|i| 100.0 * share[i])
                })
                .collect()
        })
        .collect();
    let heatmap = HeatmapData {
        rows: dimensions.to_vec(),
        years,
        values,
        title: None,
        unit: None,
    };

    std::fs::create_dir_all(out.join("charts")).map_err(|source| TrendsError::Io {
        path: out.join("charts"),
        source,
    })?;
    let mut files: Vec<PathBuf> = jobs
        .par_iter()
        .map(|(stem, d, series)| report::line_chart(stem, d, series, chart_opts))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    files.extend(report::heatmap(
        &out.join("charts").join("heatmap"),
        &heatmap,
        chart_opts,
    )?);
    Ok(files)
}
