use servey::prelude::*;

#[action(triggers = [web_get], blocking = true)]
async fn fetch() -> String {
    String::new()
}

fn main() {}
