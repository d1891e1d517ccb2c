use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    #[action(batch = Self::powers)]
    fn power(&self, exponent: u32) -> u64 {
        self.value.pow(exponent)
    }

    fn powers(parents: &[Self]) -> Vec<u64> {
        parents.iter().map(|parent| parent.value).collect()
    }
}

fn main() {}
