use servey::prelude::*;

#[action(triggers = [web_post, fixed_rate(60)])]
fn clean_up(older_than_days: u32, dry_run: Option<bool>) -> u32 {
    let _ = dry_run;
    older_than_days
}

#[action(triggers = [cron("0 0 * * * *")])]
fn report(caller: Authorization) -> String {
    let _ = caller;
    String::new()
}

fn main() {}
