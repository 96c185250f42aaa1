//! What stops a sync: the one error type of the sync stage.

use crate::api::client::ClientError;
use crate::archive::ArchiveError;
use std::path::PathBuf;

/// Errors that stop a sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A `--project`, `--namespace` or `--forge` value is malformed.
    #[error("invalid scope {value:?}: {reason}")]
    Scope {
        /// The value given.
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The report could not be written.
    #[error("cannot write report {path}: {source}")]
    Report {
        /// Report file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}
