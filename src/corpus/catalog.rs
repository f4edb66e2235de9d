//! OWNER: helper D. Catalogue.
