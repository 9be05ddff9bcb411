//! Rebuilds the binary when a migration is added: `sqlx::migrate!` embeds the folder's files,
//! but Cargo only sees the files that were there at the last build (sqlx's documented fix).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
