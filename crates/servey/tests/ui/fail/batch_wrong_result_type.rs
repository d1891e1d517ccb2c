use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    #[action(batch = Self::doubles)]
    fn double(&self) -> u64 {
        self.value * 2
    }

    fn doubles(parents: &[Self]) -> Vec<String> {
        parents.iter().map(|parent| parent.value.to_string()).collect()
    }
}

fn main() {}
