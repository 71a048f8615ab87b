//! Messages in the user's words, and of bounded size: wrong types once
//! named Rust types (`expected u32`, `struct DatabaseFile`, `untagged
//! enum`), and values, keys and lines of 100 KB were once echoed whole. The
//! cases run like `bad_input_files.rs`'s (its harness): exit code 2, a
//! message starting `error:` with `file:line:col` where the file parsed,
//! under 1 KB, no Rust word, nothing on stdout and no output folder.

use super::bad_input_files::{EXPERIMENT, SEED_MODEL, TINY_MODEL, at, case, check, edit, text};

#[test]
fn wrong_types_are_said_in_the_users_words() {
    let workers = edit(TINY_MODEL, "workers = 1", "workers = \"four\"");
    let check_x = edit(SEED_MODEL, "check = {}", "check = \"x\"");
    let bad_inter = edit(
        SEED_MODEL,
        "check = {}",
        "check = { inter = \"5 parsecs\" }",
    );
    let backend = edit(
        SEED_MODEL,
        "backends = [\"web1\", \"web2\"]",
        "backends = [\"web1\", 2]",
    );
    let db = format!("{SEED_MODEL}\n[databases]\ndb3 = \"x\"\n");
    check(vec![
        case(
            "string-for-u32",
            vec![("m.toml", text(&workers))],
            &["check", "m.toml"],
            &[
                "m.toml:5:1: servers.web.app.workers: found the string \"four\", expected a whole number from 0 to 4294967295",
            ],
        ),
        case(
            "check-setting",
            vec![("m.toml", text(&check_x))],
            &["check", "m.toml"],
            &[
                &at("m.toml", &check_x, "check = \"x\""),
                "balancers.lb1.check: found the string \"x\", expected true, false, or a table with inter, fastinter, downinter, rise, fall, timeout",
            ],
        ),
        case(
            "check-inner-mistake-keeps-its-path",
            vec![("m.toml", text(&bad_inter))],
            &["check", "m.toml"],
            &["balancers.lb1.check.inter: invalid duration \"5 parsecs\""],
        ),
        case(
            "backend-shape",
            vec![("m.toml", text(&backend))],
            &["check", "m.toml"],
            &[
                &at("m.toml", &backend, "2]"),
                "balancers.lb1.backends[1]: found the number 2, expected a server's name in quotes, or a table with server, weight and maxconn",
            ],
        ),
        case(
            "database-not-a-table",
            vec![("m.toml", text(&db))],
            &["check", "m.toml"],
            &[
                "databases.db3: found the string \"x\", expected a table with role, connections, read and write",
            ],
        ),
        case(
            "rate-as-string",
            vec![
                ("m.toml", text(TINY_MODEL)),
                (
                    "e.toml",
                    text(&edit(EXPERIMENT, "rate = 10", "rate = \"fast\"")),
                ),
            ],
            &["run", "e.toml"],
            &["e.toml:7:1: workload.rate: found the string \"fast\", expected a number"],
        ),
        case(
            "negative-seed",
            vec![
                ("m.toml", text(TINY_MODEL)),
                ("e.toml", text(&format!("seed = -1\n{EXPERIMENT}"))),
            ],
            &["run", "e.toml"],
            &[
                "e.toml:1:1: seed: found the number -1, expected a whole number from 0 to 18446744073709551615",
            ],
        ),
        case(
            "set-wrong-type",
            vec![("m.toml", text(TINY_MODEL))],
            &["check", "m.toml", "--set", "servers.web.app.workers=abc"],
            &[
                "servers.web.app.workers: found the string \"abc\", expected a whole number",
                "(value from --set servers.web.app.workers=abc)",
            ],
        ),
        case(
            "set-a-table-the-model-lacks",
            vec![("m.toml", text(TINY_MODEL))],
            &["check", "m.toml", "--set", "workload.rate=\"x\""],
            &["error: m.toml: workload.rate: found the string \"x\", expected a number"],
        ),
    ]);
}

#[test]
fn long_values_are_clipped() {
    let long = "x".repeat(100_000);
    let backend = edit(
        SEED_MODEL,
        "backends = [\"web1\", \"web2\"]",
        &format!("backends = [\"web1\", \"{long}\"]"),
    );
    let comment = edit(TINY_MODEL, "workers = 1", &format!("workers = 0 # {long}"));
    let key = format!("{long} = 1\n{TINY_MODEL}");
    let string = format!("name = \"{long}\nentry = \"web\"\n");
    let scenarios = format!(
        "{EXPERIMENT}\n[[scenarios]]\nname = \"{long}\"\n\n[[scenarios]]\nname = \"{long}\"\n"
    );
    let set_path = format!("servers.web.app.{long}=1");
    let set_value = format!("entry={long}");
    let clipped = format!("{}…", "x".repeat(119));
    let clipped = clipped.as_str();
    check(vec![
        case(
            "long-name-echoed",
            vec![("m.toml", text(&backend))],
            &["check", "m.toml"],
            &[&format!("`{clipped}` is not a server")],
        ),
        case(
            "long-source-line",
            vec![("m.toml", text(&comment))],
            &["check", "m.toml"],
            &[
                "m.toml:5:1: servers.web.app.workers: must be at least 1, found 0",
                "5 | workers = 0 # xxx",
                "xxx…\n  | ^",
            ],
        ),
        case(
            "long-key",
            vec![("m.toml", text(&key))],
            &["check", "m.toml"],
            &[
                "m.toml:1:1:",
                "unknown field `xxx",
                "…`, expected one of `name`",
            ],
        ),
        case(
            "long-unterminated-string",
            vec![("m.toml", text(&string))],
            &["check", "m.toml"],
            &["m.toml:1:", "invalid TOML"],
        ),
        case(
            "long-scenario-names",
            vec![("m.toml", text(TINY_MODEL)), ("e.toml", text(&scenarios))],
            &["run", "e.toml"],
            &["a name of 100000 characters; at most 100", "xxx…"],
        ),
        case(
            "long-set-path",
            vec![("m.toml", text(TINY_MODEL))],
            &["check", "m.toml", "--set", &set_path],
            &[
                "unknown field `xxx",
                "(value from --set servers.web.app.xxx",
            ],
        ),
        case(
            "long-set-value",
            vec![("m.toml", text(TINY_MODEL))],
            &["check", "m.toml", "--set", &set_value],
            &["entry: `xxx", "…` is not a balancer or a server"],
        ),
    ]);
}

#[test]
fn many_problems_are_counted_not_all_listed() {
    let backends: Vec<String> = (0..30).map(|i| format!("\"nope{i}\"")).collect();
    let model = edit(
        SEED_MODEL,
        "backends = [\"web1\", \"web2\"]",
        &format!("backends = [{}]", backends.join(", ")),
    );
    let mut c = case(
        "thirty-problems",
        vec![("m.toml", text(&model))],
        &["check", "m.toml"],
        &[
            "`nope0` is not a server",
            "… and 20 more, not shown\n30 problems found",
        ],
    );
    c.max_bytes = 10 * 1024;
    check(vec![c]);
}
