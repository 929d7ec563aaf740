//! An MLP with per-task output heads (McLean et al. 2025, "Multi-Task Reinforcement Learning
//! Enables Parameter Scaling", the multi-head baseline): a shared ReLU torso, then one
//! linear head per task, the head chosen by the one-hot task id.
//!
//! Shapes: input `[batch, inputs]`, one-hot `[batch, heads]`, output `[batch, outputs]`.
//! With one head it is a plain MLP.

use arcadia_nn::init::Init;
use arcadia_nn::linear::Linear;
use arcadia_nn::params::ParamStore;
use candle_core::Tensor;
use rand::Rng;

use crate::error::Result;

/// A ReLU torso and `heads` output heads of `outputs` values each.
#[derive(Clone, Debug)]
pub struct TaskHeadMlp {
    torso: Vec<Linear>,
    head: Linear,
    heads: usize,
    outputs: usize,
}

impl TaskHeadMlp {
    /// Layers `name.{i}` of widths `hidden`, then `name.head` (`heads * outputs` values,
    /// head `k` owning values `k * outputs .. (k + 1) * outputs`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        heads: usize,
        init: Init,
        head_init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let mut torso = Vec::with_capacity(hidden.len());
        let mut fan_in = inputs;
        for (i, &h) in hidden.iter().enumerate() {
            torso.push(Linear::new(
                store,
                &format!("{name}.{i}"),
                fan_in,
                h,
                init,
                rng,
            )?);
            fan_in = h;
        }
        let head = Linear::new(
            store,
            &format!("{name}.head"),
            fan_in,
            heads * outputs,
            head_init,
            rng,
        )?;
        Ok(TaskHeadMlp {
            torso,
            head,
            heads,
            outputs,
        })
    }

    /// Number of heads.
    pub fn heads(&self) -> usize {
        self.heads
    }

    /// `[batch, inputs] -> [batch, outputs]`, each row through the head its one-hot selects
    /// (`one_hot` is ignored with one head).
    pub fn forward(&self, x: &Tensor, one_hot: &Tensor) -> Result<Tensor> {
        Ok(self.forward_with_activations(x, one_hot, false)?.0)
    }

    /// As [`TaskHeadMlp::forward`], also returning every hidden layer's post-ReLU
    /// activations `[batch, width]` when `keep` is set.
    pub fn forward_with_activations(
        &self,
        x: &Tensor,
        one_hot: &Tensor,
        keep: bool,
    ) -> Result<(Tensor, Vec<Tensor>)> {
        let mut h = x.clone();
        let mut acts = Vec::new();
        for layer in &self.torso {
            h = layer.forward_relu(&h)?;
            if keep {
                acts.push(h.clone());
            }
        }
        let out = self.head.forward(&h)?;
        if self.heads == 1 {
            return Ok((out, acts));
        }
        let batch = out.dim(0)?;
        let selected = out
            .reshape((batch, self.heads, self.outputs))?
            .broadcast_mul(&one_hot.unsqueeze(2)?)?
            .sum(1)?;
        Ok((selected, acts))
    }
}

/// `[batch, heads]` one-hot rows of `tasks`.
pub fn one_hot(tasks: &[u32], heads: usize, device: &candle_core::Device) -> Result<Tensor> {
    let mut v = vec![0f32; tasks.len() * heads.max(1)];
    for (row, &t) in tasks.iter().enumerate() {
        if (t as usize) < heads {
            v[row * heads + t as usize] = 1.0;
        }
    }
    Ok(Tensor::from_vec(v, (tasks.len(), heads.max(1)), device)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, IndexOp};
    use rand::SeedableRng;

    #[test]
    fn each_row_goes_through_the_head_of_its_task() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut store = ParamStore::new(Device::Cpu);
        let (heads, outputs) = (3, 2);
        let net = TaskHeadMlp::new(
            &mut store,
            "net",
            4,
            &[8],
            outputs,
            heads,
            Init::XavierUniform,
            Init::XavierUniform,
            &mut rng,
        )
        .unwrap();
        let x = Tensor::new(
            &[[0.1f32, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8]],
            &Device::Cpu,
        )
        .unwrap();
        // Every head's output for both rows: the full head output before selection.
        let h = net.torso[0].forward(&x).unwrap().relu().unwrap();
        let all = net.head.forward(&h).unwrap();
        for (t0, t1) in [(0u32, 2u32), (1, 1), (2, 0)] {
            let oh = one_hot(&[t0, t1], heads, &Device::Cpu).unwrap();
            let out = net.forward(&x, &oh).unwrap();
            let want0 = all
                .i((0, t0 as usize * outputs..(t0 as usize + 1) * outputs))
                .unwrap();
            let want1 = all
                .i((1, t1 as usize * outputs..(t1 as usize + 1) * outputs))
                .unwrap();
            assert_eq!(
                out.i(0).unwrap().to_vec1::<f32>().unwrap(),
                want0.to_vec1::<f32>().unwrap()
            );
            assert_eq!(
                out.i(1).unwrap().to_vec1::<f32>().unwrap(),
                want1.to_vec1::<f32>().unwrap()
            );
        }
        // Gradients reach only the selected head's rows.
        let oh = one_hot(&[1, 1], heads, &Device::Cpu).unwrap();
        let grads = net
            .forward(&x, &oh)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let g: Vec<f32> = grads
            .get(net.head.weight())
            .unwrap()
            .sum(1)
            .unwrap()
            .abs()
            .unwrap()
            .to_vec1()
            .unwrap();
        for (row, value) in g.iter().enumerate() {
            let selected = row / outputs == 1;
            assert_eq!(*value > 0.0, selected, "head row {row}: gradient {value}");
        }
    }
}
