//! `scoway catalog` (placeholder until the stage lands).

use crate::Ctx;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`scoway catalog` is not available in this build yet")
}
