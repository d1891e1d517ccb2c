use servey::Extensions;

#[servey::fixture]
fn values<T: Default + Send + Sync + 'static>() -> Extensions {
    Extensions::new().with(T::default())
}

fn main() {}
