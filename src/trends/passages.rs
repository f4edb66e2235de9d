//! The passages behind the codes: the text of every paragraph with at least one match, read
//! from the document store, so that notebooks can show what a peak is made of.

use super::dictionary as dict;
use super::{Codes, PolarsContext, TrendsError};
use crate::corpus::store::DocStore;
use polars::prelude::*;
use rayon::prelude::*;

/// The `passages` frame, and warnings (store missing, documents missing or changed since the
/// codes were built). Without a store the frame is empty.
pub fn passages(codes: &Codes) -> Result<(DataFrame, Vec<String>), TrendsError> {
    let ctx = || "building passages".to_string();
    let mut warnings = Vec::new();
    let store = match &codes.store_dir {
        Some(dir) if dir.is_dir() => Some(dir.clone()),
        Some(dir) => {
            warnings.push(format!(
                "passages: no document store at {}; passages.parquet is empty",
                dir.display()
            ));
            None
        }
        None => None,
    };
    let Some(store_dir) = store else {
        let empty = DataFrame::empty_with_schema(&dict::PASSAGES.schema());
        return Ok((empty, warnings));
    };
    let keys = codes
        .evidence
        .clone()
        .group_by([col("doc_id"), col("paragraph")])
        .agg([
            len().cast(DataType::Int64).alias("hits"),
            col("dimension")
                .unique()
                .sort(SortOptions::default())
                .str()
                .join(" ", true)
                .alias("dimensions"),
        ]);
    let ids: Vec<String> = keys
        .clone()
        .select([col("doc_id").unique()])
        .collect()
        .context(ctx)?
        .column("doc_id")
        .and_then(|c| c.str().cloned())
        .context(ctx)?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let hashes: std::collections::HashMap<String, String> = {
        let df = codes
            .documents
            .clone()
            .select([col("id"), col("sha256")])
            .collect()
            .context(ctx)?;
        let id = df
            .column("id")
            .and_then(|c| c.str().cloned())
            .context(ctx)?;
        let sha = df
            .column("sha256")
            .and_then(|c| c.str().cloned())
            .context(ctx)?;
        id.iter()
            .zip(sha.iter())
            .filter_map(|(i, s)| Some((i?.to_string(), s?.to_string())))
            .collect()
    };

    let mut rows = Rows::default();
    if !ids.is_empty() {
        let store = DocStore::open(store_dir.clone()).map_err(|e| TrendsError::Store {
            path: store_dir.clone(),
            message: e.to_string(),
        })?;
        let docs: Vec<_> = ids.par_iter().map(|id| (id, store.get(id))).collect();
        let (mut missing, mut changed) = (Vec::new(), Vec::new());
        for (id, doc) in docs {
            let doc = match doc {
                Ok(Some(doc)) => doc,
                Ok(None) => {
                    missing.push(id.clone());
                    continue;
                }
                Err(e) => {
                    warnings.push(format!("passages: {e}"));
                    continue;
                }
            };
            // Offsets are only meaningful in the text that was coded.
            if hashes.get(id) != Some(&doc.sha256) {
                changed.push(id.clone());
                continue;
            }
            for p in &doc.paragraphs {
                rows.doc_id.push(id.clone());
                rows.paragraph.push(i64::from(p.index));
                rows.char_start.push(p.char_start as i64);
                rows.char_end.push(p.char_end as i64);
                rows.text.push(doc.original_chars(p.char_start, p.char_end));
            }
        }
        if !missing.is_empty() {
            warnings.push(format!(
                "passages: {} coded document(s) are not in the store ({}): their passages \
                     are left out",
                missing.len(),
                preview(&missing)
            ));
        }
        if !changed.is_empty() {
            warnings.push(format!(
                "passages: {} document(s) changed since `scoway build` ({}): their passages \
                     are left out; run `scoway build`",
                changed.len(),
                preview(&changed)
            ));
        }
    }
    let texts = DataFrame::new_infer_height(vec![
        Column::new("doc_id".into(), rows.doc_id),
        Column::new("paragraph".into(), rows.paragraph),
        Column::new("char_start".into(), rows.char_start),
        Column::new("char_end".into(), rows.char_end),
        Column::new("text".into(), rows.text),
    ])
    .context(ctx)?;
    let meta = codes.documents.clone().select([
        col("id").alias("doc_id"),
        col("date"),
        col("year"),
        col("body"),
        col("lang"),
        col("title"),
    ]);
    let on = |k: &[&str]| k.iter().map(|c| col(*c)).collect::<Vec<_>>();
    let frame = keys
        .join(
            texts.lazy(),
            on(&["doc_id", "paragraph"]),
            on(&["doc_id", "paragraph"]),
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            meta,
            on(&["doc_id"]),
            on(&["doc_id"]),
            JoinArgs::new(JoinType::Inner),
        )
        .sort(
            ["date", "doc_id", "paragraph"],
            SortMultipleOptions::default(),
        );
    let frame = dict::PASSAGES.conform(frame).collect().context(ctx)?;
    Ok((frame, warnings))
}

fn preview(ids: &[String]) -> String {
    let mut s = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        s.push_str(", ...");
    }
    s
}

#[derive(Default)]
struct Rows {
    doc_id: Vec<String>,
    paragraph: Vec<i64>,
    char_start: Vec<i64>,
    char_end: Vec<i64>,
    text: Vec<String>,
}
