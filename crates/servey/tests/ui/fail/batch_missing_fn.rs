use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    #[action(batch = Self::doubels)]
    fn double(&self) -> u64 {
        self.value * 2
    }

    fn doubles(parents: &[Self]) -> Vec<u64> {
        parents.iter().map(|parent| parent.value * 2).collect()
    }
}

fn main() {}
