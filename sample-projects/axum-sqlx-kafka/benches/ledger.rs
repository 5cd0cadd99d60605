use criterion::{criterion_group, criterion_main, Criterion};

fn serialize_event(c: &mut Criterion) {
    c.bench_function("serialize transfer event", |b| b.iter(|| serde_json::to_vec(&[1u8; 64]).unwrap()));
}

criterion_group!(benches, serialize_event);
criterion_main!(benches);
