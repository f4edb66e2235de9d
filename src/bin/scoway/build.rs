//! `scoway build`

use crate::Ctx;
use scoway::pipeline::{self, BuildOptions};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the build report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let report = pipeline::build(
        &ctx.data,
        &BuildOptions {
            codebook: ctx.codebook.clone(),
            threads: args.threads,
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} documents ({} paragraphs): {} indexed, {} removed, {} coded in {:.2} s",
            report.documents,
            report.paragraphs,
            report.indexed,
            report.removed,
            report.coded,
            report.seconds
        );
    }
    Ok(ExitCode::SUCCESS)
}
