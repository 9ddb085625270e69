fn main() -> std::process::ExitCode {
    screener::cli::main()
}
