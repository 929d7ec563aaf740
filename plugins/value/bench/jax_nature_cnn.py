"""The reference side of `bench_update`: one DQN gradient update (Nature CNN, batch 32,
84x84x4, Adam, Huber loss, target network) and one batched action selection (8 observations)
in JAX/Flax on CPU, jit-compiled, as Dopamine's JAX DQN computes them. Prints wall time and
process CPU time (all threads) per call.

    python3 plugins/value/bench/jax_nature_cnn.py
"""

import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

ACTIONS = 6


class NatureDQN(nn.Module):
    @nn.compact
    def __call__(self, x):
        init = nn.initializers.variance_scaling(1.0 / 3.0, "fan_in", "uniform")
        x = x.astype(jnp.float32) / 255.0
        x = nn.relu(nn.Conv(32, (8, 8), (4, 4), padding="VALID", kernel_init=init)(x))
        x = nn.relu(nn.Conv(64, (4, 4), (2, 2), padding="VALID", kernel_init=init)(x))
        x = nn.relu(nn.Conv(64, (3, 3), (1, 1), padding="VALID", kernel_init=init)(x))
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(512, kernel_init=init)(x))
        return nn.Dense(ACTIONS, kernel_init=init)(x)


def main():
    net = NatureDQN()
    rng = np.random.default_rng(0)
    obs = jnp.asarray(rng.integers(0, 256, (32, 84, 84, 4), dtype=np.uint8))
    nxt = jnp.asarray(rng.integers(0, 256, (32, 84, 84, 4), dtype=np.uint8))
    act = jnp.asarray(rng.integers(0, ACTIONS, 32))
    rew = jnp.zeros(32)
    term = jnp.zeros(32)
    params = net.init(jax.random.PRNGKey(0), obs[:1])
    target = params
    opt = optax.adam(6.25e-5, eps=1.5e-4)
    opt_state = opt.init(params)

    @jax.jit
    def update(params, target, opt_state, obs, act, rew, nxt, term):
        q_next = net.apply(target, nxt).max(axis=1)
        y = jax.lax.stop_gradient(rew + 0.99 * (1.0 - term) * q_next)

        def loss_fn(p):
            q = net.apply(p, obs)[jnp.arange(32), act]
            return optax.huber_loss(q, y).mean()

        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    @jax.jit
    def select(params, x):
        return net.apply(params, x).argmax(axis=1)

    for _ in range(3):
        params, opt_state, loss = update(params, target, opt_state, obs, act, rew, nxt, term)
    loss.block_until_ready()
    n = 50
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        params, opt_state, loss = update(params, target, opt_state, obs, act, rew, nxt, term)
    loss.block_until_ready()
    update_ms = (time.perf_counter() - start) * 1000 / n
    update_cpu = (time.process_time() - cpu) * 1000 / n
    x8 = obs[:8]
    for _ in range(3):
        select(params, x8).block_until_ready()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(5 * n):
        select(params, x8).block_until_ready()
    act_ms = (time.perf_counter() - start) * 1000 / (5 * n)
    act_cpu = (time.process_time() - cpu) * 1000 / (5 * n)
    print(
        f"jax dqn: update {update_ms:.1f} ms wall, {update_cpu:.1f} ms cpu (batch 32); "
        f"act {act_ms:.2f} ms wall, {act_cpu:.2f} ms cpu (8 observations)"
    )


if __name__ == "__main__":
    main()
