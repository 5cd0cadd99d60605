//! The connection pool, managed by rocket_db_pools.

use rocket_db_pools::{sqlx, Database};

#[derive(Database)]
#[database("library")]
pub struct Library(sqlx::PgPool);
