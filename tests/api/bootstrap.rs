//! First start on an empty database: account 1, an admin, and one curl line with a working token.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::*;
use crate::on_each_backend;

/// A `supportdesk serve` process, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns the lines it writes to stderr, as they come.
pub fn start(mut command: std::process::Command) -> (Server, mpsc::Receiver<String>) {
    let mut child = command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Server(child), rx)
}

/// What a starting server printed: the first-start curl line (if any) and its port.
pub struct Started {
    pub curl: Option<String>,
    pub port: u16,
}

/// Reads stderr until the server says it listens (`listening on … (port N)`).
pub fn wait_for_start(lines: &mpsc::Receiver<String>) -> Started {
    let mut curl = None;
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the server starts within a minute");
        if line.starts_with("curl ") {
            curl = Some(line);
        } else if let Some(rest) = line.split("(port ").nth(1) {
            let port = rest.trim_end_matches(')').parse().expect("a port number");
            return Started { curl, port };
        }
    }
}

/// Reads stderr until the server says it listens; returns the curl line if one came first.
pub fn curl_line_before_listening(lines: &mpsc::Receiver<String>) -> Option<String> {
    wait_for_start(lines).curl
}

/// Runs the printed curl line's request (its URL and bearer token) and returns the status.
async fn follow(curl: &str) -> u16 {
    let token = curl
        .split("Bearer ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let url = curl.rsplit(' ').next().unwrap();
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["accounts"][0]["id"], 1);
    assert_eq!(body["data"]["accounts"][0]["role"], "admin");
    200
}

async fn first_start_prints_a_working_curl_line(backend: Backend) {
    let Some(database) = fresh_database(backend) else {
        return;
    };
    let (server, lines) = start(cli_command(&database.url));
    let curl = curl_line_before_listening(&lines).expect("a curl line on first start");
    assert_eq!(follow(&curl).await, 200);
    drop(server);

    let (_server, lines) = start(cli_command(&database.url));
    assert_eq!(
        curl_line_before_listening(&lines),
        None,
        "a second start bootstraps again"
    );
}

on_each_backend!(first_start_prints_a_working_curl_line);

#[actix_web::test]
async fn the_first_start_log_links_the_docs_page() {
    let database = fresh_database(Backend::Sqlite).unwrap();
    let (_server, lines) = start(cli_command(&database.url));
    let docs = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("a line linking the docs before the server listens");
        assert!(!line.contains("(port "), "no line linking the docs page");
        if let Some(at) = line.find("http://") {
            if line.contains("first start") {
                break line[at..].split([' ', ',']).next().unwrap().to_string();
            }
        }
    };
    assert!(docs.ends_with("/docs"), "{docs}");
    // The link works for a browser: the page, after its redirect to /docs/.
    let response = reqwest::get(&docs).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.url().path() == "/docs/", "{}", response.url());
}

#[actix_web::test]
async fn with_no_database_url_the_server_makes_a_sqlite_file_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = cli_command("unused");
    command.env_remove("DATABASE_URL").current_dir(dir.path());
    let (_server, lines) = start(command);
    let curl = curl_line_before_listening(&lines).expect("a curl line on first start");
    assert_eq!(follow(&curl).await, 200);
    assert!(dir.path().join("supportdesk.db").exists());
}

#[actix_web::test]
async fn bootstrap_can_be_turned_off() {
    let database = fresh_database(Backend::Sqlite).unwrap();
    let mut command = cli_command(&database.url);
    command.env("SUPPORTDESK_BOOTSTRAP", "false");
    let (_server, lines) = start(command);
    assert_eq!(curl_line_before_listening(&lines), None);
}
