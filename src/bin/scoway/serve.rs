//! `scoway serve`: the reading room in the browser over the data directory, read-only.

use crate::Ctx;
use anyhow::Context;
use scoway::serve::{self, Library};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind. Anything but a loopback address makes the pages reachable from other
    /// machines.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Open the address in the browser (with `xdg-open`, when there is one).
    #[arg(long)]
    open: bool,
    /// An export folder (`scoway export --out DIR`, `scoway run --out DIR`) whose files the
    /// pages offer for download.
    #[arg(long, value_name = "DIR")]
    exports: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let lib = Library::open(&ctx.data, ctx.codebook.as_deref(), args.exports.as_deref())
        .with_context(|| {
            format!(
                "cannot serve the data directory {}",
                ctx.data.root().display()
            )
        })?;
    eprintln!("computing the trend and term tables ...");
    lib.warm_up()
        .context("cannot compute the trend and term tables")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let url = format!("http://{addr}/");
        if !args.bind.is_loopback() {
            eprintln!(
                "warning: listening on {} (not a loopback address): other machines can read \
                 these pages",
                args.bind
            );
        }
        // The first line on stdout is the address (scripts and tests read it).
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{url}")?;
        stdout.flush()?;
        eprintln!(
            "serving {} read-only at {url} (Ctrl-C to stop)",
            ctx.data.root().display()
        );
        if args.open {
            open_browser(&url);
        }
        serve::serve(listener, Arc::new(lib))
            .await
            .context("the server stopped")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` with `xdg-open`; without one, says so and carries on.
fn open_browser(url: &str) {
    match std::process::Command::new("xdg-open")
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {}
        Err(e) => eprintln!("note: cannot open a browser ({e}); open {url} yourself"),
    }
}
