//! The `supportdesk` binary: parse the command line and hand over to the library.

use clap::Parser;

#[actix_web::main]
async fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = supportdesk::config::Cli::parse();
    if let Err(message) = supportdesk::cli::run(cli).await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
