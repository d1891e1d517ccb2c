use servey::Extensions;

struct Settings;

impl Settings {
    #[servey::fixture]
    fn values(&self) -> Extensions {
        Extensions::new()
    }
}

fn main() {}
