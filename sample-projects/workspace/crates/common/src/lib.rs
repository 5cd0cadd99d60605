//! Shared setup for the workspace's services.

/// JSON logs for every service.
pub fn init_logging() {
    tracing_subscriber::fmt().json().init();
}
