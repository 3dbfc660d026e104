//! `sqlx::migrate!` embeds migrations/ at compile time but does not tell cargo to watch it, so
//! a newly added migration file would otherwise be missed until an unrelated change.
fn main() {
    println!("cargo::rerun-if-changed=migrations");
}
