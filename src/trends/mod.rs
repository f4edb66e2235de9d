//! OWNER: helper. Placeholder until the stage lands.
