//! Batch forms: sync and async, plain and fallible, beside sync and async single forms.
use servey::prelude::*;

#[derive(Serialize, Deserialize, ToSchema)]
struct Stats {
    value: u64,
}

#[actions]
impl Stats {
    /// Twice the value.
    #[action(batch = Self::doubles)]
    fn double(&self) -> u64 {
        self.value * 2
    }

    fn doubles(parents: &[Self]) -> Vec<u64> {
        parents.iter().map(|parent| parent.value * 2).collect()
    }

    /// Half the value, refused for odd ones.
    #[action(batch = Self::halves)]
    async fn half(&self) -> Result<u64, ActionError> {
        Ok(self.value / 2)
    }

    async fn halves(parents: &[Self]) -> Result<Vec<u64>, ActionError> {
        Ok(parents.iter().map(|parent| parent.value / 2).collect())
    }
}

fn main() {}
