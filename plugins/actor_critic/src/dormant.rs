//! The tau-dormant neuron ratio of ReDo (Sokar et al. 2023, "The Dormant Neuron Phenomenon
//! in Deep Reinforcement Learning", definition 3.1): neuron `i` of a layer has score
//! `s_i = E_x |h_i(x)| / (1/H sum_k E_x |h_k(x)|)` and is dormant when `s_i <= tau`.
//!
//! Input: the hidden layers' activations, each `[batch, width]`. Output: dormant neurons
//! over all neurons of those layers.

use candle_core::Tensor;

use crate::error::Result;

/// Fraction of tau-dormant neurons over all layers of `activations`.
pub fn dormant_ratio(activations: &[Tensor], tau: f64) -> Result<f64> {
    let mut dormant = 0usize;
    let mut total = 0usize;
    for act in activations {
        let per_neuron: Vec<f32> = act.abs()?.mean(0)?.to_vec1()?;
        let layer_mean =
            per_neuron.iter().map(|&v| v as f64).sum::<f64>() / per_neuron.len().max(1) as f64;
        total += per_neuron.len();
        dormant += per_neuron
            .iter()
            .filter(|&&v| {
                if layer_mean > 0.0 {
                    v as f64 / layer_mean <= tau
                } else {
                    true
                }
            })
            .count();
    }
    Ok(dormant as f64 / total.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn dead_and_nearly_dead_neurons_count_as_dormant() {
        // Layer of 4 neurons: mean |h| per neuron = 1, 1, 0.01, 0 -> layer mean 0.5025;
        // scores 1.99, 1.99, 0.0199, 0: two dormant at tau = 0.1.
        let a = Tensor::new(
            &[[1f32, -1.0, 0.01, 0.0], [1.0, 1.0, -0.01, 0.0]],
            &Device::Cpu,
        )
        .unwrap();
        assert_eq!(dormant_ratio(std::slice::from_ref(&a), 0.1).unwrap(), 0.5);
        assert_eq!(dormant_ratio(&[a], 0.01).unwrap(), 0.25);
    }
}
