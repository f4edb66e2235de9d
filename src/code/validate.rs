//! Validation of the coder against hand-coded gold files.
