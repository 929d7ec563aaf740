//! Dueling aggregation (Wang et al. 2016, eq. 9): `Q(s, a) = V(s) + A(s, a) - mean_a A(s, a)`.
//! For distributional heads the same is done per atom (as Dopamine's full Rainbow network).

use candle_core::Tensor;

use crate::error::Result;

/// `value [batch, 1, atoms]` and `advantage [batch, actions, atoms]` to
/// `[batch, actions, atoms]` (use `atoms = 1` for scalar Q-values).
pub fn dueling_aggregate(value: &Tensor, advantage: &Tensor) -> Result<Tensor> {
    let mean = advantage.mean_keepdim(1)?;
    Ok(advantage.broadcast_sub(&mean)?.broadcast_add(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn dueling_adds_value_to_centred_advantages() {
        let dev = Device::Cpu;
        let value = Tensor::new(&[[[2.0f32]], [[-1.0]]], &dev).unwrap();
        let adv = Tensor::new(&[[[1.0f32], [3.0], [5.0]], [[0.0], [0.0], [3.0]]], &dev).unwrap();
        let q: Vec<Vec<f32>> = dueling_aggregate(&value, &adv)
            .unwrap()
            .squeeze(2)
            .unwrap()
            .to_vec2()
            .unwrap();
        assert_eq!(q, vec![vec![0.0, 2.0, 4.0], vec![-2.0, -2.0, 1.0]]);
    }
}
