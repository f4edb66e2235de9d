//! The declared schema of every frame the trends stage reads or writes, and the data
//! dictionary rendered from it.
//!
//! This table is the single source of truth: the frame builders select their output through
//! [`FrameSpec::conform`], so the Parquet files carry exactly these columns and types, and
//! `DATA_DICTIONARY.md` is generated from the same text.

use polars::prelude::*;
use std::fmt::Write as _;

/// A column type, as declared in the dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Str,
    Date,
    I32,
    I64,
    F64,
    Bool,
}

impl ColType {
    /// The polars type of the column.
    pub fn dtype(self) -> DataType {
        match self {
            ColType::Str => DataType::String,
            ColType::Date => DataType::Date,
            ColType::I32 => DataType::Int32,
            ColType::I64 => DataType::Int64,
            ColType::F64 => DataType::Float64,
            ColType::Bool => DataType::Boolean,
        }
    }

    /// The name used in the data dictionary (Parquet logical type).
    pub fn name(self) -> &'static str {
        match self {
            ColType::Str => "string",
            ColType::Date => "date",
            ColType::I32 => "int32",
            ColType::I64 => "int64",
            ColType::F64 => "float64",
            ColType::Bool => "bool",
        }
    }
}

/// One declared column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColType,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    pub unit: &'static str,
    /// Meaning and, for derived columns, exactly how it is computed.
    pub meaning: &'static str,
}

/// One declared frame.
#[derive(Debug, Clone, Copy)]
pub struct FrameSpec {
    /// File stem (`<name>.parquet`, `<name>.csv`).
    pub name: &'static str,
    /// What one row is.
    pub grain: &'static str,
    pub description: &'static str,
    pub columns: &'static [ColumnSpec],
}

impl FrameSpec {
    /// The declared polars schema.
    pub fn schema(&self) -> Schema {
        self.columns
            .iter()
            .map(|c| Field::new(c.name.into(), c.ty.dtype()))
            .collect()
    }

    /// Selects the declared columns, in the declared order, cast to the declared types.
    pub fn conform(&self, lf: LazyFrame) -> LazyFrame {
        let exprs: Vec<Expr> = self
            .columns
            .iter()
            .map(|c| col(c.name).strict_cast(c.ty.dtype()))
            .collect();
        lf.select(exprs)
    }

    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn c(
    name: &'static str,
    ty: ColType,
    nullable: bool,
    unit: &'static str,
    meaning: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        nullable,
        unit,
        meaning,
    }
}

use ColType::*;

// ---------------------------------------------------------------------------------------------
// Inputs: the coder's output in the codes directory (written by `scoway build`).

/// `codes/documents.parquet`, as the trends stage needs it.
pub const IN_DOCUMENTS: FrameSpec = FrameSpec {
    name: "documents",
    grain: "one document",
    description: "Coder output: document metadata and counts.",
    columns: &[
        c("id", Str, false, "", "Document id."),
        c("date", Date, false, "", "Date of the document."),
        c("year", I32, false, "year", "Calendar year of `date`."),
        c("body", Str, false, "", "CHS, CHG or other."),
        c("doc_type", Str, false, "", "declaration, communique, ..."),
        c("lang", Str, false, "", "zh, ru or en."),
        c("script", Str, false, "", "Detected script."),
        c("title", Str, false, "", "Title."),
        c("meeting_no", I32, true, "", "Summit number."),
        c("city", Str, true, "", "Summit city."),
        c("tokens", I64, false, "tokens", "Token count."),
        c("paragraphs", I64, false, "paragraphs", "Paragraph count."),
        c(
            "coded_paragraphs",
            I64,
            false,
            "paragraphs",
            "Paragraphs coded for any dimension.",
        ),
        c(
            "dominant",
            Str,
            true,
            "",
            "Dimension with the highest score.",
        ),
        c("sha256", Str, false, "", "sha256 of the raw bytes."),
    ],
};

/// `codes/paragraph_codes.parquet`.
pub const IN_PARAGRAPH_CODES: FrameSpec = FrameSpec {
    name: "paragraph_codes",
    grain: "one paragraph x dimension",
    description: "Coder output: paragraph codes.",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("lang", Str, false, "", "Language of the version."),
        c("paragraph", I64, false, "", "Paragraph number."),
        c("tokens", I64, false, "tokens", "Tokens in the paragraph."),
        c("dimension", Str, false, "", "Dimension key."),
        c("hits", I64, false, "matches", "Matches."),
        c(
            "weighted_hits",
            F64,
            false,
            "weighted matches",
            "Weighted matches.",
        ),
        c("score", F64, false, "", "Coder score."),
        c("coded", Bool, false, "", "Coded for the dimension."),
    ],
};

/// `codes/evidence.parquet`.
pub const IN_EVIDENCE: FrameSpec = FrameSpec {
    name: "evidence",
    grain: "one match",
    description: "Coder output: evidence.",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("lang", Str, false, "", "Language of the version."),
        c("paragraph", I64, false, "", "Paragraph number."),
        c("dimension", Str, false, "", "Dimension key."),
        c("indicator", Str, false, "", "Indicator key."),
        c("term", Str, false, "", "Codebook term."),
        c("matched", Str, false, "", "Matched text."),
        c("char_start", I64, false, "chars", "Start offset."),
        c("char_end", I64, false, "chars", "End offset."),
        c("weight", F64, false, "", "Weight."),
        c("rule", Str, false, "", "Rule."),
    ],
};

// ---------------------------------------------------------------------------------------------
// Outputs of `scoway export`.

/// `documents`: one row per document.
pub const DOCUMENTS: FrameSpec = FrameSpec {
    name: "documents",
    grain: "one document (one language version of one SCO text)",
    description: "The coded documents and their metadata, as read from the codes directory.",
    columns: &[
        c(
            "id",
            Str,
            false,
            "",
            "Document id; with `lang`, the key of the row (a document in two languages has two rows, its parallel versions, with the same id).",
        ),
        c(
            "date",
            Date,
            false,
            "ISO date",
            "Date the document was adopted or issued.",
        ),
        c("year", I32, false, "year", "Calendar year of `date`."),
        c(
            "body",
            Str,
            false,
            "",
            "Issuing body: `CHS` (Council of Heads of State: declarations), `CHG` (Council of Heads of Government: communiqués) or `other`.",
        ),
        c(
            "doc_type",
            Str,
            false,
            "",
            "declaration, communique, statement, ...",
        ),
        c(
            "lang",
            Str,
            false,
            "",
            "Language of this version: zh, ru or en.",
        ),
        c(
            "script",
            Str,
            false,
            "",
            "Script of the text, detected at ingest: `simplified`, `traditional`, `mixed` (Chinese), or `none` (no script-specific Chinese characters: Russian, English). Traditional and mixed texts are converted to simplified characters for segmentation, search and coding; quoted text stays as in the source.",
        ),
        c("title", Str, false, "", "Title in the document's language."),
        c(
            "meeting_no",
            I32,
            true,
            "",
            "Number of the summit meeting of `body`, when known.",
        ),
        c("city", Str, true, "", "City of the summit, when known."),
        c(
            "tokens",
            I64,
            false,
            "tokens",
            "Tokens in the paragraphs (jieba-rs for zh, word tokens for ru/en).",
        ),
        c(
            "paragraphs",
            I64,
            false,
            "paragraphs",
            "Paragraphs (coding units).",
        ),
        c(
            "coded_paragraphs",
            I64,
            false,
            "paragraphs",
            "Paragraphs coded for at least one dimension.",
        ),
        c(
            "dominant",
            Str,
            true,
            "",
            "Dimension with the highest document score (coder's definition); null when nothing is coded.",
        ),
        c(
            "sha256",
            Str,
            false,
            "hex",
            "sha256 of the raw source bytes (identifies the text that was coded).",
        ),
    ],
};

/// `paragraph_codes`: one row per paragraph × dimension.
pub const PARAGRAPH_CODES: FrameSpec = FrameSpec {
    name: "paragraph_codes",
    grain: "one paragraph x one dimension (all five dimensions for every paragraph)",
    description: "The coder's paragraph codes in long format, with the document metadata used for grouping. Rows are in document order (date, then id), and in the coder's order within a document.",
    columns: &[
        c(
            "doc_id",
            Str,
            false,
            "",
            "Document id (`documents.id`; with `lang`, the document version).",
        ),
        c(
            "paragraph",
            I64,
            false,
            "",
            "Paragraph number within the document, from 0.",
        ),
        c("date", Date, false, "ISO date", "`documents.date`."),
        c("year", I32, false, "year", "`documents.year`."),
        c("body", Str, false, "", "`documents.body`."),
        c("lang", Str, false, "", "`documents.lang`."),
        c(
            "dimension",
            Str,
            false,
            "",
            "Dimension key (security_spillover, recognition, balanced_power, differential_institutions, networked_circles).",
        ),
        c("tokens", I64, false, "tokens", "Tokens in the paragraph."),
        c(
            "hits",
            I64,
            false,
            "matches",
            "Codebook matches of this dimension in the paragraph (count of evidence rows).",
        ),
        c(
            "weighted_hits",
            F64,
            false,
            "weighted matches",
            "Sum of the weights of those matches (boilerplate terms weigh less; see the codebook).",
        ),
        c(
            "score",
            F64,
            false,
            "coder score",
            "The coder's paragraph score (defined in corpus/codebook/README.md).",
        ),
        c(
            "coded",
            Bool,
            false,
            "",
            "Whether the coder assigned the dimension to the paragraph (coded yes/no).",
        ),
    ],
};

/// `document_scores`: one row per document × dimension.
pub const DOCUMENT_SCORES: FrameSpec = FrameSpec {
    name: "document_scores",
    grain: "one document x one dimension",
    description: "Per-document scores of each dimension.",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("date", Date, false, "ISO date", "`documents.date`."),
        c("year", I32, false, "year", "`documents.year`."),
        c("body", Str, false, "", "`documents.body`."),
        c("lang", Str, false, "", "`documents.lang`."),
        c("meeting_no", I32, true, "", "`documents.meeting_no`."),
        c("dimension", Str, false, "", "Dimension key."),
        c("tokens", I64, false, "tokens", "`documents.tokens`."),
        c(
            "paragraphs",
            I64,
            false,
            "paragraphs",
            "`documents.paragraphs`.",
        ),
        c(
            "hits",
            I64,
            false,
            "matches",
            "Sum of `paragraph_codes.hits` over the document's paragraphs.",
        ),
        c(
            "weighted_hits",
            F64,
            false,
            "weighted matches",
            "Sum of `paragraph_codes.weighted_hits` over the document's paragraphs.",
        ),
        c(
            "coded_paragraphs",
            I64,
            false,
            "paragraphs",
            "Paragraphs of the document coded for the dimension.",
        ),
        c(
            "rate_per_1k",
            F64,
            true,
            "matches per 1,000 tokens",
            "`hits × 1000 / tokens`; null when the document has no tokens.",
        ),
        c(
            "share_coded",
            F64,
            true,
            "proportion (0–1)",
            "`coded_paragraphs / paragraphs`; null when the document has no paragraphs.",
        ),
        c(
            "weighted_score",
            F64,
            true,
            "weighted matches per 1,000 tokens",
            "`weighted_hits × 1000 / tokens`; null when the document has no tokens.",
        ),
        c(
            "rank",
            I32,
            true,
            "",
            "Rank of the dimension within the document by `weighted_score`, 1 = highest; ties share the smallest rank (\"min\" ranking), so five dimensions without any match all rank 1. Null when `weighted_score` is null.",
        ),
    ],
};

const TREND_COLUMNS: &[ColumnSpec] = &[
    c(
        "period",
        Str,
        false,
        "",
        "Period label. By year: the year (\"2019\"). By meeting: `<body> #<meeting_no>` (\"CHS #19\"), or `<body> <date>` for documents without a meeting number.",
    ),
    c(
        "period_start",
        Date,
        false,
        "ISO date",
        "Earliest document date in the period (within the row's body and language); periods are ordered by it.",
    ),
    c(
        "year",
        I32,
        false,
        "year",
        "Calendar year of `period_start`.",
    ),
    c(
        "body",
        Str,
        false,
        "",
        "CHS, CHG, other, or `all` (every body pooled; by-year frame only).",
    ),
    c(
        "lang",
        Str,
        false,
        "",
        "zh, ru, en, or `all` (every language version pooled).",
    ),
    c("dimension", Str, false, "", "Dimension key."),
    c(
        "documents",
        I64,
        false,
        "documents",
        "Documents in the period.",
    ),
    c(
        "paragraphs",
        I64,
        false,
        "paragraphs",
        "Paragraphs in the period (n, the bootstrap sample size).",
    ),
    c(
        "tokens",
        I64,
        false,
        "tokens",
        "Sum of paragraph tokens in the period.",
    ),
    c(
        "hits",
        I64,
        false,
        "matches",
        "Matches of the dimension in the period.",
    ),
    c(
        "coded_paragraphs",
        I64,
        false,
        "paragraphs",
        "Paragraphs coded for the dimension (k).",
    ),
    c(
        "mean_rate",
        F64,
        true,
        "matches per 1,000 tokens",
        "Unweighted mean over the period's documents of `document_scores.rate_per_1k` (every document counts once; documents without tokens are left out).",
    ),
    c(
        "pooled_rate",
        F64,
        true,
        "matches per 1,000 tokens",
        "`hits × 1000 / tokens` over all paragraphs of the period; null when there are no tokens.",
    ),
    c(
        "share_paragraphs",
        F64,
        false,
        "proportion (0–1)",
        "`coded_paragraphs / paragraphs`: share of the period's paragraphs coded for the dimension. The headline statistic of the trend table.",
    ),
    c(
        "hit_share",
        F64,
        true,
        "proportion (0–1)",
        "The dimension's share of all coded hits in the period: `hits / Σ hits over the five dimensions` (same period, body and language); null when the period has no hits at all.",
    ),
    c(
        "yoy_change",
        F64,
        true,
        "proportion points",
        "`share_paragraphs` minus its value in the previous period of the same series (same body, language and dimension; the previous year present in the data, or the previous meeting). Null for a series' first period.",
    ),
    c(
        "rolling_mean_3",
        F64,
        true,
        "proportion (0–1)",
        "Trailing 3-period rolling mean of `share_paragraphs`: mean of this and the two previous periods of the same series. Null for a series' first two periods.",
    ),
    c(
        "ci_low",
        F64,
        false,
        "proportion (0–1)",
        "Lower bound of the percentile bootstrap confidence interval of `share_paragraphs` (level and number of resamples B in manifest.json). Each resample draws n paragraphs with replacement from the period's n paragraphs; its share of coded paragraphs is then Binomial(n, k/n)/n, which is how it is drawn (exactly equivalent: inverse transform sampling from the binomial distribution, O(1) per resample). The bound is the (1−level)/2 quantile of the B resampled shares (linear interpolation between order statistics, numpy's default). The random generator is seeded from `--seed` and (n, k) alone, so an interval is reproducible and depends only on its data, the seed, B and the level (rows with the same n and k have the same interval). Equal to `share_paragraphs` when k = 0 or k = n.",
    ),
    c(
        "ci_high",
        F64,
        false,
        "proportion (0–1)",
        "Upper bound: the (1+level)/2 quantile of the same resampled shares.",
    ),
];

/// `trends`: by year.
pub const TRENDS: FrameSpec = FrameSpec {
    name: "trends",
    grain: "one year x body x language x dimension",
    description: "Theme time series by calendar year, split by body (CHS declarations vs CHG communiqués) and language, with `all` rows pooling bodies and/or languages. Series are (body, lang, dimension).",
    columns: TREND_COLUMNS,
};

/// `trends_meeting`: by summit meeting.
pub const TRENDS_MEETING: FrameSpec = FrameSpec {
    name: "trends_meeting",
    grain: "one summit meeting x language x dimension",
    description: "Theme time series by summit meeting (the documents of one body's meeting: its number, or its date when the number is missing), split by language (`all` pools languages). Same columns as `trends`; `yoy_change` and `rolling_mean_3` run over consecutive meetings of the same body.",
    columns: TREND_COLUMNS,
};

/// `term_emergence`: one row per codebook term.
pub const TERM_EMERGENCE: FrameSpec = FrameSpec {
    name: "term_emergence",
    grain: "one codebook term (dimension, indicator, term)",
    description: "When each codebook term first and last appears in the corpus. Terms never matched are listed with null dates and zero counts; terms found in the evidence but missing from the current codebook (codes built with an older codebook) are listed with `in_codebook = false`.",
    columns: &[
        c("dimension", Str, false, "", "Dimension key."),
        c(
            "indicator",
            Str,
            false,
            "",
            "Indicator key within the dimension.",
        ),
        c(
            "term",
            Str,
            false,
            "",
            "The codebook term (normalised form).",
        ),
        c("lang", Str, true, "", "Language of the term."),
        c(
            "in_codebook",
            Bool,
            false,
            "",
            "Whether the term is in the codebook used for the export.",
        ),
        c(
            "first_date",
            Date,
            true,
            "ISO date",
            "Date of the earliest document with a match; null when never matched.",
        ),
        c(
            "first_doc",
            Str,
            true,
            "",
            "Id of that document (ties on the date: the smallest id).",
        ),
        c(
            "last_date",
            Date,
            true,
            "ISO date",
            "Date of the latest document with a match.",
        ),
        c(
            "last_doc",
            Str,
            true,
            "",
            "Id of that document (ties: the largest id).",
        ),
        c(
            "hits",
            I64,
            false,
            "matches",
            "All matches of the term (evidence rows).",
        ),
        c(
            "documents",
            I64,
            false,
            "documents",
            "Documents with at least one match.",
        ),
        c(
            "years",
            I64,
            false,
            "years",
            "Distinct calendar years with at least one match.",
        ),
        c(
            "yearly_counts",
            Str,
            true,
            "",
            "Matches per year as `year:count` pairs separated by spaces, ascending (the same numbers as `term_yearly`); null when never matched.",
        ),
    ],
};

/// `term_yearly`: matches per term and year.
pub const TERM_YEARLY: FrameSpec = FrameSpec {
    name: "term_yearly",
    grain: "one term x one year with at least one match",
    description: "Yearly counts of every matched codebook term (years without matches are absent: their count is zero).",
    columns: &[
        c("dimension", Str, false, "", "Dimension key."),
        c("indicator", Str, false, "", "Indicator key."),
        c("term", Str, false, "", "Codebook term."),
        c(
            "year",
            I32,
            false,
            "year",
            "Calendar year of the documents.",
        ),
        c(
            "hits",
            I64,
            false,
            "matches",
            "Matches of the term in that year's documents.",
        ),
        c(
            "documents",
            I64,
            false,
            "documents",
            "Documents of that year with at least one match.",
        ),
    ],
};

/// `breaks`: structural breaks of the yearly share series.
pub const BREAKS: FrameSpec = FrameSpec {
    name: "breaks",
    grain: "one detected break in one yearly series (body x language x dimension)",
    description: "Structural breaks in the mean of `trends.share_paragraphs` (by year) found by binary segmentation with an L2 cost: the series (x_1..x_n, years in order, missing years skipped) is split at the point that most reduces the sum of squared deviations from segment means; splitting recurses on the segment with the largest reduction while that reduction exceeds the threshold `penalty × σ² × ln(n)`, where σ² = Σ(x_t − x_{t−1})² / (2(n−1)) is the difference-based noise variance (robust to level shifts) and every segment keeps at least `min_segment` periods. Series with fewer than 2 × `min_segment` years, or constant, have no breaks. Series without breaks have no rows.",
    columns: &[
        c(
            "body",
            Str,
            false,
            "",
            "Series body (CHS, CHG, other, all).",
        ),
        c("lang", Str, false, "", "Series language (zh, ru, en, all)."),
        c("dimension", Str, false, "", "Dimension key."),
        c(
            "break_year",
            I32,
            false,
            "year",
            "First year of the new segment.",
        ),
        c(
            "previous_year",
            I32,
            false,
            "year",
            "Last year of the segment before the break.",
        ),
        c(
            "mean_before",
            F64,
            false,
            "proportion (0–1)",
            "Mean `share_paragraphs` over the final segment just before the break.",
        ),
        c(
            "mean_after",
            F64,
            false,
            "proportion (0–1)",
            "Mean `share_paragraphs` over the final segment starting at the break.",
        ),
        c(
            "shift",
            F64,
            false,
            "proportion points",
            "Size of the shift: `mean_after − mean_before`.",
        ),
        c(
            "sse_reduction",
            F64,
            false,
            "squared proportion",
            "Reduction of the sum of squared deviations when this split was accepted.",
        ),
        c(
            "threshold",
            F64,
            false,
            "squared proportion",
            "The threshold the reduction exceeded: `penalty × σ² × ln(n)`.",
        ),
        c("periods", I64, false, "years", "Length n of the series."),
    ],
};

/// `evidence`: the matches behind every code, with document metadata.
pub const EVIDENCE: FrameSpec = FrameSpec {
    name: "evidence",
    grain: "one codebook match",
    description: "The coder's evidence: every match, with its position in the document, joined with the document metadata. Rows are in document order (date, then id), and in the coder's order within a document.",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("date", Date, false, "ISO date", "`documents.date`."),
        c("year", I32, false, "year", "`documents.year`."),
        c("body", Str, false, "", "`documents.body`."),
        c("lang", Str, false, "", "`documents.lang`."),
        c("title", Str, false, "", "`documents.title`."),
        c(
            "paragraph",
            I64,
            false,
            "",
            "Paragraph number (`paragraph_codes.paragraph`).",
        ),
        c("dimension", Str, false, "", "Dimension key."),
        c("indicator", Str, false, "", "Indicator key."),
        c("term", Str, false, "", "The codebook term that matched."),
        c(
            "matched",
            Str,
            false,
            "",
            "The text as it appears in the document.",
        ),
        c(
            "char_start",
            I64,
            false,
            "characters",
            "Start of the match: offset in Unicode scalar values from the start of the document text (original and normalised text share offsets).",
        ),
        c(
            "char_end",
            I64,
            false,
            "characters",
            "End of the match (exclusive).",
        ),
        c(
            "weight",
            F64,
            false,
            "",
            "Weight of the match in `weighted_hits`.",
        ),
        c(
            "rule",
            Str,
            false,
            "",
            "The codebook rule that produced the match.",
        ),
    ],
};

/// `passages`: the text behind the evidence.
pub const PASSAGES: FrameSpec = FrameSpec {
    name: "passages",
    grain: "one paragraph with at least one codebook match",
    description: "The text of every paragraph that has evidence, read from the document store (`<data>/store`), for reading the passages behind a number. Empty when the store is missing; documents changed since `scoway build` are left out (their offsets would be wrong).",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("date", Date, false, "ISO date", "`documents.date`."),
        c("year", I32, false, "year", "`documents.year`."),
        c("body", Str, false, "", "`documents.body`."),
        c("lang", Str, false, "", "`documents.lang`."),
        c("title", Str, false, "", "`documents.title`."),
        c(
            "paragraph",
            I64,
            false,
            "",
            "Paragraph number (`paragraph_codes.paragraph`).",
        ),
        c(
            "char_start",
            I64,
            false,
            "characters",
            "Start of the paragraph in the document text (same offsets as `evidence.char_start`).",
        ),
        c(
            "char_end",
            I64,
            false,
            "characters",
            "End of the paragraph (exclusive).",
        ),
        c(
            "hits",
            I64,
            false,
            "matches",
            "Evidence rows in the paragraph (all dimensions).",
        ),
        c(
            "dimensions",
            Str,
            false,
            "",
            "Dimensions with evidence in the paragraph, space-separated, sorted.",
        ),
        c(
            "text",
            Str,
            false,
            "",
            "The paragraph as extracted from the source (before normalisation).",
        ),
    ],
};

/// Every exported frame, in the order of the data dictionary.
/// `endorsements`: one row per endorsement statement (see `docs/endorsements.md`).
pub const ENDORSEMENTS: FrameSpec = FrameSpec {
    name: "endorsements",
    grain: "one endorsement statement (subject, verb, object) of a paragraph",
    description: "Who supports what and how strongly, read from the document store (`<data>/store`) with the membership table (`corpus/membership.tsv`) and the verb table (`corpus/endorse/verbs.tsv`). A paragraph without a statement has no row; a subject is never guessed. Empty when the store is missing.",
    columns: &[
        c("doc_id", Str, false, "", "Document id."),
        c("lang", Str, false, "", "Language of the version."),
        c("date", Date, false, "ISO date", "Date of the document."),
        c("year", I32, false, "year", "Calendar year of `date`."),
        c("body", Str, false, "", "CHS, CHG or other."),
        c("doc_type", Str, false, "", "declaration, communique, ..."),
        c(
            "paragraph",
            I64,
            false,
            "",
            "Paragraph number (`paragraph_codes.paragraph`).",
        ),
        c(
            "subject_kind",
            Str,
            false,
            "",
            "all_members (成员国, member states), heads_of_delegation (各代表团团长), partial (相关代表团团长, some member states: unnamed), list (two or more states named), single (one state: 中方, the Kazakh side).",
        ),
        c(
            "subject",
            Str,
            false,
            "",
            "The subject as written in the original text.",
        ),
        c(
            "subject_states",
            Str,
            true,
            "",
            "Codes of the states of a list or single subject, space-separated, in text order; null for the other kinds.",
        ),
        c(
            "subject_carried",
            Bool,
            false,
            "",
            "The verb opens a clause and takes the subject given earlier in its sentence.",
        ),
        c(
            "members_on_date",
            Str,
            false,
            "",
            "Codes of the member states on `date` (membership table), space-separated.",
        ),
        c(
            "absent_members",
            Str,
            true,
            "",
            "For a list subject: members on `date` neither in the list nor proposers of the object, space-separated; null when none is absent or for the other kinds (see `absent_count`).",
        ),
        c(
            "absent_count",
            I32,
            true,
            "states",
            "Number of `absent_members`: 0 for all_members and heads_of_delegation; null for single and partial subjects, where it cannot be said.",
        ),
        c("verb", Str, false, "", "The verb as written."),
        c(
            "verb_label",
            Str,
            false,
            "",
            "The verb's key in the verb table, shared by the languages (reaffirm_support, support, welcome, appreciate, stress_importance, note).",
        ),
        c(
            "grade",
            I32,
            false,
            "grade",
            "Grade of the verb in the verb table: 5 reaffirm support, 4 support, 3 welcome, 2 appreciate / stress the importance, 1 note.",
        ),
        c(
            "strength",
            Str,
            false,
            "",
            "Class of the verb in the verb table: strong, moderate or weak.",
        ),
        c(
            "negated",
            Bool,
            false,
            "",
            "A negation stands before the verb (不支持, do not support, не поддерживают).",
        ),
        c(
            "object",
            Str,
            false,
            "",
            "What is endorsed: from the verb to the end of its clause, as written.",
        ),
        c(
            "object_kind",
            Str,
            false,
            "",
            "initiative, proposal, document, event or other, from the object's words (倡议, 建议, 《》, 会议 ...).",
        ),
        c(
            "proposers",
            Str,
            true,
            "",
            "Codes of the states named as proposers of the object (中方提出的, 哈方关于…的倡议, put forward by, the Kazakh side's), space-separated; null when none is named.",
        ),
        c(
            "subject_char_start",
            I64,
            false,
            "characters",
            "Start of the subject in the document text (same offsets as `evidence.char_start`).",
        ),
        c(
            "subject_char_end",
            I64,
            false,
            "characters",
            "End of the subject (exclusive).",
        ),
        c(
            "subject_byte_start",
            I64,
            false,
            "bytes",
            "Start of the subject in the original UTF-8 text.",
        ),
        c(
            "subject_byte_end",
            I64,
            false,
            "bytes",
            "End of the subject (exclusive).",
        ),
        c(
            "verb_char_start",
            I64,
            false,
            "characters",
            "Start of the verb in the document text.",
        ),
        c(
            "verb_char_end",
            I64,
            false,
            "characters",
            "End of the verb (exclusive).",
        ),
        c(
            "verb_byte_start",
            I64,
            false,
            "bytes",
            "Start of the verb in the original UTF-8 text.",
        ),
        c(
            "verb_byte_end",
            I64,
            false,
            "bytes",
            "End of the verb (exclusive).",
        ),
        c(
            "object_char_start",
            I64,
            false,
            "characters",
            "Start of the object in the document text.",
        ),
        c(
            "object_char_end",
            I64,
            false,
            "characters",
            "End of the object (exclusive).",
        ),
        c(
            "object_byte_start",
            I64,
            false,
            "bytes",
            "Start of the object in the original UTF-8 text.",
        ),
        c(
            "object_byte_end",
            I64,
            false,
            "bytes",
            "End of the object (exclusive).",
        ),
    ],
};

/// `endorsement_strength`: commitment strength per year and dimension.
pub const ENDORSEMENT_STRENGTH: FrameSpec = FrameSpec {
    name: "endorsement_strength",
    grain: "one year x dimension (and `all`)",
    description: "How strong the endorsements are: the share of strong and weak verbs per year, over every statement (`dimension` = `all`) and over the statements of the paragraphs coded for each dimension (`paragraph_codes.coded`). Also `scoway trends --strength`.",
    columns: &[
        c(
            "year",
            I32,
            false,
            "year",
            "Calendar year of the documents.",
        ),
        c(
            "dimension",
            Str,
            false,
            "",
            "Dimension key, or `all` for every statement.",
        ),
        c(
            "endorsements",
            I64,
            false,
            "statements",
            "Statements (negated ones included).",
        ),
        c(
            "strong",
            I64,
            false,
            "statements",
            "Affirmed statements with a strong verb.",
        ),
        c(
            "moderate",
            I64,
            false,
            "statements",
            "Affirmed statements with a moderate verb.",
        ),
        c(
            "weak",
            I64,
            false,
            "statements",
            "Affirmed statements with a weak verb.",
        ),
        c("negated", I64, false, "statements", "Negated statements."),
        c(
            "share_strong",
            F64,
            true,
            "proportion",
            "strong / (endorsements - negated); null when every statement is negated.",
        ),
        c(
            "share_weak",
            F64,
            true,
            "proportion",
            "weak / (endorsements - negated); null when every statement is negated.",
        ),
        c(
            "mean_grade",
            F64,
            true,
            "grade",
            "Mean grade of the affirmed statements; null when there is none.",
        ),
    ],
};

pub const EXPORTED: [&FrameSpec; 12] = [
    &DOCUMENTS,
    &PARAGRAPH_CODES,
    &DOCUMENT_SCORES,
    &TRENDS,
    &TRENDS_MEETING,
    &TERM_EMERGENCE,
    &TERM_YEARLY,
    &BREAKS,
    &EVIDENCE,
    &PASSAGES,
    &ENDORSEMENTS,
    &ENDORSEMENT_STRENGTH,
];

/// Parameters that appear in the dictionary text.
#[derive(Debug, Clone)]
pub struct DictionaryParams {
    pub resamples: usize,
    pub confidence: f64,
    pub seed: u64,
    pub penalty: f64,
    pub min_segment: usize,
}

/// Renders `DATA_DICTIONARY.md`.
pub fn render_markdown(p: &DictionaryParams) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Data dictionary (scoway export)\n");
    let _ = writeln!(
        s,
        "Written by `scoway export` (scoway {}). Every frame is in two files, `<frame>.parquet` \
         (typed) and `<frame>.csv` (UTF-8, header row, ISO dates, empty field = null). \
         `manifest.json` records the versions, the codebook hash, the corpus hashes and the \
         parameters; `charts/` holds the SVG and PNG charts.\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "Parameters of this export: bootstrap resamples B = {}, confidence level = {}, seed = {}, \
         break penalty = {}, minimum segment = {} years.\n",
        p.resamples, p.confidence, p.seed, p.penalty, p.min_segment
    );
    let _ = writeln!(
        s,
        "Units: a *proportion* is between 0 and 1 (multiply by 100 for %); *proportion points* \
         are differences of proportions; rates are per 1,000 tokens. Tokens are counted by the \
         segmenter (jieba-rs words for Chinese), so rates are comparable within a language, not \
         across languages.\n"
    );
    for f in EXPORTED {
        let _ = writeln!(s, "## `{}`\n", f.name);
        let _ = writeln!(s, "One row = {}.\n", f.grain);
        let _ = writeln!(s, "{}\n", f.description);
        let _ = writeln!(s, "| column | type | null | unit | meaning / computation |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for col in f.columns {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} |",
                col.name,
                col.ty.name(),
                if col.nullable { "yes" } else { "no" },
                col.unit,
                col.meaning.replace('|', "\\|")
            );
        }
        let _ = writeln!(s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exported_column_is_documented_once() {
        for f in EXPORTED {
            let mut names: Vec<&str> = f.columns.iter().map(|c| c.name).collect();
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "duplicate column in {}", f.name);
            for col in f.columns {
                assert!(
                    !col.meaning.is_empty(),
                    "{}.{} has no meaning",
                    f.name,
                    col.name
                );
            }
        }
        let md = render_markdown(&DictionaryParams {
            resamples: 7,
            confidence: 0.9,
            seed: 3,
            penalty: 2.5,
            min_segment: 2,
        });
        for f in EXPORTED {
            assert!(md.contains(&format!("## `{}`", f.name)));
            for col in f.columns {
                assert!(md.contains(&format!("| `{}` |", col.name)), "{}", col.name);
            }
        }
        assert!(md.contains("B = 7"));
    }
}
