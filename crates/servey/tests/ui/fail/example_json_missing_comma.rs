use servey::prelude::*;

#[action(example(params = {"names": ["Ann" "Bob"]}, result = 2))]
fn count(names: Vec<String>) -> usize {
    names.len()
}

fn main() {}
