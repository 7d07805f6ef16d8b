//! The `idemsim` command: everything it does lives in the library's [`idemsim::cli`].

fn main() -> std::process::ExitCode {
    idemsim::cli::main()
}
