//! `--catalog FILE` and `--catalog-only`, shared by the commands that read the catalogue
//! (`catalog`, `fetch`, `ingest`, `run`).

use crate::Ctx;
use scoway::corpus::catalog::Catalog;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CatalogArgs {
    /// A catalogue of your own (same columns as corpus/catalog.tsv), merged over the bundled
    /// one: its rows are added, and a row with a bundled id replaces that row. Repeat for
    /// several files. `<data-dir>/catalog.tsv` is merged too when it exists.
    #[arg(long = "catalog", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Use only the `--catalog` files: neither the bundled catalogue nor
    /// `<data-dir>/catalog.tsv`.
    #[arg(long, requires = "files")]
    catalog_only: bool,
}

impl CatalogArgs {
    /// The bundled catalogue, then `<data-dir>/catalog.tsv` if it exists, then each
    /// `--catalog` file, merged in that order (or only the `--catalog` files). Warnings
    /// (free-text cells, replaced rows, ...) go to stderr and stay in the catalogue.
    pub fn load(&self, ctx: &Ctx) -> anyhow::Result<Catalog> {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut catalog = if self.catalog_only {
            None
        } else {
            let user = ctx.data.user_catalog();
            if user.is_file() {
                files.push(user);
            }
            Some(Catalog::bundled())
        };
        files.extend(self.files.iter().cloned());
        for path in &files {
            let next = Catalog::load(path)?;
            match &mut catalog {
                Some(c) => c.merge(next),
                None => catalog = Some(next),
            }
        }
        let catalog = catalog.unwrap_or_else(Catalog::bundled);
        for warning in catalog.warnings() {
            eprintln!("warning: {warning}");
        }
        Ok(catalog)
    }
}
