//! Tick labels and axis values with units: milliseconds that switch to
//! seconds, simulated seconds, percentages and availabilities with the
//! decimals their size needs, request rates, and 1-2-5 ticks for log axes.
//! Pure functions of numbers, so the charts' text is tested here.

/// Tick values for a log axis over [lo, hi]: 1-2-5 steps, or only powers
/// of ten when that would give more than 9, or 1…9 steps when fewer than 3.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let within = |ms: &[f64]| -> Vec<f64> {
        let mut out = vec![];
        let mut k = lo.log10().floor() as i32 - 1;
        while 10f64.powi(k) <= hi {
            for m in ms {
                let v = m * 10f64.powi(k);
                if v >= lo && v <= hi {
                    out.push(v);
                }
            }
            k += 1;
        }
        out
    };
    let t = within(&[1.0, 2.0, 5.0]);
    if t.len() > 9 {
        within(&[1.0])
    } else if t.len() < 3 {
        within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    } else {
        t
    }
}

/// Milliseconds with a precision that suits the size: "0.25 ms", "12 ms", "1.5 s".
pub fn fmt_ms(ms: f64) -> String {
    let a = ms.abs();
    if !ms.is_finite() {
        String::new()
    } else if a >= 1000.0 {
        trim(format!("{:.2}", ms / 1000.0)) + " s"
    } else if a >= 10.0 || a == 0.0 {
        format!("{ms:.0} ms")
    } else if a >= 1.0 {
        trim(format!("{ms:.1}")) + " ms"
    } else {
        trim(format!("{ms:.2}")) + " ms"
    }
}

/// Seconds of simulated time: "0 s", "90 s", "2.5 s".
pub fn fmt_s(s: f64) -> String {
    trim(format!("{s:.1}")) + " s"
}

/// A fraction as a percentage with enough decimals for its size.
pub fn fmt_pct(x: f64) -> String {
    let p = 100.0 * x;
    let d = pct_decimals(p);
    trim(format!("{p:.d$}")) + "%"
}

/// The decimals `fmt_pct` shows for `p` percent.
fn pct_decimals(p: f64) -> usize {
    if p == 0.0 || p.abs() >= 10.0 {
        0
    } else if p.abs() >= 1.0 {
        1
    } else {
        2
    }
}

/// A formatter for a percentage axis from 0 to `hi` with about `labels`
/// labels (and for the values written beside its bars): `fmt_pct`, with
/// at least as many decimals as the labels' spacing needs, so that no two
/// labels read the same (`fmt_pct` alone turns 0.005% and 0.015% into
/// 0.01% and 0.02%, repeating labels at small shares).
pub fn pct_axis(hi: f64, labels: usize) -> impl Fn(&f64) -> String {
    // The axis steps by 1, 2 or 5 × 10^k, at least hi / labels apart: the
    // decimals of that estimate are enough for the real step.
    let step = 100.0 * hi / labels.max(1) as f64;
    let d = if step > 0.0 && step.is_finite() {
        (-step.log10()).ceil().max(0.0) as usize
    } else {
        0
    };
    move |x: &f64| {
        let p = 100.0 * x;
        let d = d.max(pct_decimals(p));
        trim(format!("{p:.d$}")) + "%"
    }
}

/// An availability with the decimals its distance from 100% needs:
/// "96.2%", "99.70%", "99.953%", "100%".
pub fn fmt_avail(a: f64) -> String {
    if !a.is_finite() {
        return String::new();
    }
    let gap = 100.0 * (1.0 - a);
    if gap <= 0.0 {
        return "100%".into();
    }
    let d = ((-gap.log10()).ceil() as i32 + 1).clamp(1, 4) as usize;
    format!("{:.d$}%", 100.0 * a)
}

/// A rate: "12 req/s", "0.5 req/s".
pub fn fmt_rps(r: f64) -> String {
    if r.abs() >= 10.0 || r == 0.0 {
        format!("{r:.0} req/s")
    } else {
        trim(format!("{r:.1}")) + " req/s"
    }
}

/// "1.50" → "1.5", "2.00" → "2".
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_carry_units() {
        assert_eq!(fmt_ms(0.25), "0.25 ms");
        assert_eq!(fmt_ms(2.5), "2.5 ms");
        assert_eq!(fmt_ms(12.4), "12 ms");
        assert_eq!(fmt_ms(1500.0), "1.5 s");
        assert_eq!(fmt_ms(0.0), "0 ms");
        assert_eq!(fmt_s(60.0), "60 s");
        assert_eq!(fmt_pct(0.5), "50%");
        assert_eq!(fmt_pct(0.0123), "1.2%");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_rps(300.0), "300 req/s");
        assert_eq!(fmt_rps(0.5), "0.5 req/s");
    }

    /// Labels at every step a percentage axis may take are distinct, and
    /// carry no more decimals than the step.
    #[test]
    fn percentage_axis_labels_never_repeat() {
        for hi in [0.0002, 0.0007, 0.003, 0.02, 0.15, 0.6, 1.0] {
            let f = pct_axis(hi, 6);
            let raw = hi / 6.0;
            // The nice steps a plotting library may choose at or above hi / 6.
            let k = raw.log10().floor();
            for m in [1.0, 2.0, 5.0, 10.0] {
                let step = m * 10f64.powf(k);
                if step < raw {
                    continue;
                }
                let labels: Vec<String> = (0..=6).map(|i| f(&(i as f64 * step))).collect();
                let mut distinct = labels.clone();
                distinct.dedup();
                assert_eq!(distinct, labels, "hi {hi}, step {step}: {labels:?}");
            }
        }
        assert_eq!(pct_axis(0.0002, 6)(&0.00005), "0.005%");
        assert_eq!(pct_axis(0.6, 6)(&0.2), "20%");
        assert_eq!(
            pct_axis(0.06, 6)(&0.0237),
            "2.4%",
            "a value keeps fmt_pct's decimals"
        );
    }

    #[test]
    fn availabilities_show_their_gap() {
        assert_eq!(fmt_avail(0.962), "96.2%");
        assert_eq!(fmt_avail(0.997), "99.70%");
        assert_eq!(fmt_avail(0.99953), "99.953%");
        assert_eq!(fmt_avail(1.0), "100%");
    }

    #[test]
    fn log_ticks_step_1_2_5() {
        assert_eq!(
            log_ticks(15.0, 900.0),
            vec![20.0, 50.0, 100.0, 200.0, 500.0]
        );
        assert_eq!(
            log_ticks(1.0, 1e6),
            vec![1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
        );
        assert_eq!(log_ticks(30.0, 60.0), vec![30.0, 40.0, 50.0, 60.0]);
    }
}
