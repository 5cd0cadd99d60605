//! Data types.

use serde::{Deserialize, Serialize};

pub type Db = sqlx::PgPool;

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct NewNote {
    pub body: String,
}

/// Query string of the list endpoint.
#[derive(Debug, Deserialize)]
pub struct ListOptions {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}
