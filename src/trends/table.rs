//! The trend table as users read it: filtered by body and language, rendered as Markdown
//! (periods × dimensions) or JSON.

use super::{ALL, PeriodBy, PolarsContext, TrendOptions, TrendsError};
use polars::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Output formats of `scoway trends`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableFormat {
    #[default]
    Markdown,
    Csv,
    Json,
    Parquet,
}

/// Which slice of the trend frame to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendFilter {
    /// `CHS`, `CHG`, `other` or `all` (every body pooled by year; every meeting by meeting).
    pub body: String,
    /// `zh`, `ru`, `en` or `all` (languages pooled).
    pub lang: String,
}

impl Default for TrendFilter {
    fn default() -> Self {
        Self {
            body: ALL.to_string(),
            lang: ALL.to_string(),
        }
    }
}

impl TrendFilter {
    /// The rows of `trends` that the filter selects, ordered by period then dimension order.
    pub fn apply(
        &self,
        trends: &DataFrame,
        by: PeriodBy,
        dimensions: &[String],
    ) -> Result<DataFrame, TrendsError> {
        let mut pred = col("lang").eq(lit(self.lang.as_str()));
        // By meeting there are no pooled-body rows: `all` keeps every body's meetings.
        if !(by == PeriodBy::Meeting && self.body == ALL) {
            pred = pred.and(col("body").eq(lit(self.body.as_str())));
        }
        let order = Series::new("dimension".into(), dimensions)
            .into_frame()
            .lazy()
            .with_row_index("dimension_order", None);
        trends
            .clone()
            .lazy()
            .filter(pred)
            .join(
                order,
                [col("dimension")],
                [col("dimension")],
                JoinArgs::new(JoinType::Left),
            )
            .sort_by_exprs(
                [
                    col("period_start"),
                    col("period"),
                    col("body"),
                    col("dimension_order"),
                ],
                SortMultipleOptions::default(),
            )
            .drop(by_name(["dimension_order"], true, false))
            .collect()
            .context(|| "filtering the trend table".to_string())
    }
}

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

/// Markdown: one row per period, one column per dimension, each cell the share of paragraphs
/// coded in % with its bootstrap interval (left out when it is a single point, as for 0 %).
/// `rows` is a filtered trend frame.
pub fn render_markdown(
    rows: &DataFrame,
    filter: &TrendFilter,
    opts: &TrendOptions,
    dimensions: &[String],
) -> Result<String, TrendsError> {
    let ctx = || "rendering the trend table".to_string();
    let period = strs(rows, "period").context(ctx)?;
    let dimension = strs(rows, "dimension").context(ctx)?;
    let documents = strs(rows, "documents").context(ctx)?;
    let paragraphs = strs(rows, "paragraphs").context(ctx)?;
    let share = floats(rows, "share_paragraphs").context(ctx)?;
    let low = floats(rows, "ci_low").context(ctx)?;
    let high = floats(rows, "ci_high").context(ctx)?;

    let mut order: Vec<(String, String, String)> = Vec::new();
    let mut cells: HashMap<(&str, &str), String> = HashMap::new();
    for i in 0..rows.height() {
        if order.last().map(|r| &r.0) != Some(&period[i]) {
            order.push((
                period[i].clone(),
                documents[i].clone(),
                paragraphs[i].clone(),
            ));
        }
        let pct = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}", 100.0 * v));
        let cell = match (low[i], high[i]) {
            (Some(l), Some(h)) if l < h => {
                format!("{} ({}–{})", pct(share[i]), pct(Some(l)), pct(Some(h)))
            }
            _ => pct(share[i]),
        };
        cells.insert((&period[i], &dimension[i]), cell);
    }

    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Theme trends by {} (body: {}, language: {})\n",
        opts.by.as_str(),
        filter.body,
        filter.lang
    );
    if order.is_empty() {
        let _ = writeln!(s, "No coded documents match this selection.");
        return Ok(s);
    }
    let _ = writeln!(
        s,
        "Share of paragraphs coded for each dimension, in % ({:.0} % bootstrap interval, {} \
         resamples of paragraphs, seed {}).\n",
        100.0 * opts.confidence,
        opts.resamples,
        opts.seed
    );
    let _ = write!(s, "| {} | documents | paragraphs |", opts.by.as_str());
    for d in dimensions {
        let _ = write!(s, " {d} |");
    }
    let _ = write!(s, "\n|---|---:|---:|");
    for _ in dimensions {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    for (p, docs, paras) in &order {
        let _ = write!(s, "| {p} | {docs} | {paras} |");
        for d in dimensions {
            let cell = cells.get(&(p.as_str(), d.as_str())).map_or("–", |c| c);
            let _ = write!(s, " {cell} |");
        }
        let _ = writeln!(s);
    }
    Ok(s)
}

/// JSON: `{"by", "body", "lang", "resamples", "seed", "confidence", "rows": [{column: value}]}`.
pub fn render_json(
    rows: &DataFrame,
    filter: &TrendFilter,
    opts: &TrendOptions,
) -> Result<serde_json::Value, TrendsError> {
    Ok(serde_json::json!({
        "by": opts.by.as_str(),
        "body": filter.body,
        "lang": filter.lang,
        "resamples": opts.resamples,
        "seed": opts.seed,
        "confidence": opts.confidence,
        "rows": frame_to_json(rows).context(|| "rendering the trend table as JSON".to_string())?,
    }))
}

/// A frame as an array of objects (dates as ISO strings, NaN as null).
pub fn frame_to_json(df: &DataFrame) -> PolarsResult<Vec<serde_json::Value>> {
    let columns = df.columns();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut obj = serde_json::Map::new();
        for c in columns {
            obj.insert(c.name().to_string(), any_to_json(c.get(i)?));
        }
        out.push(serde_json::Value::Object(obj));
    }
    Ok(out)
}

fn any_to_json(v: AnyValue<'_>) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::String(s.to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Int8(x) => x.into(),
        AnyValue::Int16(x) => x.into(),
        AnyValue::Int32(x) => x.into(),
        AnyValue::Int64(x) => x.into(),
        AnyValue::UInt8(x) => x.into(),
        AnyValue::UInt16(x) => x.into(),
        AnyValue::UInt32(x) => x.into(),
        AnyValue::UInt64(x) => x.into(),
        AnyValue::Float32(x) => {
            serde_json::Number::from_f64(f64::from(x)).map_or(Value::Null, Value::Number)
        }
        AnyValue::Float64(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        AnyValue::Date(days) => chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)
            .map_or(Value::Null, |d| {
                Value::String(d.format("%Y-%m-%d").to_string())
            }),
        other => Value::String(other.to_string()),
    }
}
