//! The integration tests, gathered into one test binary so that `cargo test`
//! compiles and links them once, a module per area; run one with a name
//! filter, e.g. `cargo test --release --test suite reports_docs`.

mod api_shape;
mod bad_input;
#[path = "../../examples/services/catalog/mod.rs"]
mod catalog;
mod common;
mod determinism;
mod docs_examples;
mod example_verdicts;
mod explore;
mod failures;
mod faults_real;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod interposition;
mod layers;
mod lessons;
mod mutation;
mod properties;
mod quiet_time;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod replays;
mod reports;
mod reports_browser;
mod reports_docs;
mod reports_history;
mod reports_schema;
mod reports_snapshots;
mod services;
mod shrink_props;
mod sql_diff;
mod sql_services;
mod verdicts;
mod world_end;
