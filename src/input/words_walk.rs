//! A test of `words.rs` over the whole file format: it puts wrong values
//! (of every TOML type) into every field of a model and an experiment, one
//! at a time, through the loader, and reads every message: none may name a
//! Rust type. The fields are found by walking the written files and by
//! asking serde (an unknown key `zzz` makes it list a table's fields), so
//! a field added later is covered without editing this test. Set
//! `STACKSIM_DUMP_MESSAGES=FILE` to read all the messages.

use crate::input::locate::Seg;
use crate::input::{Overrides, load_input};
use toml::{Table, Value};

const RUST_WORDS: [&str; 10] = [
    "struct", "enum", "u32", "f64", "usize", "variant", "untagged", "Option", "Vec", "::",
];

/// The seed model inline in an experiment that writes the parts the
/// seed leaves out; the walk finds every other field by itself.
const EXPERIMENT: &str = r#"name = "all"
duration = "10s"
warmup = "1s"
replications = 2
[workload]
kind = "open"
rate = 10
profile = { shape = "steps", steps = [{ at = "1s", rate = 5.0 }] }
classes = [{ name = "a", probability = 1.0, reads = 1, writes = 1 }]
[[scenarios]]
name = "s"
set = { "servers.web1.app.workers" = 2 }
[sweep]
param = "workload.rate"
values = [10, 20]
[[faults]]
at = "1s"
target = "web1"
kind = "crash"
[plan]
search = "servers"
from = 1
to = 2
max_latency = "1s"
"#;

/// Values of every TOML type, wrong for most fields.
fn wrong_values() -> Vec<Value> {
    let t: Table = toml::from_str(
        "a = \"x\"\nb = -1\nc = 1.5\nd = true\ne = [1]\nf = { zzz = 1 }\ng = 99999999999999\nh = 1979-05-27\ni = [{ zzz = 1 }]",
    )
    .unwrap();
    t.into_iter().map(|(_, v)| v).collect()
}

fn get<'a>(root: &'a Table, path: &[Seg]) -> Option<&'a Value> {
    let mut cur: Option<&Value> = None;
    for (i, seg) in path.iter().enumerate() {
        cur = match (seg, cur) {
            (Seg::Key(k), _) if i == 0 => root.get(k),
            (Seg::Key(k), Some(Value::Table(t))) => t.get(k),
            (Seg::Index(n), Some(Value::Array(a))) => a.get(*n),
            _ => None,
        };
    }
    cur
}

/// `root` with `value` at `path`, creating tables and list elements on the way.
fn with(root: &Table, path: &[Seg], value: Value) -> Table {
    fn put(cur: &mut Value, path: &[Seg], value: Value) {
        let Some((seg, rest)) = path.split_first() else {
            *cur = value;
            return;
        };
        let next = match seg {
            Seg::Key(k) => {
                if !cur.is_table() {
                    *cur = Value::Table(Table::new());
                }
                let t = cur.as_table_mut().unwrap();
                t.entry(k.clone())
                    .or_insert_with(|| Value::Table(Table::new()))
            }
            Seg::Index(n) => {
                if !cur.is_array() {
                    *cur = Value::Array(vec![]);
                }
                let a = cur.as_array_mut().unwrap();
                while a.len() <= *n {
                    a.push(Value::Table(Table::new()));
                }
                &mut a[*n]
            }
        };
        put(next, rest, value);
    }
    let mut v = Value::Table(root.clone());
    put(&mut v, path, value);
    match v {
        Value::Table(t) => t,
        _ => unreachable!(),
    }
}

struct Walk {
    dir: std::path::PathBuf,
    messages: Vec<String>,
    loads: usize,
}

impl Walk {
    /// The messages of loading `table` as an experiment ("" when it loads).
    fn load(&mut self, table: &Table) -> String {
        self.loads += 1;
        let file = self.dir.join("e.toml");
        std::fs::write(&file, toml::to_string(table).unwrap()).unwrap();
        match load_input(&file, &Overrides::default()) {
            Ok(_) => String::new(),
            Err(e) => {
                let m = e.to_string();
                self.messages.push(m.clone());
                m
            }
        }
    }

    /// The field names a table at `path` takes, from serde's "unknown field" message.
    fn fields(&mut self, base: &Table, path: &[Seg]) -> Vec<String> {
        let mut probe = path.to_vec();
        probe.push(Seg::Key("zzz".into()));
        let m = self.load(&with(base, &probe, Value::Integer(1)));
        let Some(i) = m.find("unknown field `zzz`, expected") else {
            return vec![];
        };
        let list = m[i..].lines().next().unwrap_or("");
        list.split('`')
            .skip(3)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn is_table(&mut self, base: &Table, path: &[Seg]) -> bool {
        !self.fields(base, path).is_empty()
    }

    /// Every field of the table at `path`: wrong values, then inside.
    fn table(&mut self, base: &Table, path: &[Seg], depth: usize) {
        let mut names = self.fields(base, path);
        let written = match path {
            [] => Some(base),
            _ => get(base, path).and_then(Value::as_table),
        };
        for key in written.into_iter().flat_map(Table::keys) {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
        for name in names {
            let mut field = path.to_vec();
            field.push(Seg::Key(name));
            self.field(base, &field, depth);
        }
    }

    fn field(&mut self, base: &Table, path: &[Seg], depth: usize) {
        for v in wrong_values() {
            self.load(&with(base, path, v));
        }
        if depth == 0 {
            return;
        }
        match get(base, path) {
            Some(Value::Table(_)) => self.table(base, path, depth - 1),
            Some(Value::Array(a)) => {
                for (i, element) in a.iter().enumerate() {
                    let mut el = path.to_vec();
                    el.push(Seg::Index(i));
                    for v in wrong_values() {
                        self.load(&with(base, &el, v));
                    }
                    if element.is_table() {
                        self.table(base, &el, depth - 1);
                    }
                }
            }
            Some(_) => {}
            None => {
                let mut el = path.to_vec();
                el.push(Seg::Index(0));
                if self.is_table(base, path) {
                    self.table(base, path, depth - 1);
                } else if self.is_table(base, &el) {
                    self.table(base, &el, depth - 1);
                }
            }
        }
    }
}

#[test]
fn no_message_names_a_rust_type() {
    let mut base: Table = toml::from_str(EXPERIMENT).unwrap();
    let model: Table = toml::from_str(include_str!("../../models/seed.toml")).unwrap();
    base.insert("model".into(), Value::Table(model));
    let dir = std::env::temp_dir().join(format!("stacksim-words-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut walk = Walk {
        dir: dir.clone(),
        messages: vec![],
        loads: 0,
    };
    assert_eq!(walk.load(&base), "", "the base experiment must load");
    walk.table(&base, &[], 6);
    std::fs::remove_dir_all(&dir).unwrap();
    if let Ok(out) = std::env::var("STACKSIM_DUMP_MESSAGES") {
        std::fs::write(out, walk.messages.join("\n\n")).unwrap();
    }
    let leaks: Vec<&String> = walk
        .messages
        .iter()
        .filter(|m| RUST_WORDS.iter().any(|w| m.contains(w)))
        .collect();
    assert!(
        walk.messages.len() > 1000,
        "only {} messages from {} loads",
        walk.messages.len(),
        walk.loads
    );
    assert!(
        leaks.is_empty(),
        "{} of {} messages name Rust types, e.g.:\n{}",
        leaks.len(),
        walk.messages.len(),
        leaks
            .iter()
            .take(10)
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
