//! The endorsements as polars frames: the `endorsements` frame of `export`, the strength
//! table of `trends --strength` (share of strong and weak verbs per dimension and year), and
//! the member × year grade grid drawn for one object.

use super::{Endorsement, Extractor, Membership};
use crate::corpus::document::{DocMeta, Document};
use crate::report::HeatmapData;
use crate::trends::ALL;
use crate::trends::dictionary::{ENDORSEMENT_STRENGTH, ENDORSEMENTS};
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The endorsements of one document version, with its metadata.
#[derive(Debug, Clone)]
pub struct DocumentEndorsements {
    pub meta: DocMeta,
    pub endorsements: Vec<Endorsement>,
}

/// The endorsements of every document, in parallel, in the order given.
pub fn extract_all(extractor: &Extractor, docs: &[Document]) -> Vec<DocumentEndorsements> {
    docs.par_iter()
        .map(|doc| DocumentEndorsements {
            meta: doc.meta.clone(),
            endorsements: extractor.document(doc),
        })
        .collect()
}

fn join_codes(codes: &[String]) -> Option<String> {
    (!codes.is_empty()).then(|| codes.join(" "))
}

/// The `endorsements` frame (declared in [`crate::trends::dictionary::ENDORSEMENTS`]): one
/// row per statement, sorted by date, document, language, paragraph and position.
pub fn endorsements_frame(
    docs: &[DocumentEndorsements],
    membership: &Membership,
) -> PolarsResult<DataFrame> {
    let mut doc_id = Vec::new();
    let mut lang = Vec::new();
    let mut date = Vec::new();
    let mut year = Vec::new();
    let mut body = Vec::new();
    let mut doc_type = Vec::new();
    let mut paragraph = Vec::new();
    let mut subject_kind = Vec::new();
    let mut subject = Vec::new();
    let mut subject_states = Vec::new();
    let mut subject_carried = Vec::new();
    let mut members = Vec::new();
    let mut absent = Vec::new();
    let mut absent_count = Vec::new();
    let mut verb = Vec::new();
    let mut verb_label = Vec::new();
    let mut grade = Vec::new();
    let mut strength = Vec::new();
    let mut negated = Vec::new();
    let mut object = Vec::new();
    let mut object_kind = Vec::new();
    let mut proposers = Vec::new();
    let mut spans: [Vec<i64>; 12] = Default::default();
    for d in docs {
        let on_date: Vec<String> = membership
            .members_on(d.meta.date)
            .into_iter()
            .map(str::to_string)
            .collect();
        let on_date = join_codes(&on_date).unwrap_or_default();
        for e in &d.endorsements {
            doc_id.push(d.meta.id.clone());
            lang.push(d.meta.lang.as_str());
            date.push(d.meta.date);
            year.push(d.meta.date.year());
            body.push(d.meta.body.clone());
            doc_type.push(d.meta.doc_type.clone());
            paragraph.push(i64::from(e.paragraph));
            subject_kind.push(e.subject_kind.as_str());
            subject.push(e.subject.clone());
            subject_states.push(join_codes(&e.subject_states));
            subject_carried.push(e.subject_carried);
            members.push(on_date.clone());
            absent.push(e.absent.as_deref().and_then(join_codes));
            absent_count.push(e.absent.as_ref().map(|a| a.len() as i32));
            verb.push(e.verb.clone());
            verb_label.push(e.verb_label.clone());
            grade.push(i32::from(e.grade));
            strength.push(e.strength.as_str());
            negated.push(e.negated);
            object.push(e.object.clone());
            object_kind.push(e.object_kind.as_str());
            proposers.push(join_codes(&e.proposers));
            for (k, s) in [e.subject_span, e.verb_span, e.object_span]
                .iter()
                .enumerate()
            {
                spans[4 * k].push(s.char_start as i64);
                spans[4 * k + 1].push(s.char_end as i64);
                spans[4 * k + 2].push(s.byte_start as i64);
                spans[4 * k + 3].push(s.byte_end as i64);
            }
        }
    }
    let [
        s_cs,
        s_ce,
        s_bs,
        s_be,
        v_cs,
        v_ce,
        v_bs,
        v_be,
        o_cs,
        o_ce,
        o_bs,
        o_be,
    ] = spans;
    let df = DataFrame::new_infer_height(vec![
        Column::new("doc_id".into(), doc_id),
        Column::new("lang".into(), lang),
        Column::new("date".into(), date),
        Column::new("year".into(), year),
        Column::new("body".into(), body),
        Column::new("doc_type".into(), doc_type),
        Column::new("paragraph".into(), paragraph),
        Column::new("subject_kind".into(), subject_kind),
        Column::new("subject".into(), subject),
        Column::new("subject_states".into(), subject_states),
        Column::new("subject_carried".into(), subject_carried),
        Column::new("members_on_date".into(), members),
        Column::new("absent_members".into(), absent),
        Column::new("absent_count".into(), absent_count),
        Column::new("verb".into(), verb),
        Column::new("verb_label".into(), verb_label),
        Column::new("grade".into(), grade),
        Column::new("strength".into(), strength),
        Column::new("negated".into(), negated),
        Column::new("object".into(), object),
        Column::new("object_kind".into(), object_kind),
        Column::new("proposers".into(), proposers),
        Column::new("subject_char_start".into(), s_cs),
        Column::new("subject_char_end".into(), s_ce),
        Column::new("subject_byte_start".into(), s_bs),
        Column::new("subject_byte_end".into(), s_be),
        Column::new("verb_char_start".into(), v_cs),
        Column::new("verb_char_end".into(), v_ce),
        Column::new("verb_byte_start".into(), v_bs),
        Column::new("verb_byte_end".into(), v_be),
        Column::new("object_char_start".into(), o_cs),
        Column::new("object_char_end".into(), o_ce),
        Column::new("object_byte_start".into(), o_bs),
        Column::new("object_byte_end".into(), o_be),
    ])?;
    ENDORSEMENTS
        .conform(df.lazy())
        .sort(
            ["date", "doc_id", "lang", "paragraph", "verb_char_start"],
            SortMultipleOptions::default(),
        )
        .collect()
}

/// The strength table: per year and dimension (and `all`, every endorsement), how many
/// endorsements there are and the share of strong and weak verbs among those not negated.
/// An endorsement counts for a dimension when its paragraph is coded for it
/// (`paragraph_codes.coded`). Declared in [`ENDORSEMENT_STRENGTH`].
pub fn strength_table(endorsements: LazyFrame, paragraph_codes: LazyFrame) -> LazyFrame {
    let keys = [col("doc_id"), col("lang"), col("paragraph")];
    let coded = paragraph_codes.filter(col("coded")).select([
        col("doc_id"),
        col("lang"),
        col("paragraph"),
        col("dimension"),
    ]);
    let per_dimension =
        endorsements
            .clone()
            .join(coded, keys.clone(), keys, JoinArgs::new(JoinType::Inner));
    let pooled = endorsements.with_column(lit(ALL).alias("dimension"));
    let rows = concat(
        [
            pooled.select(strength_inputs()),
            per_dimension.select(strength_inputs()),
        ],
        UnionArgs::default(),
    )
    .unwrap_or_else(|_| DataFrame::empty_with_schema(&ENDORSEMENT_STRENGTH.schema()).lazy());
    let count = |e: Expr| e.cast(DataType::Int64).sum();
    let affirmed = col("negated").not();
    let table = rows
        .group_by([col("year"), col("dimension")])
        .agg([
            len().cast(DataType::Int64).alias("endorsements"),
            count(col("strength").eq(lit("strong")).and(affirmed.clone())).alias("strong"),
            count(col("strength").eq(lit("moderate")).and(affirmed.clone())).alias("moderate"),
            count(col("strength").eq(lit("weak")).and(affirmed.clone())).alias("weak"),
            count(col("negated")).alias("negated"),
            col("grade")
                .filter(affirmed)
                .cast(DataType::Float64)
                .mean()
                .alias("mean_grade"),
        ])
        .with_columns([(col("endorsements") - col("negated")).alias("affirmed")])
        .with_columns([
            when(col("affirmed").gt(lit(0)))
                .then(
                    col("strong").cast(DataType::Float64) / col("affirmed").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share_strong"),
            when(col("affirmed").gt(lit(0)))
                .then(col("weak").cast(DataType::Float64) / col("affirmed").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share_weak"),
        ])
        // `all` first, then the dimensions in name order.
        .with_column(col("dimension").neq(lit(ALL)).alias("pooled_last"))
        .sort(
            ["year", "pooled_last", "dimension"],
            SortMultipleOptions::default(),
        );
    ENDORSEMENT_STRENGTH.conform(table)
}

/// The strength table as Markdown: a row per year, a column per dimension (`all` first),
/// each cell `strong % / weak % (n)`.
pub fn render_strength_markdown(table: &DataFrame) -> PolarsResult<String> {
    let years = table.column("year")?.i32()?.clone();
    let dims = table.column("dimension")?.str()?.clone();
    let n = table.column("endorsements")?.i64()?.clone();
    let strong = table.column("share_strong")?.f64()?.clone();
    let weak = table.column("share_weak")?.f64()?.clone();
    let mut columns: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(i32, String), String> = BTreeMap::new();
    for i in 0..table.height() {
        let (Some(year), Some(dim)) = (years.get(i), dims.get(i)) else {
            continue;
        };
        if !columns.iter().any(|c| c == dim) {
            columns.push(dim.to_string());
        }
        let pct = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.0}%", 100.0 * v));
        cells.insert(
            (year, dim.to_string()),
            format!(
                "{} / {} ({})",
                pct(strong.get(i)),
                pct(weak.get(i)),
                n.get(i).unwrap_or(0)
            ),
        );
    }
    columns.sort_by_key(|c| (c != ALL, c.clone()));
    let mut out = String::from(
        "# Endorsement strength: share of strong / weak verbs (statements), by year\n\n",
    );
    out.push_str("| year | ");
    out.push_str(&columns.join(" | "));
    out.push_str(" |\n|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    let mut year_list: Vec<i32> = cells.keys().map(|(y, _)| *y).collect();
    year_list.dedup();
    for y in year_list {
        out.push_str(&format!("| {y} |"));
        for c in &columns {
            let cell = cells.get(&(y, c.clone())).map_or("", String::as_str);
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    if table.height() == 0 {
        out.push_str("\n(no endorsement statement in the stored documents)\n");
    }
    Ok(out)
}

/// The strength table as JSON rows (`{"year": .., "dimension": .., ...}`).
pub fn strength_json(table: &DataFrame) -> PolarsResult<serde_json::Value> {
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let mut row = serde_json::Map::new();
        for column in table.columns() {
            let value = match column.get(i)? {
                AnyValue::Null => serde_json::Value::Null,
                AnyValue::String(s) => serde_json::Value::from(s),
                AnyValue::Int32(v) => serde_json::Value::from(v),
                AnyValue::Int64(v) => serde_json::Value::from(v),
                AnyValue::Float64(v) => serde_json::Value::from(v),
                other => serde_json::Value::from(other.to_string()),
            };
            row.insert(column.name().to_string(), value);
        }
        rows.push(serde_json::Value::Object(row));
    }
    Ok(serde_json::Value::Array(rows))
}

fn strength_inputs() -> Vec<Expr> {
    vec![
        col("year"),
        col("dimension"),
        col("strength"),
        col("negated"),
        col("grade"),
    ]
}

/// The member × year grid of the grade given to the objects matching `object` (a substring,
/// compared without case): per member and year, the highest grade of an affirmed statement it
/// is a subject of; 0 when it was left out of a list endorsing such an object and made no
/// such statement itself; no value when neither. Rows: the states that were members in one of
/// the years, in table order, labelled `code name`.
pub fn grade_grid(
    docs: &[DocumentEndorsements],
    membership: &Membership,
    object: &str,
    title: String,
) -> HeatmapData {
    let needle = super::fold_case(object);
    let mut cells: BTreeMap<(String, i32), f64> = BTreeMap::new();
    let mut years: Vec<i32> = Vec::new();
    for d in docs {
        let on_date = membership.members_on(d.meta.date);
        let year = d.meta.date.year();
        for e in &d.endorsements {
            if e.negated || !super::fold_case(&e.object).contains(&needle) {
                continue;
            }
            years.push(year);
            for m in e.endorsers(&on_date) {
                let cell = cells.entry((m.to_string(), year)).or_insert(0.0);
                *cell = cell.max(f64::from(e.grade));
            }
            for m in e.absent.iter().flatten() {
                cells.entry((m.clone(), year)).or_insert(0.0);
            }
        }
    }
    years.sort_unstable();
    years.dedup();
    let states: Vec<&super::State> = membership
        .states
        .iter()
        .filter(|s| cells.keys().any(|(code, _)| *code == s.code))
        .collect();
    HeatmapData {
        rows: states
            .iter()
            .map(|s| format!("{} {}", s.code, s.name_zh))
            .collect(),
        values: states
            .iter()
            .map(|s| {
                years
                    .iter()
                    .map(|y| cells.get(&(s.code.clone(), *y)).copied())
                    .collect()
            })
            .collect(),
        years,
        title: Some(title),
        unit: Some("grade".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::document::{DocMeta, Lang};

    fn doc(id: &str, date: &str, lang: Lang, text: &str) -> Document {
        let mut meta = DocMeta::for_test(id);
        meta.date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        meta.lang = lang;
        meta.body = "CHS".into();
        Document::from_original(meta, text.to_string(), "sha".into(), "test".into()).unwrap()
    }

    fn fixture_docs() -> Vec<DocumentEndorsements> {
        let docs = vec![
            doc(
                "d2019",
                "2019-06-14",
                Lang::Zh,
                "哈萨克斯坦共和国、吉尔吉斯共和国、巴基斯坦伊斯兰共和国、俄罗斯联邦、塔吉克斯坦共和国和乌兹别克斯坦共和国重申支持中方提出的“一带一路”倡议。\n\n成员国注意到哈方关于举办论坛的倡议。",
            ),
            doc(
                "d2021",
                "2021-09-17",
                Lang::Zh,
                "成员国支持“一带一路”倡议。\n\n各代表团团长不支持任何单边制裁。",
            ),
        ];
        extract_all(&Extractor::bundled(), &docs)
    }

    #[test]
    fn the_frame_has_the_declared_schema_and_one_row_per_statement() {
        let docs = fixture_docs();
        let df = endorsements_frame(&docs, &Membership::bundled()).unwrap();
        assert_eq!(df.schema().as_ref(), &ENDORSEMENTS.schema());
        assert_eq!(df.height(), 4);
        let absent = df.column("absent_members").unwrap().str().unwrap().clone();
        assert_eq!(absent.get(0), Some("IN"));
        let kind = df.column("subject_kind").unwrap().str().unwrap().clone();
        assert_eq!(kind.get(0), Some("list"));
        assert_eq!(kind.get(1), Some("all_members"));
        let proposers = df.column("proposers").unwrap().str().unwrap().clone();
        assert_eq!(proposers.get(0), Some("CN"));
        assert_eq!(proposers.get(1), Some("KZ"));
    }

    #[test]
    fn strength_shares_count_affirmed_statements_by_dimension() {
        let docs = fixture_docs();
        let df = endorsements_frame(&docs, &Membership::bundled()).unwrap();
        let codes = df!(
            "doc_id" => ["d2019", "d2019", "d2021"],
            "lang" => ["zh", "zh", "zh"],
            "paragraph" => [0i64, 1, 0],
            "dimension" => ["recognition", "recognition", "recognition"],
            "coded" => [true, false, true],
        )
        .unwrap();
        let t = strength_table(df.lazy(), codes.lazy()).collect().unwrap();
        assert_eq!(t.schema().as_ref(), &ENDORSEMENT_STRENGTH.schema());
        let row = |year: i32, dim: &str| {
            let f = t
                .clone()
                .lazy()
                .filter(col("year").eq(lit(year)).and(col("dimension").eq(lit(dim))))
                .collect()
                .unwrap();
            let get = |c: &str| {
                f.column(c)
                    .unwrap()
                    .cast(&DataType::Float64)
                    .unwrap()
                    .f64()
                    .unwrap()
                    .get(0)
            };
            (
                get("endorsements"),
                get("strong"),
                get("weak"),
                get("negated"),
                get("share_strong"),
            )
        };
        // 2019: a strong list statement and a weak note; only the first paragraph is coded.
        assert_eq!(
            row(2019, ALL),
            (Some(2.0), Some(1.0), Some(1.0), Some(0.0), Some(0.5))
        );
        assert_eq!(
            row(2019, "recognition"),
            (Some(1.0), Some(1.0), Some(0.0), Some(0.0), Some(1.0))
        );
        // 2021: one affirmed strong statement, one negated.
        assert_eq!(
            row(2021, ALL),
            (Some(2.0), Some(1.0), Some(0.0), Some(1.0), Some(1.0))
        );
    }

    #[test]
    fn the_grid_gives_grades_to_endorsers_and_zero_to_the_absent() {
        let docs = fixture_docs();
        let grid = grade_grid(&docs, &Membership::bundled(), "一带一路", "t".into());
        assert_eq!(grid.years, vec![2019, 2021]);
        let row = |code: &str| {
            let i = grid.rows.iter().position(|r| r.starts_with(code)).unwrap();
            grid.values[i].clone()
        };
        assert_eq!(row("KZ"), vec![Some(5.0), Some(4.0)]);
        assert_eq!(row("IN"), vec![Some(0.0), Some(4.0)]);
        // China proposed it: not absent from the list of 2019.
        assert_eq!(row("CN"), vec![None, Some(4.0)]);
    }
}
