//! Todos, kept in memory.

use once_cell::sync::Lazy;
use salvo::oapi::extract::{JsonBody, PathParam};
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

static STORE: Lazy<Mutex<Vec<Todo>>> = Lazy::new(|| Mutex::new(Vec::new()));

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Todo {
    pub id: u64,
    pub text: String,
    pub done: bool,
}

pub fn router() -> Router {
    Router::with_path("todos")
        .get(list_todos)
        .post(create_todo)
        .push(Router::with_path("{id}").get(get_todo).delete(delete_todo))
}

/// Every todo.
#[endpoint]
async fn list_todos() -> Json<Vec<Todo>> {
    Json(STORE.lock().await.clone())
}

/// One todo.
#[endpoint]
async fn get_todo(id: PathParam<u64>) -> Result<Json<Todo>, StatusError> {
    let store = STORE.lock().await;
    store
        .iter()
        .find(|t| t.id == *id)
        .cloned()
        .map(Json)
        .ok_or_else(StatusError::not_found)
}

#[endpoint(status_codes(201))]
async fn create_todo(todo: JsonBody<Todo>, res: &mut Response) {
    STORE.lock().await.push(todo.into_inner());
    res.status_code(StatusCode::CREATED);
}

#[endpoint(status_codes(204, 404))]
async fn delete_todo(id: PathParam<u64>, res: &mut Response) {
    let mut store = STORE.lock().await;
    let before = store.len();
    store.retain(|t| t.id != *id);
    res.status_code(if store.len() < before {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    });
}
