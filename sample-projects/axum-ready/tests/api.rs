//! Drives the router in-process.

#[tokio::test]
async fn healthz_answers() {
    println!("integration tests may print");
    assert_eq!(2 + 2, 4);
}
