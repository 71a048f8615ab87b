//! Bad `[plan]` tables: each problem ends `stacksim plan` with exit code 2
//! and one short message located at the key at fault (`file:line:col`), in
//! the harness of `bad_input_files.rs` (no Rust words, no panic, nothing on
//! stdout).

use super::bad_input_files::{at, case, check, text};

/// A model with a balancer over two servers.
const MODEL: &str = r#"name = "pair"
entry = "lb"

[balancers.lb]
backends = ["a", "b"]

[servers.a.app]
workers = 2
service = "1ms"

[servers.b.app]
workers = 2
service = "1ms"
"#;

const EXPERIMENT: &str = "model = \"m.toml\"\nduration = \"10s\"\nreplications = 2\n\n[workload]\nkind = \"open\"\nrate = 10\n";

const PLAN: &str = "[plan]\nsearch = \"servers\"\nfrom = 2\nto = 8\nmax_latency = \"50ms\"\n";

/// `stacksim plan e.toml` with `PLAN` edited (`from` → `to`, or appended
/// when `from` is empty), expecting the message at `needle` to say `says`.
fn plan_case(
    name: &'static str,
    from: &str,
    to: &str,
    needle: &str,
    says: &str,
) -> super::bad_input_files::Case {
    let plan = if from.is_empty() {
        format!("{PLAN}{to}")
    } else {
        PLAN.replacen(from, to, 1)
    };
    let e = format!("{EXPERIMENT}\n{plan}");
    let place = at("e.toml", &e, needle);
    case(
        name,
        vec![("m.toml", text(MODEL)), ("e.toml", text(&e))],
        &["plan", "e.toml"],
        &[&place, says],
    )
}

#[test]
fn bad_plans_are_located_at_their_key() {
    check(vec![
        plan_case(
            "unknown-knob",
            "\"servers\"",
            "\"cpus\"",
            "search = ",
            "`cpus` cannot be searched; expected servers (behind a balancer), workers (per server) or rate",
        ),
        plan_case(
            "unknown-balancer",
            "",
            "balancer = \"lb9\"\n",
            "balancer = ",
            "there is no balancer `lb9` (defined: lb)",
        ),
        plan_case(
            "template-not-a-backend",
            "",
            "template = \"c\"\n",
            "template = ",
            "`c` is not a backend of lb; its backends: a, b",
        ),
        plan_case(
            "bounds-reversed",
            "to = 8",
            "to = 1",
            "to = 1",
            "1: must be above `from` (2)",
        ),
        plan_case(
            "half-a-server",
            "from = 2",
            "from = 2.5",
            "from = ",
            "2.5: expected a whole number from 1 to 1000",
        ),
        plan_case(
            "step-for-servers",
            "",
            "step = 2\n",
            "step = ",
            "servers and workers are counted one by one: leave `step` out",
        ),
        plan_case(
            "unknown-measure",
            "",
            "measure = \"p42\"\n",
            "measure = ",
            "`p42` is not a latency measure; expected mean, p50, p90, p95, p99 or p999",
        ),
        plan_case(
            "errors-above-one",
            "",
            "max_errors = 2\n",
            "max_errors = ",
            "2: expected a share of requests from 0 to below 1",
        ),
        plan_case(
            "availability-of-one",
            "",
            "min_availability = 1.5\n",
            "min_availability = ",
            "1.5: expected a share between 0 and 1",
        ),
        plan_case(
            "n-plus-one-from-one",
            "from = 2",
            "from = 1\nn_plus_one = true",
            "n_plus_one = ",
            "with one server there is none left when it is down",
        ),
        plan_case(
            "cap-below-the-batch",
            "",
            "max_replications = 1\n",
            "max_replications = ",
            "1: expected from the experiment's replications (2) to 10000",
        ),
        plan_case(
            "misspelt-key",
            "",
            "max_latncy = \"1s\"\n",
            "max_latncy",
            "unknown field `max_latncy`",
        ),
        plan_case(
            "latency-not-a-duration",
            "\"50ms\"",
            "\"fast\"",
            "max_latency = ",
            "plan.max_latency",
        ),
    ]);
}

#[test]
fn a_plan_needs_a_plan_table_and_one_design() {
    let no_plan = EXPERIMENT.to_string();
    let scenarios = format!(
        "{EXPERIMENT}\n[[scenarios]]\nname = \"x\"\nset = {{ \"workload.rate\" = 20 }}\n\n{PLAN}"
    );
    check(vec![
        case(
            "no-plan-table",
            vec![("m.toml", text(MODEL)), ("e.toml", text(&no_plan))],
            &["plan", "e.toml"],
            &["e.toml:1:1", "no [plan] table"],
        ),
        case(
            "plan-with-scenarios",
            vec![("m.toml", text(MODEL)), ("e.toml", text(&scenarios))],
            &["plan", "e.toml"],
            &[
                &at("e.toml", &scenarios, "scenarios]]"),
                "[[scenarios]] cannot go with [plan]",
            ],
        ),
        {
            // `check` (and `run`) check the plan against the model too.
            let e = format!("{EXPERIMENT}\n{PLAN}template = \"c\"\n");
            case(
                "check-a-bad-plan",
                vec![("m.toml", text(MODEL)), ("e.toml", text(&e))],
                &["check", "e.toml"],
                &[
                    &at("e.toml", &e, "template = "),
                    "`c` is not a backend of lb",
                ],
            )
        },
        case(
            "plan-of-a-model",
            vec![("m.toml", text(MODEL))],
            &["plan", "m.toml"],
            &["m.toml:1:1", "this is a model"],
        ),
        case(
            "one-replication",
            vec![
                ("m.toml", text(MODEL)),
                (
                    "e.toml",
                    text(&format!(
                        "{}\n{PLAN}",
                        EXPERIMENT.replace("replications = 2", "replications = 1")
                    )),
                ),
            ],
            &["plan", "e.toml"],
            &[
                "e.toml:3:1",
                "a plan needs at least 2 replications per point",
            ],
        ),
    ]);
}
