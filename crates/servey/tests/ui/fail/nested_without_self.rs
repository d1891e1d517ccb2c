use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    #[action]
    fn zero() -> u64 {
        0
    }
}

fn main() {}
