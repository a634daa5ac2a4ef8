//! The commands of SPEC §1. Creation commands print JSON on stdout; errors go to stderr.

use std::io::BufRead;

use crate::api::views::{AccountView, UserView};
use crate::auth;
use crate::config::{AccountsCommand, Cli, Command, Settings, TokensCommand, UsersCommand};
use crate::db::{self, Db};
use crate::domain::{EmailAddress, Integration, Role};
use crate::services::{self, seed_data::SeedPlan};
use crate::startup::{open_database, signing_keys, Application};

/// Runs the command line; `Err` is the message to print before exiting with status 1.
pub async fn run(cli: Cli) -> Result<(), String> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Migrate => {
            let (_, applied) = open_database(&settings)?;
            for name in applied {
                println!("{name}");
            }
            Ok(())
        }
        Command::Accounts(command) => blocking(settings, move |db, _| accounts(db, command)).await,
        Command::Users(command) => blocking(settings, move |db, _| users(db, command)).await,
        Command::Tokens(command) => blocking(settings, move |db, s| tokens(db, s, command)).await,
        Command::Openapi => {
            print!("{}", crate::api::openapi::document_json());
            Ok(())
        }
        Command::SeedData {
            account,
            customers,
            conversations_per_customer,
            seed,
        } => {
            let plan = SeedPlan {
                account_id: account,
                customers,
                conversations_per_customer,
                seed,
            };
            blocking(settings, move |db, _| seed_data(db, &plan)).await
        }
    }
}

async fn serve(settings: &Settings) -> Result<(), String> {
    let app = Application::build(settings)?;
    log::info!("listening on {} (port {})", settings.bind, app.port());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// Runs a database command off the async runtime (diesel is synchronous).
async fn blocking(
    settings: Settings,
    f: impl FnOnce(&Db, &Settings) -> Result<(), String> + Send + 'static,
) -> Result<(), String> {
    actix_web::rt::task::spawn_blocking(move || {
        let (db, _) = open_database(&settings)?;
        f(&db, &settings)
    })
    .await
    .map_err(|e| e.to_string())?
}

fn print_json(value: &impl serde::Serialize) -> Result<(), String> {
    println!(
        "{}",
        serde_json::to_string(value).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn connection(db: &Db) -> Result<db::PooledConn, String> {
    db.get()
        .map_err(|_| "cannot connect to the database".to_string())
}

fn accounts(db: &Db, command: AccountsCommand) -> Result<(), String> {
    let AccountsCommand::Create { name, contact_form } = command;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > crate::domain::account::MAX_NAME_LEN {
        return Err("--name must be 1 to 255 characters".into());
    }
    let mut conn = connection(db)?;
    let account = db::accounts::create(&mut conn, name, contact_form).map_err(|e| e.to_string())?;
    print_json(&AccountView::from(account))
}

fn users(db: &Db, command: UsersCommand) -> Result<(), String> {
    let UsersCommand::Create {
        account,
        email,
        first_name,
        last_name,
        role,
        password_stdin,
    } = command;
    let email = EmailAddress::parse(&email).map_err(|e| format!("--email {e}"))?;
    let role = Role::parse(&role).ok_or("--role must be admin or agent")?;
    let password_hash = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let password = line.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            return Err("the password read from standard input is empty".into());
        }
        Some(auth::password::hash(password))
    } else {
        None
    };
    let mut conn = connection(db)?;
    let user = conn
        .transaction(|conn| {
            if db::accounts::find(conn, account)?.is_none() {
                return Err(CliError(format!("no account with id {account}")));
            }
            if db::users::find_by_email(conn, email.as_str())?.is_some() {
                return Err(CliError(format!(
                    "a user with email {} exists already",
                    email.as_str()
                )));
            }
            let user = db::users::create(
                conn,
                &db::users::NewUser {
                    email: email.into_inner(),
                    first_name: first_name.trim().to_string(),
                    last_name: last_name
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty()),
                    password_hash,
                },
            )?;
            db::users::add_member(conn, account, user.id, role)?;
            Ok(user)
        })
        .map_err(|e: CliError| e.0)?;
    // The user, with the membership this command made.
    let mut view = serde_json::to_value(UserView::from(user)).map_err(|e| e.to_string())?;
    view["account_id"] = account.into();
    view["role"] = role.as_str().into();
    print_json(&view)
}

fn tokens(db: &Db, settings: &Settings, command: TokensCommand) -> Result<(), String> {
    let mut conn = connection(db)?;
    match command {
        TokensCommand::Create {
            user,
            expires_in,
            integration,
        } => {
            let integration = integration.as_deref().and_then(Integration::parse);
            if db::users::find(&mut conn, user)
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no user with id {user}"));
            }
            let keys = signing_keys(db, settings)?;
            let issued = auth::issue_token(&mut conn, &keys, user, expires_in, integration)
                .map_err(|e| e.to_string())?;
            println!("{}", issued.token);
            Ok(())
        }
        TokensCommand::Revoke { id } => {
            match db::tokens::revoke(&mut conn, &id).map_err(|e| e.to_string())? {
                true => Ok(()),
                false => Err(format!("no token with id {id}")),
            }
        }
    }
}

/// Seeds with a progress bar on stderr; prints a JSON summary.
fn seed_data(db: &Db, plan: &SeedPlan) -> Result<(), String> {
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(plan.customers).with_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} customers ({per_sec}, {eta} left)",
        )
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    let summary = services::seed_data::seed(db, plan, |done| bar.set_position(done))?;
    bar.finish();
    let mut view = serde_json::to_value(summary).map_err(|e| e.to_string())?;
    view["seconds"] = ((started.elapsed().as_secs_f64() * 10.0).round() / 10.0).into();
    print_json(&view)
}

/// A message for the user, or a database error turned into one, inside CLI transactions.
struct CliError(String);

impl From<diesel::result::Error> for CliError {
    fn from(e: diesel::result::Error) -> Self {
        CliError(e.to_string())
    }
}
