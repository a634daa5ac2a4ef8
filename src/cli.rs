//! The commands of SPEC §1. Creation commands print JSON on stdout; errors go to stderr.

use std::io::BufRead;

use anyhow::{anyhow, bail, Context};

use crate::api::views::{AccountView, UserView};
use crate::auth;
use crate::config::{
    AccountsCommand, Cli, Command, EventsCommand, Settings, TokensCommand, UsersCommand,
};
use crate::db::{self, Db};
use crate::domain::{EmailAddress, Integration, Role};
use crate::services::members::{self, NewMember};
use crate::services::{self, seed_data::SeedPlan};
use crate::startup::{open_database, signing_keys, Application};

/// Runs the command line; `Err` is printed with its causes before exiting with status 1.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
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
        Command::Events(command) => blocking(settings, move |db, _| events(db, command)).await,
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

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = Application::build(settings)?;
    log::info!("listening on {} (port {})", settings.bind, app.port());
    app.run_until_stopped().await.context("the server stopped")
}

/// Runs a database command off the async runtime (diesel is synchronous).
async fn blocking(
    settings: Settings,
    f: impl FnOnce(&Db, &Settings) -> anyhow::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    actix_web::rt::task::spawn_blocking(move || {
        let (db, _) = open_database(&settings)?;
        f(&db, &settings)
    })
    .await?
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

fn connection(db: &Db) -> anyhow::Result<db::PooledConn> {
    db.get().context("cannot connect to the database")
}

/// `events tail`: the feed as `GET /events` reads it, one event per line, following it.
fn events(db: &Db, command: EventsCommand) -> anyhow::Result<()> {
    use crate::db::events::{self, Place};
    use crate::domain::event::{select, FeedCursor};
    use std::io::Write;

    let EventsCommand::Tail {
        account,
        types,
        after,
        no_follow,
    } = command;
    let types = match types {
        None => None,
        Some(list) => {
            let patterns: Vec<String> = list.split(',').map(str::to_string).collect();
            let mut errors = crate::domain::FieldErrors::new();
            let selected = select(&patterns, "types", &mut errors);
            if !errors.is_empty() {
                bail!("--types: {}", serde_json::to_string(&errors)?);
            }
            selected
        }
    };
    let mut place = match after {
        None => Place::default(),
        Some(text) => FeedCursor::decode(&text)
            .map(Place::from)
            .ok_or_else(|| anyhow!("--after is not a feed cursor"))?,
    };
    let mut conn = connection(db)?;
    let scope = db::accounts::find(&mut conn, account)?
        .ok_or_else(|| anyhow!("no account {account}"))?
        .scope();
    let stdout = std::io::stdout();
    loop {
        let page = events::page(&mut conn, scope, place, types.as_deref(), 500)?;
        let mut out = stdout.lock();
        for event in &page {
            writeln!(out, "{}", crate::api::events::envelope(event))?;
            place = event.place();
        }
        out.flush()?;
        if page.len() < 500 {
            if no_follow {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
}

fn accounts(db: &Db, command: AccountsCommand) -> anyhow::Result<()> {
    let AccountsCommand::Create { name, contact_form } = command;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > crate::domain::account::MAX_NAME_LEN {
        bail!("--name must be 1 to 255 characters");
    }
    let mut conn = connection(db)?;
    let account = db::accounts::create(&mut conn, name, contact_form)?;
    print_json(&AccountView::from(account))
}

fn users(db: &Db, command: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::Create {
        account,
        email,
        first_name,
        last_name,
        role,
        password_stdin,
    } = command;
    let email = EmailAddress::parse(&email).map_err(|e| anyhow!("--email {e}"))?;
    let role = Role::parse(&role).context("--role must be admin or agent")?;
    let password_hash = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            bail!("the password read from standard input is empty");
        }
        Some(auth::password::hash(password))
    } else {
        None
    };
    let new = NewMember {
        account_id: account,
        email,
        first_name,
        last_name,
        password_hash,
        role,
    };
    let user = connection(db)?.transaction(|conn| members::create(conn, new))?;
    // The user, with the membership this command made.
    let mut view = serde_json::to_value(UserView::from(user))?;
    view["account_id"] = account.into();
    view["role"] = role.as_str().into();
    print_json(&view)
}

fn tokens(db: &Db, settings: &Settings, command: TokensCommand) -> anyhow::Result<()> {
    let mut conn = connection(db)?;
    match command {
        TokensCommand::Create {
            user,
            expires_in,
            integration,
        } => {
            let integration = integration.as_deref().and_then(Integration::parse);
            if db::users::find(&mut conn, user)?.is_none() {
                bail!("no user with id {user}");
            }
            let keys = signing_keys(db, settings)?;
            let issued = auth::issue_token(&mut conn, &keys, user, expires_in, integration)?;
            println!("{}", issued.token);
            Ok(())
        }
        TokensCommand::Revoke { id } => match db::tokens::revoke(&mut conn, &id)? {
            true => Ok(()),
            false => bail!("no token with id {id}"),
        },
    }
}

/// Seeds with a progress bar on stderr; prints a JSON summary.
fn seed_data(db: &Db, plan: &SeedPlan) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(plan.customers).with_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} customers ({per_sec}, {eta} left)",
        )?
        .progress_chars("=> "),
    );
    let summary = services::seed_data::seed(db, plan, |done| bar.set_position(done))?;
    bar.finish();
    let mut view = serde_json::to_value(summary)?;
    view["seconds"] = ((started.elapsed().as_secs_f64() * 10.0).round() / 10.0).into();
    print_json(&view)
}
