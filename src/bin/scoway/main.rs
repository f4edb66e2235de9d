//! `scoway`: the command-line front end. It parses arguments, calls the library, and prints.

mod build;
mod catalog;
mod catalog_args;
mod code;
mod demo;
mod endorsements;
mod export;
mod fetch;
mod ingest;
mod kwic;
mod parallel;
mod run;
mod search;
mod serve;
mod show;
mod trends;
mod validate;

use clap::{Parser, Subcommand};
use scoway::layout::DataDir;
use std::path::PathBuf;
use std::process::ExitCode;

/// Text mining for the summit declarations and communiqués of the Shanghai Cooperation
/// Organisation: ingest, segment, index, search, code the five dimensions of the "SCO Way",
/// and build theme time series.
#[derive(Parser)]
#[command(name = "scoway", version, about, long_about = None)]
struct Cli {
    /// Data directory holding the document store, indexes and codes [default: ./data]
    #[arg(long, global = true, env = "SCOWAY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Codebook TOML file (default: the bundled `corpus/codebook/sco_way.toml`).
    #[arg(long, global = true, env = "SCOWAY_CODEBOOK")]
    codebook: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add local files or folders (txt, md, html, json, pdf, docx) to the document store.
    Ingest(ingest::Args),
    /// Download catalogue documents from their official sources and ingest them.
    Fetch(fetch::Args),
    /// List the document catalogue and what is fetched, ingested or missing.
    Catalog(catalog::Args),
    /// Segment, index and code the stored documents (incremental).
    Build(build::Args),
    /// Full-text search (tantivy query syntax) with filters and snippets.
    Search(search::Args),
    /// Keyword in context: every occurrence of a term with its context.
    Kwic(kwic::Args),
    /// Code a stored document or a text against the codebook, with evidence.
    Code(code::Args),
    /// Compare the coder with a hand-coded gold file (precision, recall, F1, alpha).
    Validate(validate::Args),
    /// Compare the codes of a document's language versions, paragraph by aligned paragraph.
    Parallel(parallel::Args),
    /// Print a stored document: metadata, provenance, paragraphs as stored.
    Show(show::Args),
    /// Print or write the theme trend table.
    Trends(trends::Args),
    /// Write every frame (Parquet, CSV), charts, a data dictionary and a run manifest.
    Export(export::Args),
    /// The main job: fetch (or ingest a folder), build, and export trends and charts.
    Run(run::Args),
    /// Run the whole pipeline offline on the bundled fixture corpus (texts we wrote).
    Demo(demo::Args),
    /// Who supported what, how strongly, and who was missing, by year.
    Endorsements(endorsements::Args),
    /// A reading room in the browser over the data directory (read-only, offline).
    Serve(serve::Args),
}

/// What every command needs to know besides its own arguments.
pub struct Ctx {
    pub data: DataDir,
    /// Whether `--data-dir` (or `SCOWAY_DATA_DIR`) was given; `demo` keeps its data apart otherwise.
    pub data_dir_given: bool,
    pub codebook: Option<PathBuf>,
}

/// Restores the default action of SIGPIPE, which the Rust runtime ignores: with it ignored, a
/// write to a closed pipe (`scoway catalog | head -1`) fails and `println!` panics. With the
/// default action the process ends quietly, as `cat` or `grep` do. Files are written
/// atomically, so ending at any write loses nothing already stored.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any other thread exists; `signal` with
    // `SIG_DFL` only resets the disposition of SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let ctx = Ctx {
        data_dir_given: cli.data_dir.is_some(),
        data: DataDir::new(cli.data_dir.unwrap_or_else(|| PathBuf::from("data"))),
        codebook: cli.codebook,
    };
    if matches!(
        cli.command,
        Command::Search(_) | Command::Kwic(_) | Command::Code(_) | Command::Serve(_)
    ) {
        // Beside opening the index and compiling the codebook, not after them.
        scoway::segment::Segmenter::load_in_background();
    }
    let result = match cli.command {
        Command::Ingest(a) => ingest::run(&ctx, a),
        Command::Fetch(a) => fetch::run(&ctx, a),
        Command::Catalog(a) => catalog::run(&ctx, a),
        Command::Build(a) => build::run(&ctx, a),
        Command::Search(a) => search::run(&ctx, a),
        Command::Kwic(a) => kwic::run(&ctx, a),
        Command::Code(a) => code::run(&ctx, a),
        Command::Validate(a) => validate::run(&ctx, a),
        Command::Parallel(a) => parallel::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Trends(a) => trends::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Run(a) => run::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Endorsements(a) => endorsements::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
