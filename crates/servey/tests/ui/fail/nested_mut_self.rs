use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    #[action]
    fn double(&mut self) -> u64 {
        self.value * 2
    }
}

fn main() {}
