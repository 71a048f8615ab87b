//! The fuzzer's dictionary: the values, keys and lines the mutator puts
//! into a bundled file (`mutate.rs`). Extremes of each kind (durations,
//! counts, real numbers, names), values of the wrong type, and whole lines a
//! hostile user might add (resource bombs: a 1 ns window, a billion
//! replications, a 10¹² rate, a health-check storm, `/dev/zero` as a file).
//! Keys are listed as the bundled files spell them; a key that is absent from
//! a file is simply not chosen for it.

/// Values that replace any value: extremes, non-numbers, wrong types.
pub const ANY_VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e300",
    "-1e300",
    "1e-300",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "18446744073709551616",
    "4294967296",
    "9223372036854775807",
    "0.5",
    "true",
    "\"\"",
    "\"x\"",
    "\"1ns\"",
    "\"0s\"",
    "\"1e9h\"",
    "\"-1s\"",
    "{}",
    "[]",
    "[1, 2]",
    "[{}]",
    "{ dist = \"exponential\" }",
    "{ a = 1 }",
    "1979-05-27",
];

/// Durations, for keys that hold one.
pub const DURATIONS: &[&str] = &[
    "\"1ns\"",
    "\"0s\"",
    "\"0ns\"",
    "\"1e9h\"",
    "\"-1s\"",
    "\"1.5\"",
    "\"\"",
    "\"1e300s\"",
    "\"18446744073709551615ns\"",
    "\"1us\"",
    "\"9999999h\"",
    "\"nan s\"",
    "\"inf\"",
    "5",
];

/// Counts: workers, replications, connections…
pub const COUNTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "4294967295",
    "4294967296",
    "1000000000",
    "2147483647",
    "9223372036854775807",
    "1e9",
    "1.5",
    "100000",
];

/// Rates and real numbers.
pub const REALS: &[&str] = &[
    "0", "-1", "1e12", "1e300", "nan", "inf", "1e-300", "1000000", "2", "1e-9",
];

/// Keys by kind, as they appear in the bundled files.
pub const DURATION_KEYS: &[&str] = &[
    "duration",
    "warmup",
    "window",
    "drain",
    "inter",
    "fastinter",
    "downinter",
    "timeout",
    "ttl",
    "mean",
    "median",
    "p99",
    "at",
    "overhead",
    "service",
    "timeout_connect",
    "timeout_server",
    "timeout_client",
    "timeout_queue",
    "connect_timeout",
    "alert_delay",
    "notice_delay",
    "mtbf",
    "mttr",
    "period",
    "think",
    "advert_int",
    "slowstart",
    "value",
    "min",
    "max",
];
pub const COUNT_KEYS: &[&str] = &[
    "replications",
    "workers",
    "connections",
    "threads",
    "clients",
    "users",
    "retries",
    "queue_limit",
    "rise",
    "fall",
    "reads",
    "writes",
    "weight",
    "maxconn",
    "seed",
    "error_limit",
];
pub const REAL_KEYS: &[&str] = &[
    "rate",
    "probability",
    "amplitude",
    "cv",
    "loss",
    "factor",
    "shape",
];
pub const NAME_KEYS: &[&str] = &[
    "name",
    "target",
    "backup",
    "record",
    "server",
    "reads_from",
    "writes_to",
    "host",
    "source",
    "entry",
    "peer",
    "param",
    "model",
    "algorithm",
    "kind",
    "mode",
];

/// Whole lines a hostile user might add.
pub const INSERTS: &[&str] = &[
    "allow_overload = true",
    "random_failures = true",
    "window = \"1ns\"",
    "replications = 1000000000",
    "[[scenarios]]\nname = \"base\"",
    "[[scenarios]]\nname = \"bomb\"\nset = { \"workload.rate\" = 1e12 }",
    "[[scenarios]]\nname = \"x\"\nset = { \"no.such.path\" = 1 }",
    "[sweep]\nparam = \"workload.rate\"\nvalues = [1, 1e12]",
    "[[faults]]\nat = \"0s\"\ntarget = \"web1\"\nkind = \"crash\"",
    "check = { inter = \"1ns\", timeout = \"1ns\" }",
    "service = { dist = \"empirical\", file = \"/dev/zero\", column = \"x_ms\" }",
    "model = \"/dev/zero\"",
    "[]",
    "[a.b.c]\nd = 1",
    "x = 1",
    "=",
    "[workload]",
];
