//! The example services, as a program offers them to its scenarios.

pub mod naive;

/// Every example service, and how to run the program that offers them.
pub fn services() -> idemsim::Services {
    idemsim::Services::new()
        .with(naive::service())
        .program("cargo run --release --example services --")
}
