//! The codebook: dimensions, indicators, terms, patterns, context rules, exclusions.

use crate::corpus::document::Lang;
use std::path::{Path, PathBuf};

/// Errors of loading or compiling a codebook. Messages name the file, the line and the key.
#[derive(Debug, thiserror::Error)]
pub enum CodebookError {
    #[error("cannot read codebook {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("codebook {source_name}, line {line}, key `{key}`: {message}")]
    Invalid {
        source_name: String,
        line: usize,
        key: String,
        message: String,
    },
}

/// One term of the codebook, for other stages (e.g. the segmenter's user dictionary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermInfo {
    pub dimension: String,
    pub indicator: String,
    pub term: String,
    pub lang: Lang,
}

/// A loaded and checked codebook.
#[derive(Debug, Clone)]
pub struct Codebook {
    source: String,
    path: Option<PathBuf>,
}

impl Codebook {
    /// Loads the codebook at `path`, or the bundled default when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Codebook, CodebookError> {
        match path {
            None => Ok(Codebook {
                source: String::new(),
                path: None,
            }),
            Some(p) => {
                let source = std::fs::read_to_string(p).map_err(|source| CodebookError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                Ok(Codebook {
                    source,
                    path: Some(p.to_path_buf()),
                })
            }
        }
    }

    /// sha256 (hex) of the TOML source.
    pub fn hash(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.source.as_bytes()))
    }

    /// Every literal term of the codebook.
    pub fn all_terms(&self) -> Vec<TermInfo> {
        Vec::new()
    }

    /// The file the codebook was read from; `None` for the bundled one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}
