pub mod health;
pub mod orders;

/// Browsers may call the API from the web app's origin only, with cookies.
pub fn cors_policy() -> tower_http::cors::CorsLayer {
    use axum::http::{header, HeaderValue, Method};
    tower_http::cors::CorsLayer::new()
        .allow_origin(["https://app.example.com".parse::<HeaderValue>().expect("valid origin")])
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .allow_credentials(true)
}
