//! OWNER: helper D. HTML main-text extraction.
