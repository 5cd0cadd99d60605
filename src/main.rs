//! The `seaworthy` command.

fn main() {
    std::process::exit(seaworthy::cli::main());
}
