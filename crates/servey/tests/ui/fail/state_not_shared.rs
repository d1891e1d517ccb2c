use servey::prelude::*;

struct Pool(std::rc::Rc<u32>);

#[action(triggers = [web_get])]
fn size(pool: State<Pool>) -> u32 {
    let Pool(count) = &*pool;
    **count
}

fn main() {}
