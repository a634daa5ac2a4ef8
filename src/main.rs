//! The `supportdesk` binary: parse the command line and hand over to the library.

use clap::Parser;

#[actix_web::main]
async fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = supportdesk::config::Cli::parse();
    if let Err(err) = supportdesk::cli::run(cli).await {
        // `{:#}`: the error with each of its causes.
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}
