// The migrations are embedded in the binary: a new or changed one must rebuild it.
//
// Tests of PostgreSQL need `SUPPORTDESK_TEST_POSTGRES_URL`. Without it (outside CI) they are
// compiled with `skip_postgres` and marked ignored, so the test output says they did not run;
// with `CI=true` they run, and fail, as a missing PostgreSQL must fail CI.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=SUPPORTDESK_TEST_POSTGRES_URL");
    println!("cargo:rerun-if-env-changed=SUPPORTDESK_TEST_CITUS_URL");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(skip_postgres)");
    println!("cargo::rustc-check-cfg=cfg(skip_citus)");
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    // The Citus run (by hand, docs/SCALING.md) runs the PostgreSQL cases on the cluster.
    if !set("SUPPORTDESK_TEST_CITUS_URL") {
        println!("cargo:rustc-cfg=skip_citus");
    }
    let configured = set("SUPPORTDESK_TEST_POSTGRES_URL") || set("SUPPORTDESK_TEST_CITUS_URL");
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if !configured && !in_ci {
        println!("cargo:rustc-cfg=skip_postgres");
    }
}
