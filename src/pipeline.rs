//! Pipeline (owner: lead).
