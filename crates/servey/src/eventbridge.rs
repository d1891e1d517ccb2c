//! servey's schedules as EventBridge sees them: `fixed_rate` and `cron` triggers translated into
//! `rate(...)` and `cron(...)` expressions, the rule each gets (its name and the input that names the
//! action), and the way back from a scheduled event to the action it runs.

use serde_json::{Value, json};
use servey_core::{Action, Registry, Trigger};

/// The `source` of the input every generated rule sends: `{"source": "servey.schedule", "action": NAME}`.
pub(crate) const SCHEDULE_SOURCE: &str = "servey.schedule";

/// One schedule of one action, as an EventBridge rule can run it.
#[cfg_attr(not(feature = "codegen"), allow(dead_code))] // the SAM writer's, and the tests'
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    /// The rule's schedule expression: `rate(1 minute)`, `cron(0 12 * * ? *)`.
    pub(crate) expression: String,
    /// Why the expression differs from what the server runs, when it does.
    pub(crate) adjustment: Option<String>,
}

/// The rule for a `fixed_rate` or `cron` trigger; `Err` says why EventBridge cannot run it, `None` for
/// any other trigger.
pub(crate) fn rule(trigger: &Trigger) -> Option<Result<Rule, String>> {
    match trigger {
        Trigger::FixedRate { seconds } => Some(rate(*seconds)),
        Trigger::Cron(expression) => Some(cron(expression)),
        _ => None,
    }
}

/// The input JSON a generated rule sends for `action`.
#[cfg_attr(not(feature = "codegen"), allow(dead_code))] // the SAM writer's, and the tests'
pub(crate) fn rule_input(action: &str) -> Value {
    json!({"source": SCHEDULE_SOURCE, "action": action})
}

/// The tail of the name of the `index`-th (from 0) rule of `action`, after `${AWS::StackName}-`; `None`
/// when the action's name cannot be part of a rule name (the rule then gets a generated name).
#[cfg_attr(not(feature = "codegen"), allow(dead_code))] // the SAM writer's, and the tests'
pub(crate) fn rule_name_tail(action: &str, index: usize) -> Option<String> {
    let usable = !action.is_empty()
        && action
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    usable.then(|| match index {
        0 => action.to_owned(),
        n => format!("{action}-{}", n + 1),
    })
}

/// The scheduled action a rule named `rule_name` runs: the one whose name ends the rule's name (after a
/// `-`), optionally followed by `-N` for its N-th schedule. The longest matching name wins.
#[cfg_attr(not(feature = "lambda"), allow(dead_code))] // the Lambda handler's, and the tests'
pub(crate) fn action_for_rule<'a>(registry: &'a Registry, rule_name: &str) -> Option<&'a Action> {
    let without_index = rule_name
        .rsplit_once('-')
        .filter(|(_, index)| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
        .map(|(head, _)| head);
    registry
        .iter()
        .filter(|action| action.triggers.iter().any(|t| rule(t).is_some()))
        .filter(|action| {
            [Some(rule_name), without_index]
                .into_iter()
                .flatten()
                .any(|name| {
                    name.strip_suffix(action.name.as_str())
                        .is_some_and(|head| head.ends_with('-'))
                })
        })
        .max_by_key(|action| action.name.len())
        .map(|action| &**action)
}

/// `fixed_rate(seconds)` as a whole number of minutes, EventBridge's finest rate.
fn rate(seconds: u64) -> Result<Rule, String> {
    if seconds == 0 {
        return Err("a zero rate never runs".to_owned());
    }
    let minutes = seconds.div_ceil(60);
    let expression = match minutes {
        m if m.is_multiple_of(1440) => plural(m / 1440, "day"),
        m if m.is_multiple_of(60) => plural(m / 60, "hour"),
        m => plural(m, "minute"),
    };
    let adjustment = (!seconds.is_multiple_of(60)).then(|| {
        format!(
            "every {seconds}s runs every {minutes} minute{} here: EventBridge rates are whole minutes",
            if minutes == 1 { "" } else { "s" }
        )
    });
    Ok(Rule {
        expression: format!("rate({expression})"),
        adjustment,
    })
}

fn plural(count: u64, unit: &str) -> String {
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

/// A six- or seven-field servey cron (seconds first, day of week 0-7 with 0 and 7 Sunday) as
/// EventBridge's six fields (minutes first, year last, one of the two day fields `?`, weekdays 1-7
/// from Sunday, written here as names).
fn cron(expression: &str) -> Result<Rule, String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    let (seconds, minute, hour, day, month, weekday, year) = match fields[..] {
        [s, m, h, d, mo, w] => (s, m, h, d, mo, w, "*"),
        [s, m, h, d, mo, w, y] => (s, m, h, d, mo, w, y),
        _ => {
            return Err(format!(
                "`{expression}` has {} fields; servey's cron has six (seconds first) or seven",
                fields.len()
            ));
        }
    };
    let weekday = weekday_names(weekday);
    let (day, weekday) = match (day, weekday.as_str()) {
        (_, "*" | "?") => (day.to_owned(), "?".to_owned()),
        ("*" | "?", _) => ("?".to_owned(), weekday),
        _ => {
            return Err(format!(
                "`{expression}` restricts both the day of the month and the day of the week; \
                 EventBridge accepts only one of them"
            ));
        }
    };
    let adjustment = (seconds != "0").then(|| {
        format!(
            "`{expression}` runs at second 0 of each matching minute here: EventBridge schedules \
             to the minute"
        )
    });
    Ok(Rule {
        expression: format!("cron({minute} {hour} {day} {month} {weekday} {year})"),
        adjustment,
    })
}

/// Numeric weekdays (0-7, Sunday 0 and 7) written as names, which both dialects read alike; numbers
/// after `/` (steps) and `#` (the n-th weekday) stay numbers.
fn weekday_names(field: &str) -> String {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let mut out = String::new();
    let mut number = String::new();
    let mut keeps_numbers = false;
    let flush = |number: &mut String, out: &mut String, keeps_numbers: bool| {
        if number.is_empty() {
            return;
        }
        match number.parse::<usize>() {
            Ok(day) if !keeps_numbers && day <= 7 => out.push_str(NAMES[day % 7]),
            _ => out.push_str(number),
        }
        number.clear();
    };
    for c in field.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        flush(&mut number, &mut out, keeps_numbers);
        match c {
            '/' | '#' => keeps_numbers = true,
            ',' => keeps_numbers = false,
            _ => {}
        }
        out.push(c);
    }
    flush(&mut number, &mut out, keeps_numbers);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expression(trigger: Trigger) -> Result<Rule, String> {
        rule(&trigger).expect("a schedule")
    }

    #[test]
    fn rates_are_whole_minutes_and_say_when_rounded() {
        let every = |seconds| expression(Trigger::FixedRate { seconds });
        assert_eq!(every(60).expect("runs").expression, "rate(1 minute)");
        assert_eq!(every(60).expect("runs").adjustment, None);
        assert_eq!(every(300).expect("runs").expression, "rate(5 minutes)");
        assert_eq!(every(7200).expect("runs").expression, "rate(2 hours)");
        assert_eq!(every(86_400).expect("runs").expression, "rate(1 day)");
        let rounded = every(10).expect("runs");
        assert_eq!(rounded.expression, "rate(1 minute)");
        assert!(rounded.adjustment.expect("said").contains("every 10s"));
        assert_eq!(every(90).expect("runs").expression, "rate(2 minutes)");
        assert!(every(0).is_err());
    }

    #[test]
    fn cron_drops_seconds_adds_year_and_one_question_mark() {
        let cron = |text: &'static str| expression(Trigger::Cron(text.into()));
        let noon = cron("0 0 12 * * *").expect("runs");
        assert_eq!(noon.expression, "cron(0 12 * * ? *)");
        assert_eq!(noon.adjustment, None);
        assert_eq!(
            cron("0 */5 * * * MON-FRI").expect("runs").expression,
            "cron(*/5 * ? * MON-FRI *)"
        );
        assert_eq!(
            cron("0 30 9 * * 1-5 2030").expect("runs").expression,
            "cron(30 9 ? * MON-FRI 2030)"
        );
        assert_eq!(
            cron("0 0 8 * * 0,7,2#3").expect("runs").expression,
            "cron(0 8 ? * SUN,SUN,TUE#3 *)"
        );
        assert_eq!(
            cron("0 0 1 1 * *").expect("runs").expression,
            "cron(0 1 1 * ? *)"
        );
        assert!(
            cron("*/10 * * * * *")
                .expect("runs")
                .adjustment
                .expect("said")
                .contains("second 0")
        );
        assert!(cron("0 0 0 1 * MON").is_err());
        assert!(cron("0 0 * * *").is_err());
    }

    #[test]
    fn rule_names_lead_back_to_their_action() {
        let tick = Action::builder("tick", |_, _| async { Ok(Value::Null) })
            .trigger(Trigger::FixedRate { seconds: 60 })
            .build();
        let daily_tick = Action::builder("daily_tick", |_, _| async { Ok(Value::Null) })
            .trigger(Trigger::Cron("0 0 0 * * *".into()))
            .build();
        let web = Action::builder("tock", |_, _| async { Ok(Value::Null) })
            .trigger(Trigger::web_get())
            .build();
        let registry = Registry::builder()
            .action(tick)
            .action(daily_tick)
            .action(web)
            .build()
            .expect("unique names");
        let found = |rule: &str| action_for_rule(&registry, rule).map(|a| a.name.clone());
        assert_eq!(rule_name_tail("tick", 0).as_deref(), Some("tick"));
        assert_eq!(rule_name_tail("tick", 1).as_deref(), Some("tick-2"));
        assert_eq!(rule_name_tail("no spaces", 0), None);
        assert_eq!(found("stack-tick").as_deref(), Some("tick"));
        assert_eq!(found("stack-tick-2").as_deref(), Some("tick"));
        assert_eq!(found("stack-daily_tick").as_deref(), Some("daily_tick"));
        assert_eq!(found("stack-tock"), None, "not scheduled");
        assert_eq!(found("stacktick"), None);
        assert_eq!(found("my-scheduled-rule"), None);
    }
}
