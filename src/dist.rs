//! Distributions of non-negative durations (service times, think times,
//! network delays): the runtime, sampled form built from a model's spec.
//!
//! Invariants: every value is nanoseconds as `f64`; the constructors
//! (`Dist::exponential`, ...) validate parameters with messages in the model
//! file's vocabulary (`mean`, `cv`, `min`, ...) and precompute what sampling
//! needs, so `sample` is one `match`, allocates nothing and never yields a
//! negative duration (draws are rounded to whole nanoseconds). The moment
//! methods are exact closed forms of the sampled distribution, including the
//! truncation of the normal and the bounds of the Pareto, so analytic models
//! and simulation agree on what "mean 4ms" means. Build values through the
//! constructors; the variant fields are public for reading (analytic
//! formulas may match on `Exponential`), not for hand-assembly.

use std::fmt;
use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::engine::SimDuration;

/// The 0.99 quantile of the standard normal, for lognormal `median`+`p99`.
pub const STD_NORMAL_P99: f64 = 2.326_347_874_040_841;

/// One draw of Exp(mean `mean_ns`), in nanoseconds, unrounded: Exp(1)
/// (ziggurat, no logarithm) times the mean. The one exponential draw, so
/// every caller consumes its stream alike; each rounds as it needs.
#[inline(always)]
pub fn exponential_ns(rng: &mut crate::engine::rng::Rng, mean_ns: f64) -> f64 {
    crate::engine::exp1::exp1(rng) * mean_ns
}

/// A sampled distribution of a non-negative duration, in nanoseconds.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Always `value_ns`.
    Constant { value_ns: f64 },
    /// Exponential with mean `mean_ns`, sampled as `Exp1 * mean`.
    Exponential { mean_ns: f64 },
    /// Uniform on `[lo_ns, hi_ns)`.
    Uniform { lo_ns: f64, hi_ns: f64 },
    /// Normal(`mean_ns`, `sd_ns`²) conditioned on being ≥ 0, by rejection
    /// (`mean_ns` ≥ 0 keeps the acceptance rate ≥ 1/2).
    Normal { mean_ns: f64, sd_ns: f64 },
    /// `exp(N(mu, sigma²))` nanoseconds; `mu` is the log of the median.
    LogNormal { mu: f64, sigma: f64 },
    /// Gamma with `shape` and `scale_ns` (mean = shape × scale); Erlang-k is
    /// an integer shape. `unit` is Gamma(shape, 1), scaled at sampling.
    Gamma {
        shape: f64,
        scale_ns: f64,
        unit: rand_distr::Gamma<f64>,
    },
    /// Weibull, sampled as `scale × Exp1^(1/shape)`.
    Weibull {
        shape: f64,
        scale_ns: f64,
        inv_shape: f64,
    },
    /// Pareto(`alpha`) restricted to `[lo_ns, hi_ns]`, by inverse CDF.
    /// `mass` = 1 − (lo/hi)^alpha, `neg_inv_alpha` = −1/alpha.
    BoundedPareto {
        alpha: f64,
        lo_ns: f64,
        hi_ns: f64,
        mass: f64,
        neg_inv_alpha: f64,
    },
    /// Uniform choice among recorded samples.
    Empirical(Arc<[f64]>),
}

impl Dist {
    pub fn constant(value_ns: f64) -> Result<Dist, String> {
        at_least_zero("constant", "value", value_ns)?;
        Ok(Dist::Constant { value_ns })
    }

    pub fn exponential(mean_ns: f64) -> Result<Dist, String> {
        positive("exponential", "mean", mean_ns)?;
        Ok(Dist::Exponential { mean_ns })
    }

    pub fn uniform(min_ns: f64, max_ns: f64) -> Result<Dist, String> {
        at_least_zero("uniform", "min", min_ns)?;
        at_least_zero("uniform", "max", max_ns)?;
        if min_ns > max_ns {
            return Err(format!(
                "uniform needs `min` ≤ `max`, found min {} and max {}",
                fmt_ns(min_ns),
                fmt_ns(max_ns)
            ));
        }
        Ok(Dist::Uniform {
            lo_ns: min_ns,
            hi_ns: max_ns,
        })
    }

    pub fn normal(mean_ns: f64, sd_ns: f64) -> Result<Dist, String> {
        at_least_zero("normal (truncated at 0)", "mean", mean_ns)?;
        at_least_zero("normal", "sd", sd_ns)?;
        Ok(Dist::Normal { mean_ns, sd_ns })
    }

    /// Lognormal with the given mean and coefficient of variation (sd/mean).
    pub fn lognormal_mean_cv(mean_ns: f64, cv: f64) -> Result<Dist, String> {
        positive("lognormal", "mean", mean_ns)?;
        if !(cv.is_finite() && cv >= 0.0) {
            return Err(format!("lognormal needs `cv` ≥ 0, found {cv}"));
        }
        let sigma2 = cv.mul_add(cv, 1.0).ln();
        Ok(Dist::LogNormal {
            mu: mean_ns.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        })
    }

    /// Lognormal with the given median and 99th percentile.
    pub fn lognormal_median_p99(median_ns: f64, p99_ns: f64) -> Result<Dist, String> {
        positive("lognormal", "median", median_ns)?;
        positive("lognormal", "p99", p99_ns)?;
        if p99_ns < median_ns {
            return Err(format!(
                "lognormal needs `p99` ≥ `median`, found median {} and p99 {}",
                fmt_ns(median_ns),
                fmt_ns(p99_ns)
            ));
        }
        let sigma = (p99_ns / median_ns).ln() / STD_NORMAL_P99;
        Ok(Dist::LogNormal {
            mu: median_ns.ln(),
            sigma,
        })
    }

    pub fn gamma(mean_ns: f64, shape: f64) -> Result<Dist, String> {
        positive("gamma", "mean", mean_ns)?;
        positive_number("gamma", "shape", shape)?;
        Self::gamma_unchecked(shape, mean_ns / shape)
    }

    /// Erlang-k: the sum of `k` exponential phases, total mean `mean_ns`.
    pub fn erlang(mean_ns: f64, k: u32) -> Result<Dist, String> {
        positive("erlang", "mean", mean_ns)?;
        if k == 0 {
            return Err("erlang needs `k` ≥ 1 (the number of phases), found 0".into());
        }
        Self::gamma_unchecked(f64::from(k), mean_ns / f64::from(k))
    }

    fn gamma_unchecked(shape: f64, scale_ns: f64) -> Result<Dist, String> {
        let unit = rand_distr::Gamma::new(shape, 1.0)
            .map_err(|e| format!("gamma shape {shape} is unusable: {e}"))?;
        Ok(Dist::Gamma {
            shape,
            scale_ns,
            unit,
        })
    }

    pub fn weibull(shape: f64, scale_ns: f64) -> Result<Dist, String> {
        positive_number("weibull", "shape", shape)?;
        positive("weibull", "scale", scale_ns)?;
        Ok(Dist::Weibull {
            shape,
            scale_ns,
            inv_shape: 1.0 / shape,
        })
    }

    /// Weibull with the given shape whose scale is chosen to give `mean_ns`.
    pub fn weibull_mean(shape: f64, mean_ns: f64) -> Result<Dist, String> {
        positive_number("weibull", "shape", shape)?;
        positive("weibull", "mean", mean_ns)?;
        let scale_ns = mean_ns / gamma_fn(1.0 + 1.0 / shape);
        if !(scale_ns.is_finite() && scale_ns > 0.0) {
            return Err(format!(
                "weibull shape {shape} is too small to reach a mean"
            ));
        }
        Self::weibull(shape, scale_ns)
    }

    pub fn bounded_pareto(alpha: f64, min_ns: f64, max_ns: f64) -> Result<Dist, String> {
        positive_number("pareto", "alpha", alpha)?;
        positive("pareto", "min", min_ns)?;
        positive("pareto", "max", max_ns)?;
        if min_ns >= max_ns {
            return Err(format!(
                "pareto needs `min` < `max`, found min {} and max {}",
                fmt_ns(min_ns),
                fmt_ns(max_ns)
            ));
        }
        let mass = -(-alpha * (max_ns / min_ns).ln()).exp_m1();
        Ok(Dist::BoundedPareto {
            alpha,
            lo_ns: min_ns,
            hi_ns: max_ns,
            mass,
            neg_inv_alpha: -1.0 / alpha,
        })
    }

    pub fn empirical(samples_ns: Vec<f64>) -> Result<Dist, String> {
        if samples_ns.is_empty() {
            return Err("empirical needs at least one sample".into());
        }
        if let Some((i, v)) = samples_ns
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(format!(
                "empirical sample #{} is {v}; samples must be finite and ≥ 0",
                i + 1
            ));
        }
        Ok(Dist::Empirical(samples_ns.into()))
    }

    /// One draw, rounded to whole nanoseconds. The two commonest
    /// distributions are drawn inline; the others out of line.
    #[inline(always)]
    pub fn sample(&self, rng: &mut crate::engine::rng::Rng) -> SimDuration {
        let ns = match self {
            Dist::Constant { value_ns } => *value_ns,
            Dist::Exponential { mean_ns } => exponential_ns(rng, *mean_ns),
            _ => self.sample_other_ns(rng),
        };
        SimDuration::from_nanos_f64(ns)
    }

    /// One draw of the distributions `sample` does not draw inline, in ns.
    #[inline(never)]
    fn sample_other_ns(&self, rng: &mut crate::engine::rng::Rng) -> f64 {
        match self {
            Dist::Constant { value_ns } => *value_ns,
            Dist::Exponential { mean_ns } => exponential_ns(rng, *mean_ns),
            Dist::Uniform { lo_ns, hi_ns } => (hi_ns - lo_ns).mul_add(rng.random::<f64>(), *lo_ns),
            Dist::Normal { mean_ns, sd_ns } => loop {
                let x = sd_ns.mul_add(rng.sample::<f64, _>(StandardNormal), *mean_ns);
                if x >= 0.0 {
                    break x;
                }
            },
            Dist::LogNormal { mu, sigma } => sigma
                .mul_add(rng.sample::<f64, _>(StandardNormal), *mu)
                .exp(),
            Dist::Gamma { scale_ns, unit, .. } => unit.sample(rng) * scale_ns,
            Dist::Weibull {
                scale_ns,
                inv_shape,
                ..
            } => rng.sample::<f64, _>(Exp1).powf(*inv_shape) * scale_ns,
            Dist::BoundedPareto {
                lo_ns,
                mass,
                neg_inv_alpha,
                ..
            } => {
                lo_ns
                    * (-rng.random::<f64>())
                        .mul_add(*mass, 1.0)
                        .powf(*neg_inv_alpha)
            }
            Dist::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        }
    }

    /// E[X^k] in ns^k, exact (E[X⁰] = 1).
    pub fn raw_moment_ns(&self, k: u32) -> f64 {
        let (kf, ki) = (f64::from(k), k as i32);
        match self {
            Dist::Constant { value_ns } => value_ns.powi(ki),
            Dist::Exponential { mean_ns } => {
                (1..=k).map(f64::from).product::<f64>() * mean_ns.powi(ki)
            }
            // (hi^(k+1) − lo^(k+1)) / ((k+1)(hi − lo)), summed to avoid cancellation.
            Dist::Uniform { lo_ns, hi_ns } => {
                (0..=ki)
                    .map(|j| hi_ns.powi(j) * lo_ns.powi(ki - j))
                    .sum::<f64>()
                    / (kf + 1.0)
            }
            Dist::Normal { mean_ns, sd_ns } => truncated_normal_moment(*mean_ns, *sd_ns, k),
            Dist::LogNormal { mu, sigma } => (kf * mu + 0.5 * kf * kf * sigma * sigma).exp(),
            Dist::Gamma {
                shape, scale_ns, ..
            } => (0..k).map(|i| (shape + f64::from(i)) * scale_ns).product(),
            Dist::Weibull {
                shape, scale_ns, ..
            } => scale_ns.powi(ki) * gamma_fn(1.0 + kf / shape),
            Dist::BoundedPareto {
                alpha,
                lo_ns,
                hi_ns,
                mass,
                ..
            } => {
                // α lo^k ∫₀^ln(r) e^((k−α)t) dt / mass, with r = hi/lo.
                let (ln_r, d) = ((hi_ns / lo_ns).ln(), kf - alpha);
                let integral = if (d * ln_r).abs() < 1e-9 {
                    ln_r * (1.0 + d * ln_r / 2.0)
                } else {
                    (d * ln_r).exp_m1() / d
                };
                alpha * lo_ns.powi(ki) * integral / mass
            }
            Dist::Empirical(s) => s.iter().map(|x| x.powi(ki)).sum::<f64>() / s.len() as f64,
        }
    }

    pub fn mean_ns(&self) -> f64 {
        self.raw_moment_ns(1)
    }

    /// E[X²] in ns².
    pub fn second_moment_ns2(&self) -> f64 {
        self.raw_moment_ns(2)
    }

    /// Squared coefficient of variation, Var/mean² (0 for a zero mean).
    pub fn scv(&self) -> f64 {
        let m = self.mean_ns();
        if m > 0.0 {
            (self.second_moment_ns2() / (m * m) - 1.0).max(0.0)
        } else {
            0.0
        }
    }

    /// True for the constant zero (a stage that takes no time).
    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant { value_ns } if *value_ns == 0.0)
    }

    /// The same shape with every duration multiplied by `k` (slow-down faults).
    /// Panics if `k` is negative or not finite: callers validate factors.
    pub fn scaled(&self, k: f64) -> Dist {
        assert!(
            k.is_finite() && k >= 0.0,
            "duration scale factor must be finite and ≥ 0, got {k}"
        );
        if k == 0.0 {
            return Dist::Constant { value_ns: 0.0 };
        }
        let mut d = self.clone();
        match &mut d {
            Dist::Constant { value_ns: v } | Dist::Exponential { mean_ns: v } => *v *= k,
            Dist::Uniform { lo_ns, hi_ns } => (*lo_ns, *hi_ns) = (*lo_ns * k, *hi_ns * k),
            Dist::Normal { mean_ns, sd_ns } => (*mean_ns, *sd_ns) = (*mean_ns * k, *sd_ns * k),
            Dist::LogNormal { mu, .. } => *mu += k.ln(),
            Dist::Gamma { scale_ns, .. } | Dist::Weibull { scale_ns, .. } => *scale_ns *= k,
            Dist::BoundedPareto { lo_ns, hi_ns, .. } => (*lo_ns, *hi_ns) = (*lo_ns * k, *hi_ns * k),
            Dist::Empirical(s) => *s = s.iter().map(|x| x * k).collect(),
        }
        d
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dist::Constant { value_ns } => write!(f, "constant({})", fmt_ns(*value_ns)),
            Dist::Exponential { mean_ns } => write!(f, "exponential(mean {})", fmt_ns(*mean_ns)),
            Dist::Uniform { lo_ns, hi_ns } => {
                write!(f, "uniform({}..{})", fmt_ns(*lo_ns), fmt_ns(*hi_ns))
            }
            Dist::Normal { mean_ns, sd_ns } => {
                write!(
                    f,
                    "normal(mean {}, sd {}, truncated at 0)",
                    fmt_ns(*mean_ns),
                    fmt_ns(*sd_ns)
                )
            }
            Dist::LogNormal { sigma, .. } => {
                let cv = (sigma * sigma).exp_m1().sqrt();
                write!(
                    f,
                    "lognormal(mean {}, cv {})",
                    fmt_ns(self.mean_ns()),
                    fmt_num(cv)
                )
            }
            Dist::Gamma { shape, .. } => write!(
                f,
                "gamma(mean {}, shape {})",
                fmt_ns(self.mean_ns()),
                fmt_num(*shape)
            ),
            Dist::Weibull {
                shape, scale_ns, ..
            } => {
                write!(
                    f,
                    "weibull(shape {}, scale {})",
                    fmt_num(*shape),
                    fmt_ns(*scale_ns)
                )
            }
            Dist::BoundedPareto {
                alpha,
                lo_ns,
                hi_ns,
                ..
            } => {
                write!(
                    f,
                    "pareto(alpha {}, {}..{})",
                    fmt_num(*alpha),
                    fmt_ns(*lo_ns),
                    fmt_ns(*hi_ns)
                )
            }
            Dist::Empirical(s) => write!(
                f,
                "empirical({} samples, mean {})",
                s.len(),
                fmt_ns(self.mean_ns())
            ),
        }
    }
}

/// E[X^k] of N(mean, sd²) conditioned on X ≥ 0. Stein's identity gives
/// m_k = mean·m_{k−1} + (k−1)·sd²·m_{k−2} for k ≥ 2 (the boundary term
/// vanishes at 0), with m_1 = mean + sd·φ(β)/Φ(β), β = mean/sd.
fn truncated_normal_moment(mean: f64, sd: f64, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if sd == 0.0 {
        return mean.powi(k as i32);
    }
    let beta = mean / sd;
    let pdf = (-0.5 * beta * beta).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (mut prev, mut m) = (1.0, sd.mul_add(pdf / std_normal_cdf(beta), mean));
    for j in 2..=k {
        (prev, m) = (m, mean * m + f64::from(j - 1) * sd * sd * prev);
    }
    m
}

/// Φ(x), accurate to ~1e-15 absolute.
fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function: series below 3, continued fraction above.
fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    let scale = (-x * x).exp() / std::f64::consts::PI.sqrt();
    if x < 3.0 {
        // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!  (all terms positive)
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term > 1e-17 * sum {
            n += 1.0;
            term *= 2.0 * x * x / (2.0 * n + 1.0);
            sum += term;
        }
        1.0 - 2.0 * scale * sum
    } else {
        // e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …))))
        let mut t = x;
        for n in (1..=60).rev() {
            t = x + f64::from(n) / 2.0 / t;
        }
        scale / t
    }
}

/// Γ(x) for x ≥ 0.5 (Lanczos, from `stats::special`); overflows to ∞.
fn gamma_fn(x: f64) -> f64 {
    crate::stats::special::ln_gamma(x).exp()
}

fn at_least_zero(dist: &str, param: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!("{dist} needs `{param}` ≥ 0, found {}", fmt_ns(v)))
    }
}

fn positive(dist: &str, param: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!("{dist} needs `{param}` > 0, found {}", fmt_ns(v)))
    }
}

fn positive_number(dist: &str, param: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!("{dist} needs `{param}` > 0, found {v}"))
    }
}

/// A duration in nanoseconds for messages: `4ms`, or the raw value if it is
/// not a valid duration.
fn fmt_ns(v: f64) -> String {
    if v.is_finite() && v >= 0.0 {
        SimDuration::from_nanos_f64(v).to_string()
    } else {
        format!("{v}ns")
    }
}

/// `1.500` → `1.5`, `2.000` → `2`.
fn fmt_num(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    const MS: f64 = 1e6;

    /// One of every variant, with parameters where truncation, bounds and
    /// skew matter.
    fn zoo() -> Vec<Dist> {
        vec![
            Dist::constant(50_000.0).unwrap(),
            Dist::exponential(4.0 * MS).unwrap(),
            Dist::uniform(1.0 * MS, 3.0 * MS).unwrap(),
            Dist::normal(4.0 * MS, 3.0 * MS).unwrap(),
            Dist::normal(0.0, 2.0 * MS).unwrap(),
            Dist::lognormal_mean_cv(4.0 * MS, 1.0).unwrap(),
            Dist::lognormal_median_p99(5.0 * MS, 40.0 * MS).unwrap(),
            Dist::gamma(4.0 * MS, 0.5).unwrap(),
            Dist::erlang(4.0 * MS, 3).unwrap(),
            Dist::weibull(1.5, 4.0 * MS).unwrap(),
            Dist::weibull_mean(0.7, 4.0 * MS).unwrap(),
            Dist::bounded_pareto(1.5, 1.0 * MS, 100.0 * MS).unwrap(),
            Dist::empirical(vec![1.0 * MS, 2.0 * MS, 2.0 * MS, 7.0 * MS, 0.0]).unwrap(),
        ]
    }

    /// Sample mean of X and of X² over 200k seeded draws must lie within the
    /// two-sided 99.9% normal-theory interval (z = 3.2905) around the exact
    /// moments, with the standard errors taken from the distribution's own
    /// Var(X) = E[X²] − E[X]² and Var(X²) = E[X⁴] − E[X²]², plus the ≤ 0.5ns
    /// rounding of each draw.
    #[test]
    fn sample_moments_match_exact_moments() {
        const N: usize = 200_000;
        const Z: f64 = 3.2905;
        for (i, d) in zoo().into_iter().enumerate() {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1000 + i as u64);
            let (mut s1, mut s2) = (0.0, 0.0);
            for _ in 0..N {
                let x = d.sample(&mut rng).as_nanos() as f64;
                s1 += x;
                s2 += x * x;
            }
            let n = N as f64;
            let (m1, m2, m4) = (d.mean_ns(), d.second_moment_ns2(), d.raw_moment_ns(4));
            let tol1 = Z * ((m2 - m1 * m1).max(0.0) / n).sqrt() + 0.5;
            let tol2 = Z * ((m4 - m2 * m2).max(0.0) / n).sqrt() + m1 + 0.25;
            let (mean, second) = (s1 / n, s2 / n);
            assert!(
                (mean - m1).abs() <= tol1,
                "{d}: sample mean {mean} vs {m1} ± {tol1}"
            );
            assert!(
                (second - m2).abs() <= tol2,
                "{d}: sample E[X²] {second} vs {m2} ± {tol2}"
            );
        }
    }

    #[test]
    fn same_seed_same_draws_other_seed_other_draws() {
        for d in zoo() {
            let draw = |seed| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
                (0..64).map(|_| d.sample(&mut rng)).collect::<Vec<_>>()
            };
            assert_eq!(draw(7), draw(7), "{d}");
            if !matches!(d, Dist::Constant { .. }) {
                assert_ne!(draw(7), draw(8), "{d}");
            }
        }
    }

    #[test]
    fn closed_forms_match_known_values() {
        let e = Dist::exponential(4.0 * MS).unwrap();
        assert_eq!(e.second_moment_ns2(), 2.0 * 16.0 * MS * MS);
        assert!((e.scv() - 1.0).abs() < 1e-12);
        let ln = Dist::lognormal_mean_cv(4.0 * MS, 1.5).unwrap();
        assert!((ln.mean_ns() / (4.0 * MS) - 1.0).abs() < 1e-12);
        assert!((ln.scv() - 2.25).abs() < 1e-9);
        let g = Dist::gamma(4.0 * MS, 2.0).unwrap();
        assert!((g.scv() - 0.5).abs() < 1e-12);
        assert!((Dist::erlang(4.0 * MS, 4).unwrap().scv() - 0.25).abs() < 1e-12);
        let u = Dist::uniform(1.0 * MS, 3.0 * MS).unwrap();
        assert!((u.second_moment_ns2() - 13.0 / 3.0 * MS * MS).abs() < 1.0);
        // Weibull shape 1 is exponential; shape 2 has mean scale·√π/2.
        let w1 = Dist::weibull(1.0, 4.0 * MS).unwrap();
        assert!((w1.second_moment_ns2() / (32.0 * MS * MS) - 1.0).abs() < 1e-12);
        let w2 = Dist::weibull(2.0, 4.0 * MS).unwrap();
        assert!((w2.mean_ns() / (2.0 * MS * std::f64::consts::PI.sqrt()) - 1.0).abs() < 1e-13);
        assert!(
            (Dist::weibull_mean(0.7, 3.0 * MS).unwrap().mean_ns() / (3.0 * MS) - 1.0).abs() < 1e-12
        );
    }

    #[test]
    fn truncated_normal_moments() {
        // Half-normal: mean σ√(2/π), E[X²] = σ².
        let h = Dist::normal(0.0, 2.0 * MS).unwrap();
        let expect = 2.0 * MS * (2.0 / std::f64::consts::PI).sqrt();
        assert!((h.mean_ns() / expect - 1.0).abs() < 1e-13);
        assert!((h.second_moment_ns2() / (4.0 * MS * MS) - 1.0).abs() < 1e-13);
        // Far from 0 the truncation is invisible.
        let n = Dist::normal(40.0 * MS, 1.0 * MS).unwrap();
        assert_eq!(n.mean_ns(), 40.0 * MS);
        assert!((n.second_moment_ns2() / (1601.0 * MS * MS) - 1.0).abs() < 1e-14);
        // sd 0 is a constant.
        assert_eq!(Dist::normal(3.0, 0.0).unwrap().second_moment_ns2(), 9.0);
        assert!((std_normal_cdf(1.96) - 0.975_002_104_851_780).abs() < 1e-14);
        assert!((std_normal_cdf(-3.0) - 0.001_349_898_031_630_095).abs() < 1e-15);
        assert!((std_normal_cdf(-5.0) - 2.866_515_718_791_939e-7).abs() < 1e-19);
    }

    #[test]
    fn bounded_pareto_moments_are_continuous_at_k_equals_alpha() {
        let at = Dist::bounded_pareto(2.0, 1.0, 1000.0).unwrap();
        let near = Dist::bounded_pareto(2.0 + 1e-7, 1.0, 1000.0).unwrap();
        let (a, b) = (at.second_moment_ns2(), near.second_moment_ns2());
        assert!((a / b - 1.0).abs() < 1e-5, "{a} vs {b}");
        // α = 2 on [1, 1000]: E[X²] = 2·ln(1000)/(1 − 10⁻⁶).
        assert!((a - 2.0 * 1000f64.ln() / (1.0 - 1e-6)).abs() < 1e-9);
        // Mean: α/(α−1)·(1 − r^(1−α))/(1 − r^−α) · lo.
        assert!((at.mean_ns() - 2.0 * (1.0 - 1e-3) / (1.0 - 1e-6)).abs() < 1e-12);
    }

    #[test]
    fn gamma_function_known_values() {
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-12);
        assert!((gamma_fn(1.5) - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-15);
        assert!((gamma_fn(11.0) / 3_628_800.0 - 1.0).abs() < 1e-13);
    }

    #[test]
    fn scaled_multiplies_durations_and_keeps_shape() {
        for d in zoo() {
            let s = d.scaled(2.5);
            assert!(
                (s.mean_ns() / (2.5 * d.mean_ns()) - 1.0).abs() < 1e-12,
                "{d}"
            );
            assert!((s.scv() - d.scv()).abs() < 1e-9, "{d}");
        }
        assert!(Dist::exponential(1.0).unwrap().scaled(0.0).is_zero());
        assert!(!Dist::constant(1.0).unwrap().is_zero());
        assert!(Dist::constant(0.0).unwrap().is_zero());
    }

    #[test]
    fn constructors_reject_bad_parameters_with_readable_messages() {
        let err = |r: Result<Dist, String>| r.unwrap_err();
        assert_eq!(
            err(Dist::exponential(0.0)),
            "exponential needs `mean` > 0, found 0ns"
        );
        assert_eq!(
            err(Dist::uniform(3.0 * MS, 1.0 * MS)),
            "uniform needs `min` ≤ `max`, found min 3ms and max 1ms"
        );
        assert_eq!(
            err(Dist::lognormal_mean_cv(MS, -1.0)),
            "lognormal needs `cv` ≥ 0, found -1"
        );
        assert_eq!(
            err(Dist::lognormal_median_p99(5.0 * MS, 4.0 * MS)),
            "lognormal needs `p99` ≥ `median`, found median 5ms and p99 4ms"
        );
        assert_eq!(
            err(Dist::erlang(MS, 0)),
            "erlang needs `k` ≥ 1 (the number of phases), found 0"
        );
        assert_eq!(
            err(Dist::bounded_pareto(0.0, 1.0, 2.0)),
            "pareto needs `alpha` > 0, found 0"
        );
        assert_eq!(
            err(Dist::bounded_pareto(1.0, 2.0, 2.0)),
            "pareto needs `min` < `max`, found min 2ns and max 2ns"
        );
        assert_eq!(
            err(Dist::normal(-1.0, 1.0)),
            "normal (truncated at 0) needs `mean` ≥ 0, found -1ns"
        );
        assert_eq!(
            err(Dist::empirical(vec![])),
            "empirical needs at least one sample"
        );
        assert_eq!(
            err(Dist::empirical(vec![1.0, f64::NAN])),
            "empirical sample #2 is NaN; samples must be finite and ≥ 0"
        );
    }

    #[test]
    fn display_is_readable() {
        let shown: Vec<String> = zoo().iter().map(ToString::to_string).collect();
        assert_eq!(shown[0], "constant(50us)");
        assert_eq!(shown[1], "exponential(mean 4ms)");
        assert_eq!(shown[2], "uniform(1ms..3ms)");
        assert_eq!(shown[3], "normal(mean 4ms, sd 3ms, truncated at 0)");
        assert_eq!(shown[5], "lognormal(mean 4ms, cv 1)");
        assert_eq!(shown[8], "gamma(mean 4ms, shape 3)");
        assert_eq!(shown[9], "weibull(shape 1.5, scale 4ms)");
        assert_eq!(shown[11], "pareto(alpha 1.5, 1ms..100ms)");
        assert_eq!(shown[12], "empirical(5 samples, mean 2.4ms)");
    }

    #[test]
    fn is_send_sync_clone_debug() {
        fn check<T: Clone + std::fmt::Debug + Send + Sync>() {}
        check::<Dist>();
    }
}
