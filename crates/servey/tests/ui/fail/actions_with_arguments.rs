use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions(triggers = [web_get])]
impl Stats {
    #[action]
    fn double(&self) -> u64 {
        self.value * 2
    }
}

fn main() {}
