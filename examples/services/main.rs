//! idemsim's command line with the example services offered to scenarios:
//!
//! ```sh
//! cargo run --release --example services -- check scenarios/services
//! ```
//!
//! A crate that tests its own service writes the same few lines, with its
//! own services in place of these.

mod catalog;

fn main() -> std::process::ExitCode {
    idemsim::cli::main_with(catalog::services())
}
