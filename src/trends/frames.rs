//! The frames: documents, paragraph codes, document scores, trends.

use super::dictionary::{self as dict};
use super::{ALL, Codes, PeriodBy, PolarsContext, TrendOptions, TrendsError, bootstrap};
use polars::prelude::*;

/// Document metadata joined onto paragraph-level and evidence frames.
fn doc_meta(codes: &Codes, extra: &[&str]) -> LazyFrame {
    let mut cols = vec![
        col("id").alias("doc_id"),
        col("date"),
        col("year"),
        col("body"),
        col("lang"),
        col("meeting_no"),
    ];
    cols.extend(extra.iter().map(|c| col(*c)));
    codes.documents.clone().select(cols)
}

fn on(keys: &[&str]) -> Vec<Expr> {
    keys.iter().map(|k| col(*k)).collect()
}

fn join(left: LazyFrame, right: LazyFrame, keys: &[&str], how: JoinType) -> LazyFrame {
    left.join(right, on(keys), on(keys), JoinArgs::new(how))
}

/// What identifies a document version in every frame: its id and its language.
pub(crate) const DOC_KEY: [&str; 2] = ["doc_id", "lang"];

/// Documents in date order (then id and language): the order of every per-document frame.
fn sorted_meta(codes: &Codes, extra: &[&str]) -> LazyFrame {
    doc_meta(codes, extra).sort(["date", "doc_id", "lang"], SortMultipleOptions::default())
}

/// `right` rows of known documents, with their metadata, in document order (date, id) and,
/// within a document, in their input order. Cheaper than sorting the long frame.
fn in_document_order(codes: &Codes, right: LazyFrame, extra: &[&str]) -> LazyFrame {
    sorted_meta(codes, extra).join(
        right,
        on(&DOC_KEY),
        on(&DOC_KEY),
        JoinArgs {
            maintain_order: MaintainOrderJoin::LeftRight,
            ..JoinArgs::new(JoinType::Inner)
        },
    )
}

/// `documents`: one row per document.
pub fn documents(codes: &Codes) -> LazyFrame {
    dict::DOCUMENTS.conform(
        codes
            .documents
            .clone()
            .sort(["date", "id", "lang"], SortMultipleOptions::default()),
    )
}

/// `paragraph_codes`: one row per paragraph × dimension, with the document metadata.
pub fn paragraph_codes(codes: &Codes) -> LazyFrame {
    dict::PARAGRAPH_CODES.conform(in_document_order(codes, codes.paragraph_codes.clone(), &[]))
}

/// `evidence`: every match with its document metadata.
pub fn evidence(codes: &Codes) -> LazyFrame {
    dict::EVIDENCE.conform(in_document_order(codes, codes.evidence.clone(), &["title"]))
}

/// `document_scores`: one row per document × dimension (every dimension, also those without
/// any match), with rates, the share of paragraphs coded, the weighted score and its rank.
pub fn document_scores(codes: &Codes) -> Result<LazyFrame, TrendsError> {
    Ok(dict::DOCUMENT_SCORES.conform(document_stats(codes)?))
}

/// Document × dimension statistics (the `document_scores` columns plus `para_rows` and
/// `para_tokens`, the paragraph rows and their tokens), computed once per [`Codes`]: every
/// trend statistic is a sum or mean of them.
fn document_stats(codes: &Codes) -> Result<LazyFrame, TrendsError> {
    if let Some(df) = codes.doc_stats.get() {
        return Ok(df.clone().lazy());
    }
    let df = document_stats_plan(codes)?
        .collect()
        .context(|| "building document_scores".to_string())?;
    // Another thread may have filled it meanwhile; both results are the same.
    let _ = codes.doc_stats.set(df.clone());
    Ok(df.lazy())
}

fn document_stats_plan(codes: &Codes) -> Result<LazyFrame, TrendsError> {
    let rank = col("weighted_score")
        .rank(
            RankOptions {
                method: RankMethod::Min,
                descending: true,
            },
            None,
        )
        .over(on(&DOC_KEY))
        .context(|| "ranking the dimensions of each document".to_string())?;
    let per_doc = codes
        .paragraph_codes
        .clone()
        .group_by([col("doc_id"), col("lang"), col("dimension")])
        .agg([
            col("hits").sum(),
            col("weighted_hits").sum(),
            col("coded")
                .cast(DataType::Int64)
                .sum()
                .alias("coded_paragraphs"),
            len().cast(DataType::Int64).alias("para_rows"),
            col("tokens").sum().alias("para_tokens"),
        ]);
    // Every document × every dimension, so that a dimension without a single match still has
    // its row (with zeros), and a document with no paragraph rows is not lost.
    let dimensions = Series::new("dimension".into(), codes.dimensions.as_slice())
        .into_frame()
        .lazy()
        .with_column(lit(1i32).alias("_grid"));
    let grid = join(
        doc_meta(codes, &["tokens", "paragraphs"]).with_column(lit(1i32).alias("_grid")),
        dimensions,
        &["_grid"],
        JoinType::Inner,
    );
    let f64c = |name: &str| col(name).cast(DataType::Float64);
    Ok(join(
        grid,
        per_doc,
        &["doc_id", "lang", "dimension"],
        JoinType::Left,
    )
    .with_columns([
        col("hits").fill_null(lit(0i64)),
        col("weighted_hits").fill_null(lit(0f64)),
        col("coded_paragraphs").fill_null(lit(0i64)),
    ])
    .with_columns([
        when(col("tokens").gt(lit(0)))
            .then(f64c("hits") * lit(1000.0) / f64c("tokens"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("rate_per_1k"),
        when(col("paragraphs").gt(lit(0)))
            .then(f64c("coded_paragraphs") / f64c("paragraphs"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("share_coded"),
        when(col("tokens").gt(lit(0)))
            .then(f64c("weighted_hits") * lit(1000.0) / f64c("tokens"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("weighted_score"),
    ])
    .with_column(rank.cast(DataType::Int32).alias("rank"))
    .sort(["date", "doc_id", "lang"], SortMultipleOptions::default()))
}

/// Adds the `period` label column.
fn with_period(lf: LazyFrame, by: PeriodBy) -> LazyFrame {
    let label = match by {
        PeriodBy::Year => col("year").cast(DataType::String),
        PeriodBy::Meeting => when(col("meeting_no").is_not_null())
            .then(concat_str(
                [
                    col("body"),
                    lit(" #"),
                    col("meeting_no").cast(DataType::String),
                ],
                "",
                false,
            ))
            .otherwise(concat_str(
                [col("body"), lit(" "), col("date").cast(DataType::String)],
                "",
                false,
            )),
    };
    lf.with_column(label.alias("period"))
}

/// Stacks the pooled `all` levels of body and language under the split rows. By meeting, a
/// period already belongs to one body, so only languages are pooled.
fn with_margins(lf: LazyFrame, by: PeriodBy) -> PolarsResult<LazyFrame> {
    let mut parts = vec![lf.clone(), lf.clone().with_column(lit(ALL).alias("lang"))];
    if by == PeriodBy::Year {
        parts.push(lf.clone().with_column(lit(ALL).alias("body")));
        parts.push(lf.with_columns([lit(ALL).alias("body"), lit(ALL).alias("lang")]));
    }
    concat(parts, UnionArgs::default())
}

const KEYS: [&str; 4] = ["period", "body", "lang", "dimension"];

/// The trend frame (`trends` by year, `trends_meeting` by meeting): one row per period ×
/// body × language × dimension. Every statistic is defined in
/// [`dictionary::TRENDS`](super::dictionary::TRENDS).
pub fn trends(codes: &Codes, opts: &TrendOptions) -> Result<DataFrame, TrendsError> {
    opts.check()?;
    let by = opts.by;
    let ctx = || format!("building the trends by {}", by.as_str());
    // Every statistic adds up over documents, so the periods are built from the document ×
    // dimension statistics rather than from the (much longer) paragraph rows.
    let per_period = with_margins(
        with_period(
            document_stats(codes)?.filter(col("para_rows").gt(lit(0))),
            by,
        ),
        by,
    )
    .context(ctx)?
    .group_by(on(&KEYS))
    .agg([
        col("date").min().alias("period_start"),
        len().cast(DataType::Int64).alias("documents"),
        col("para_rows").sum().alias("paragraphs"),
        col("para_tokens").sum().alias("tokens"),
        col("hits").sum(),
        col("coded_paragraphs").sum(),
        col("rate_per_1k").mean().alias("mean_rate"),
    ]);
    let f64c = |name: &str| col(name).cast(DataType::Float64);
    let share = || col("share_paragraphs");
    // The previous periods of the same series, in period order.
    let lag = |n: i64| {
        share().shift(lit(n)).over_with_options(
            Some(on(&["body", "lang", "dimension"])),
            Some((on(&["period_start", "period"]), SortOptions::default())),
            WindowMapping::default(),
        )
    };
    let (lag1, lag2) = (lag(1).context(ctx)?, lag(2).context(ctx)?);
    let period_hits = col("hits")
        .sum()
        .over(on(&["period", "body", "lang"]))
        .context(ctx)?;
    let lf = per_period
        .with_columns([
            col("period_start").dt().year().alias("year"),
            (f64c("coded_paragraphs") / f64c("paragraphs")).alias("share_paragraphs"),
            when(col("tokens").gt(lit(0)))
                .then(f64c("hits") * lit(1000.0) / f64c("tokens"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("pooled_rate"),
        ])
        .with_column(period_hits.alias("period_hits"))
        .with_column(
            when(col("period_hits").gt(lit(0)))
                .then(f64c("hits") / f64c("period_hits"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("hit_share"),
        )
        .sort_by_exprs(
            on(&["body", "lang", "dimension", "period_start", "period"]),
            SortMultipleOptions::default(),
        )
        .with_columns([
            (share() - lag1.clone()).alias("yoy_change"),
            ((share() + lag1 + lag2) / lit(3.0)).alias("rolling_mean_3"),
        ]);
    let mut df = lf.collect().context(ctx)?;
    let (low, high) = bootstrap::share_intervals(&df, opts).context(ctx)?;
    df.with_column(Column::new("ci_low".into(), low))
        .context(ctx)?;
    df.with_column(Column::new("ci_high".into(), high))
        .context(ctx)?;
    let spec = match by {
        PeriodBy::Year => &dict::TRENDS,
        PeriodBy::Meeting => &dict::TRENDS_MEETING,
    };
    spec.conform(df.lazy()).collect().context(ctx)
}
