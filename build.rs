// The migrations are embedded in the binary: a new or changed one must rebuild it.
//
// Tests of PostgreSQL need `SUPPORTDESK_TEST_POSTGRES_URL`. Without it (outside CI) they are
// compiled with `skip_postgres` and marked ignored, so the test output says they did not run;
// with `CI=true` they run, and fail, as a missing PostgreSQL must fail CI.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=SUPPORTDESK_TEST_POSTGRES_URL");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(skip_postgres)");
    let configured =
        std::env::var_os("SUPPORTDESK_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty());
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if !configured && !in_ci {
        println!("cargo:rustc-cfg=skip_postgres");
    }
}
