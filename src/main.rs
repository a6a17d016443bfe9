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
