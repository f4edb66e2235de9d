//! Term emergence: when every codebook term first and last appears, and its yearly counts.

use super::dictionary as dict;
use super::{Codes, PolarsContext, TrendsError};
use crate::code::TermInfo;
use polars::prelude::*;

const TERM: [&str; 3] = ["dimension", "indicator", "term"];

fn on(keys: &[&str]) -> Vec<Expr> {
    keys.iter().map(|k| col(*k)).collect()
}

/// The `term_emergence` and `term_yearly` frames. `terms` are the codebook's terms (in
/// codebook order, which the output keeps); terms never matched get null dates and zero
/// counts, matched terms missing from `terms` are kept with `in_codebook = false`.
pub fn term_emergence(
    codes: &Codes,
    terms: &[TermInfo],
) -> Result<(DataFrame, DataFrame), TrendsError> {
    let ctx = || "building term_emergence".to_string();
    // Matches per document and term first: every statistic below adds up over documents,
    // and the per-group sorts then run on far fewer rows than the evidence has.
    let per_doc = codes
        .evidence
        .clone()
        .group_by([
            col("doc_id"),
            col("lang"),
            col("dimension"),
            col("indicator"),
            col("term"),
        ])
        .agg([len().cast(DataType::Int64).alias("hits")])
        .join(
            codes.documents.clone().select([
                col("id").alias("doc_id"),
                col("date"),
                col("year"),
                col("lang"),
            ]),
            [col("doc_id"), col("lang")],
            [col("doc_id"), col("lang")],
            JoinArgs::new(JoinType::Inner),
        );

    let yearly = per_doc
        .clone()
        .group_by(on(&["dimension", "indicator", "term", "year"]))
        .agg([
            col("hits").sum(),
            len().cast(DataType::Int64).alias("documents"),
        ]);
    let by_date = || SortMultipleOptions::default();
    let stats = per_doc.group_by(on(&TERM)).agg([
        col("lang")
            .sort_by([col("date"), col("doc_id")], by_date())
            .first()
            .alias("found_lang"),
        col("date").min().alias("first_date"),
        col("doc_id")
            .sort_by([col("date"), col("doc_id")], by_date())
            .first()
            .alias("first_doc"),
        col("date").max().alias("last_date"),
        col("doc_id")
            .sort_by([col("date"), col("doc_id")], by_date())
            .last()
            .alias("last_doc"),
        col("hits").sum(),
        len().cast(DataType::Int64).alias("documents"),
        col("year").n_unique().cast(DataType::Int64).alias("years"),
    ]);
    let yearly_text = yearly.clone().group_by(on(&TERM)).agg([concat_str(
        [
            col("year").cast(DataType::String),
            lit(":"),
            col("hits").cast(DataType::String),
        ],
        "",
        true,
    )
    .sort_by([col("year")], SortMultipleOptions::default())
    .str()
    .join(" ", true)
    .alias("yearly_counts")]);

    let codebook = codebook_frame(terms).context(ctx)?;
    let full = JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    let emergence = codebook
        .lazy()
        .join(
            stats.join(
                yearly_text,
                on(&TERM),
                on(&TERM),
                JoinArgs::new(JoinType::Left),
            ),
            on(&TERM),
            on(&TERM),
            full,
        )
        .with_columns([
            coalesce(&[col("codebook_lang"), col("found_lang")]).alias("lang"),
            col("in_codebook").fill_null(lit(false)),
            col("hits").fill_null(lit(0i64)),
            col("documents").fill_null(lit(0i64)),
            col("years").fill_null(lit(0i64)),
        ])
        .sort_by_exprs(
            on(&["order", "dimension", "indicator", "term"]),
            SortMultipleOptions::default().with_nulls_last(true),
        );
    let emergence = dict::TERM_EMERGENCE
        .conform(emergence)
        .collect()
        .context(ctx)?;
    let yearly = dict::TERM_YEARLY
        .conform(yearly.sort(
            ["dimension", "indicator", "term", "year"],
            SortMultipleOptions::default(),
        ))
        .collect()
        .context(|| "building term_yearly".to_string())?;
    Ok((emergence, yearly))
}

/// The codebook's terms, deduplicated on (dimension, indicator, term), with their order.
fn codebook_frame(terms: &[TermInfo]) -> PolarsResult<DataFrame> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&TermInfo> = terms
        .iter()
        .filter(|t| seen.insert((&t.dimension, &t.indicator, &t.term)))
        .collect();
    let text = |f: fn(&TermInfo) -> &str| -> Vec<&str> { unique.iter().map(|t| f(t)).collect() };
    DataFrame::new_infer_height(vec![
        Column::new("dimension".into(), text(|t| &t.dimension)),
        Column::new("indicator".into(), text(|t| &t.indicator)),
        Column::new("term".into(), text(|t| &t.term)),
        Column::new("codebook_lang".into(), text(|t| t.lang.as_str())),
        Column::new("in_codebook".into(), vec![true; unique.len()]),
        Column::new("order".into(), (0..unique.len() as i64).collect::<Vec<_>>()),
    ])
}
