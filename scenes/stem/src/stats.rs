//! Pearson's chi-square goodness-of-fit test, used to check the simulator against its rate
//! models (and available to other tools).

/// The result of a chi-square goodness-of-fit test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChiSquare {
    /// The statistic `sum (O - E)^2 / E`.
    pub statistic: f64,
    /// Degrees of freedom (bins after merging, minus one).
    pub dof: usize,
    /// `P(X >= statistic)` for `X ~ chi2(dof)`.
    pub p_value: f64,
}

/// `ln Gamma(x)` for `x > 0` (Lanczos approximation, g = 7, 9 terms).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * std::f64::consts::TAU.ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized upper incomplete gamma function `Q(a, x)`.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefix = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut sum = 1.0 / a;
        let mut term = sum;
        let mut n = a;
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).clamp(0.0, 1.0)
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// `P(X >= x)` for `X ~ chi2(dof)`.
pub fn chi_square_sf(x: f64, dof: usize) -> f64 {
    gamma_q(dof as f64 / 2.0, x / 2.0)
}

/// Tests observed counts against expected probabilities (which should sum to 1). Adjacent
/// bins are merged, from the end, until each expects at least 5 counts.
pub fn chi_square_test(observed: &[u64], probabilities: &[f64]) -> ChiSquare {
    let n: u64 = observed.iter().sum();
    let mut bins: Vec<(f64, f64)> = Vec::new();
    let mut pending = (0.0, 0.0);
    for (&o, &p) in observed.iter().zip(probabilities) {
        pending.0 += o as f64;
        pending.1 += p * n as f64;
        if pending.1 >= 5.0 {
            bins.push(pending);
            pending = (0.0, 0.0);
        }
    }
    if pending.1 > 0.0 || pending.0 > 0.0 {
        match bins.last_mut() {
            Some(last) => {
                last.0 += pending.0;
                last.1 += pending.1;
            }
            None => bins.push(pending),
        }
    }
    let statistic = bins
        .iter()
        .map(|&(o, e)| {
            if e > 0.0 {
                (o - e).powi(2) / e
            } else if o > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
        .sum();
    let dof = bins.len().saturating_sub(1).max(1);
    ChiSquare {
        statistic,
        dof,
        p_value: chi_square_sf(statistic, dof),
    }
}

/// The result of a one-sample Kolmogorov-Smirnov test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KolmogorovSmirnov {
    /// The statistic `sup |F_n(x) - F(x)|`.
    pub statistic: f64,
    /// Samples.
    pub n: usize,
    /// The asymptotic `P(D >= statistic)` (Stephens' small-sample correction).
    pub p_value: f64,
}

/// `P(K >= t)` for the Kolmogorov distribution: `2 sum_k (-1)^(k-1) exp(-2 k^2 t^2)`.
pub fn kolmogorov_sf(t: f64) -> f64 {
    if t < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let term = (-2.0 * (k * k) as f64 * t * t).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Tests samples against a continuous distribution function `cdf` (sorts `samples`).
pub fn ks_test(samples: &mut [f64], cdf: impl Fn(f64) -> f64) -> KolmogorovSmirnov {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let nf = n as f64;
    let mut d = 0f64;
    for (k, &x) in samples.iter().enumerate() {
        let f = cdf(x);
        d = d.max(f - k as f64 / nf).max((k + 1) as f64 / nf - f);
    }
    let sqrt_n = nf.sqrt();
    KolmogorovSmirnov {
        statistic: d,
        n,
        p_value: if n == 0 {
            1.0
        } else {
            kolmogorov_sf((sqrt_n + 0.12 + 0.11 / sqrt_n) * d)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survival_function_matches_tables() {
        // Critical values: chi2(1) 3.841 at 0.05, chi2(2) 9.210 at 0.01, chi2(10) 18.307 at 0.05.
        assert!((chi_square_sf(3.841_458_8, 1) - 0.05).abs() < 1e-6);
        assert!((chi_square_sf(9.210_340_4, 2) - 0.01).abs() < 1e-6);
        assert!((chi_square_sf(18.307_038, 10) - 0.05).abs() < 1e-6);
        assert!((chi_square_sf(2.0, 2) - (-1.0f64).exp()).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn test_rejects_a_wrong_model_and_accepts_the_right_one() {
        let observed = [2510, 2490, 5000];
        let good = chi_square_test(&observed, &[0.25, 0.25, 0.5]);
        assert!(good.p_value > 0.5, "{good:?}");
        let bad = chi_square_test(&observed, &[0.3, 0.2, 0.5]);
        assert!(bad.p_value < 1e-6, "{bad:?}");
        // Sparse tail bins merge.
        let merged = chi_square_test(&[90, 9, 1, 0], &[0.9, 0.09, 0.009, 0.001]);
        assert_eq!(merged.dof, 1);
    }

    #[test]
    fn kolmogorov_smirnov_accepts_uniforms_and_rejects_a_shift() {
        // Critical value: P(K >= 1.358) = 0.05.
        assert!((kolmogorov_sf(1.358_1) - 0.05).abs() < 1e-3);
        // A low-discrepancy sequence in [0, 1): far inside the test's tolerance.
        let golden = 0.618_033_988_749_894_9;
        let mut xs: Vec<f64> = (0..10_000).map(|k| (k as f64 * golden).fract()).collect();
        let good = ks_test(&mut xs, |x| x.clamp(0.0, 1.0));
        assert!(good.p_value > 0.5, "{good:?}");
        let bad = ks_test(&mut xs, |x| (x * 1.05).clamp(0.0, 1.0));
        assert!(bad.p_value < 1e-6, "{bad:?}");
    }
}
