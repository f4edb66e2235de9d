//! The passages behind the codes: the text of every paragraph with at least one match, read
//! from the document store, so that notebooks can show what a peak is made of.

use super::dictionary as dict;
use super::{Codes, PolarsContext, TrendsError};
use crate::corpus::DocKey;
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
        .group_by([col("doc_id"), col("lang"), col("paragraph")])
        .agg([
            len().cast(DataType::Int64).alias("hits"),
            col("dimension")
                .unique()
                .sort(SortOptions::default())
                .str()
                .join(" ", true)
                .alias("dimensions"),
        ]);
    let key_columns = |df: &DataFrame, id: &str| -> PolarsResult<Vec<(DocKey, Option<String>)>> {
        let ids = df.column(id)?.str()?.clone();
        let langs = df.column("lang")?.str()?.clone();
        let sha = match df.column("sha256") {
            Ok(c) => Some(c.str()?.clone()),
            Err(_) => None,
        };
        Ok(ids
            .iter()
            .zip(langs.iter())
            .enumerate()
            .filter_map(|(row, (i, l))| {
                let key = DocKey::new(i?, l?.parse().ok()?);
                let sha = sha.as_ref().and_then(|s| s.get(row)).map(str::to_string);
                Some((key, sha))
            })
            .collect())
    };
    let wanted: Vec<DocKey> = {
        let df = keys
            .clone()
            .select([col("doc_id"), col("lang")])
            .unique(None, UniqueKeepStrategy::First)
            .collect()
            .context(ctx)?;
        key_columns(&df, "doc_id")
            .context(ctx)?
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    let hashes: std::collections::HashMap<DocKey, String> = {
        let df = codes
            .documents
            .clone()
            .select([col("id"), col("lang"), col("sha256")])
            .collect()
            .context(ctx)?;
        key_columns(&df, "id")
            .context(ctx)?
            .into_iter()
            .filter_map(|(k, sha)| Some((k, sha?)))
            .collect()
    };

    let mut rows = Rows::default();
    if !wanted.is_empty() {
        let store = DocStore::open(store_dir.clone()).map_err(|e| TrendsError::Store {
            path: store_dir.clone(),
            message: e.to_string(),
        })?;
        let docs: Vec<_> = wanted.par_iter().map(|key| (key, store.get(key))).collect();
        let (mut missing, mut changed) = (Vec::new(), Vec::new());
        for (key, doc) in docs {
            let doc = match doc {
                Ok(Some(doc)) => doc,
                Ok(None) => {
                    missing.push(key.to_string());
                    continue;
                }
                Err(e) => {
                    warnings.push(format!("passages: {e}"));
                    continue;
                }
            };
            // Offsets are only meaningful in the text that was coded.
            if hashes.get(key) != Some(&doc.sha256) {
                changed.push(key.to_string());
                continue;
            }
            for (p, original) in doc.paragraphs.iter().zip(doc.original_paragraphs()) {
                rows.doc_id.push(key.id.clone());
                rows.lang.push(key.lang.as_str());
                rows.paragraph.push(i64::from(p.index));
                rows.char_start.push(p.char_start as i64);
                rows.char_end.push(p.char_end as i64);
                rows.text.push(original.to_string());
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
        Column::new("lang".into(), rows.lang),
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
            on(&["doc_id", "lang", "paragraph"]),
            on(&["doc_id", "lang", "paragraph"]),
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            meta,
            on(&["doc_id", "lang"]),
            on(&["doc_id", "lang"]),
            JoinArgs::new(JoinType::Inner),
        )
        .sort(
            ["date", "doc_id", "lang", "paragraph"],
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
    lang: Vec<&'static str>,
    paragraph: Vec<i64>,
    char_start: Vec<i64>,
    char_end: Vec<i64>,
    text: Vec<String>,
}
