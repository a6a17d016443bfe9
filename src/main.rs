use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = mcp_auth::cli::Cli::parse();
    match mcp_auth::run(cli).await {
        Ok(status) => status.into(),
        Err(err) => {
            let status = err.exit_status();
            if status != mcp_auth::exit::ExitStatus::Ok {
                eprintln!("error: {err}");
            }
            status.into()
        }
    }
}

// mimalloc, not the system allocator: a matrix run makes and drops buffers for
// hundreds of connections, and glibc malloc was about a third of the user time
// (BENCHMARKS.md: 100 providers, 212 → 192 ms and 20 ms less CPU). `no_thp`
// keeps it from backing small heaps with 2 MiB pages (+8 MiB RSS).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
