use actix_web::{get, post, web, HttpResponse, Responder};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

#[derive(Default)]
pub struct Store {
    pub items: Mutex<Vec<Item>>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
}

#[get("/items")]
pub async fn list_items(store: web::Data<Store>) -> web::Json<Vec<Item>> {
    let items = store.items.lock().unwrap().clone();
    println!("listing {} items", items.len());
    web::Json(items)
}

#[post("/items")]
pub async fn add_item(store: web::Data<Store>, item: web::Json<Item>) -> impl Responder {
    eprintln!("adding item {}", item.id);
    store.items.lock().unwrap().push(item.into_inner());
    HttpResponse::Created().finish()
}

pub async fn get_item(store: web::Data<Store>, id: web::Path<u64>) -> HttpResponse {
    let items = store.items.lock().unwrap();
    match items.iter().find(|i| i.id == *id) {
        Some(item) => HttpResponse::Ok().json(item),
        None => HttpResponse::NotFound().finish(),
    }
}

#[get("/items/{id}/delete")]
pub async fn delete_item(store: web::Data<Store>, id: web::Path<u64>) -> HttpResponse {
    store.items.lock().unwrap().retain(|i| i.id != *id);
    HttpResponse::Ok().finish()
}
