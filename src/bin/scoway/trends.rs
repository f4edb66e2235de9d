//! `scoway trends`: print or write the theme trend table.

use crate::Ctx;
use anyhow::{Context, bail};
use clap::ValueEnum;
use polars::prelude::{CsvWriter, ParquetWriter, SerWriter};
use scoway::trends::{
    self, ALL, Codes, DEFAULT_RESAMPLES, DEFAULT_SEED, PeriodBy, TableFormat, TrendFilter,
    TrendOptions,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum By {
    Year,
    Meeting,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Md,
    Csv,
    Json,
    Parquet,
}

/// Theme trends by year or summit meeting (share of paragraphs coded per dimension, with
/// bootstrap intervals). Needs `scoway build` first.
#[derive(clap::Args)]
pub struct Args {
    /// Period: calendar year, or summit meeting (body and meeting number).
    #[arg(long, value_enum, default_value = "year")]
    by: By,
    /// Body: CHS (heads of state), CHG (heads of government), other, or all.
    #[arg(long, default_value = ALL)]
    body: String,
    /// Language version: zh, ru, en, or all (pooled).
    #[arg(long, default_value = ALL)]
    lang: String,
    /// Output format: md (a periods × dimensions table), or the long frame as csv, json or
    /// parquet.
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// Write to FILE instead of stdout (required for parquet).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Bootstrap resamples for the confidence intervals (0: none).
    #[arg(long, default_value_t = DEFAULT_RESAMPLES)]
    resamples: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Commitment strength instead: per year and dimension, the share of strong and weak
    /// endorsement verbs (`scoway endorsements`; by year only, without intervals).
    #[arg(long)]
    strength: bool,
}

fn normalise_body(body: &str) -> anyhow::Result<String> {
    Ok(match body.to_ascii_lowercase().as_str() {
        "all" => ALL.to_string(),
        "chs" => "CHS".to_string(),
        "chg" => "CHG".to_string(),
        "other" => "other".to_string(),
        _ => bail!("--body {body}: expected CHS, CHG, other or all"),
    })
}

fn normalise_lang(lang: &str) -> anyhow::Result<String> {
    if lang.eq_ignore_ascii_case(ALL) {
        return Ok(ALL.to_string());
    }
    let parsed: scoway::corpus::document::Lang = lang
        .parse()
        .map_err(|_| anyhow::anyhow!("--lang {lang}: expected zh, ru, en or all"))?;
    Ok(parsed.as_str().to_string())
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let filter = TrendFilter {
        body: normalise_body(&args.body)?,
        lang: normalise_lang(&args.lang)?,
    };
    let opts = TrendOptions {
        by: match args.by {
            By::Year => PeriodBy::Year,
            By::Meeting => PeriodBy::Meeting,
        },
        resamples: args.resamples,
        seed: args.seed,
        confidence: args.confidence,
    };
    let format = match args.format {
        Format::Md => TableFormat::Markdown,
        Format::Csv => TableFormat::Csv,
        Format::Json => TableFormat::Json,
        Format::Parquet => TableFormat::Parquet,
    };
    if format == TableFormat::Parquet && args.out.is_none() {
        bail!("--format parquet writes a binary file: give it with --out FILE");
    }
    if args.strength && opts.by == PeriodBy::Meeting {
        bail!("--strength is by year only: leave out --by meeting");
    }
    let codes = Codes::open(&ctx.data)?;
    let mut rows = if args.strength {
        crate::endorsements::strength_rows(ctx, &codes, &filter)?
    } else {
        let frame = trends::trends(&codes, &opts)?;
        filter.apply(&frame, opts.by, &codes.dimensions)?
    };

    let bytes: Vec<u8> = match format {
        TableFormat::Markdown if args.strength => {
            scoway::endorse::frame::render_strength_markdown(&rows)?.into_bytes()
        }
        TableFormat::Json if args.strength => {
            let json = scoway::endorse::frame::strength_json(&rows)?;
            let mut s = serde_json::to_string_pretty(&json)?;
            s.push('\n');
            s.into_bytes()
        }
        TableFormat::Markdown => {
            trends::render_markdown(&rows, &filter, &opts, &codes.dimensions)?.into_bytes()
        }
        TableFormat::Json => {
            let mut s = serde_json::to_string_pretty(&trends::render_json(&rows, &filter, &opts)?)?;
            s.push('\n');
            s.into_bytes()
        }
        TableFormat::Csv => {
            let mut buf = Vec::new();
            CsvWriter::new(&mut buf)
                .include_header(true)
                .finish(&mut rows)
                .context("writing CSV")?;
            buf
        }
        TableFormat::Parquet => {
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .finish(&mut rows)
                .context("writing Parquet")?;
            buf
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({} rows: {} by {}, body {}, language {})",
                path.display(),
                rows.height(),
                if args.strength {
                    "endorsement strength"
                } else {
                    "trends"
                },
                opts.by.as_str(),
                filter.body,
                filter.lang
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).context("writing to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
