use servey::prelude::*;

struct Stats {
    value: u64,
}

impl Stats {
    #[action]
    fn double(&self) -> u64 {
        self.value * 2
    }
}

fn main() {}
