"""The reference side of `bench_sac_update`: one SAC update (twin critics and actor of
3 x 400 ReLU layers, batch 256, Meta-World's 39-D observation and 4-D action; critic, actor
and temperature Adam steps and the Polyak target update) in JAX/Flax/optax on CPU,
jit-compiled as one function, the way rainx0r/mtrl and CleanRL's JAX SAC compute it.

    python3 plugins/actor_critic/bench/jax_sac.py [updates]
Prints one line: `jax sac update: <ms> ms`.
"""

import sys
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

OBS, ACT, BATCH, WIDTH, DEPTH = 39, 4, 256, 400, 3
init = nn.initializers.variance_scaling(2.0, "fan_in", "uniform")


class Mlp(nn.Module):
    out: int

    @nn.compact
    def __call__(self, x):
        for _ in range(DEPTH):
            x = nn.relu(nn.Dense(WIDTH, kernel_init=init)(x))
        return nn.Dense(self.out, kernel_init=init)(x)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    actor, q = Mlp(2 * ACT), Mlp(1)
    rng = np.random.default_rng(0)
    obs = jnp.asarray(rng.standard_normal((BATCH, OBS)), jnp.float32)
    nxt = jnp.asarray(rng.standard_normal((BATCH, OBS)), jnp.float32)
    act = jnp.asarray(rng.uniform(-1, 1, (BATCH, ACT)), jnp.float32)
    rew = jnp.asarray(rng.uniform(0, 1, BATCH), jnp.float32)
    done = jnp.zeros(BATCH, jnp.float32)
    k = jax.random.split(jax.random.PRNGKey(0), 4)
    pa = actor.init(k[0], obs[:1])
    pq = (q.init(k[1], jnp.zeros((1, OBS + ACT))), q.init(k[2], jnp.zeros((1, OBS + ACT))))
    pt = pq
    log_alpha = jnp.zeros(())
    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(3e-4, eps=1e-5))
    tx_a = optax.adam(3e-4, eps=1e-5)
    sa, sq, sal = tx.init(pa), tx.init(pq), tx_a.init(log_alpha)

    def policy(p, x, key):
        out = actor.apply(p, x)
        mean, raw = out[:, :ACT], out[:, ACT:]
        log_std = -5.0 + 3.5 * (jnp.tanh(raw) + 1.0)
        eps = jax.random.normal(key, mean.shape)
        u = mean + jnp.exp(log_std) * eps
        logp = (-0.5 * eps**2 - log_std - 0.5 * jnp.log(2 * jnp.pi)).sum(1)
        logp -= (2 * (jnp.log(2.0) - u - jax.nn.softplus(-2 * u))).sum(1)
        return jnp.tanh(u), logp

    def qmin(ps, x, a):
        xa = jnp.concatenate([x, a], 1)
        return jnp.minimum(q.apply(ps[0], xa), q.apply(ps[1], xa))[:, 0]

    @jax.jit
    def update(pa, pq, pt, log_alpha, sa, sq, sal, key):
        k1, k2 = jax.random.split(key)
        alpha = jnp.exp(log_alpha)
        a2, logp2 = policy(pa, nxt, k1)
        y = jax.lax.stop_gradient(rew + 0.99 * (1 - done) * (qmin(pt, nxt, a2) - alpha * logp2))

        def critic_loss(pq):
            xa = jnp.concatenate([obs, act], 1)
            return sum(((q.apply(p, xa)[:, 0] - y) ** 2).mean() for p in pq)

        lq, gq = jax.value_and_grad(critic_loss)(pq)
        uq, sq = tx.update(gq, sq, pq)
        pq = optax.apply_updates(pq, uq)

        def actor_loss(pa):
            a, logp = policy(pa, obs, k2)
            return (alpha * logp - qmin(pq, obs, a)).mean(), logp

        (la, logp), ga = jax.value_and_grad(actor_loss, has_aux=True)(pa)
        ua, sa = tx.update(ga, sa, pa)
        pa = optax.apply_updates(pa, ua)

        def alpha_loss(log_alpha):
            return (-log_alpha * jax.lax.stop_gradient(logp - ACT)).mean()

        gal = jax.grad(alpha_loss)(log_alpha)
        ual, sal = tx_a.update(gal, sal, log_alpha)
        log_alpha = optax.apply_updates(log_alpha, ual)
        pt = jax.tree_util.tree_map(lambda t, o: 0.005 * o + 0.995 * t, pt, pq)
        return pa, pq, pt, log_alpha, sa, sq, sal, lq

    key = jax.random.PRNGKey(1)
    for _ in range(3):
        key, sub = jax.random.split(key)
        pa, pq, pt, log_alpha, sa, sq, sal, lq = update(pa, pq, pt, log_alpha, sa, sq, sal, sub)
    lq.block_until_ready()
    start = time.perf_counter()
    for _ in range(n):
        key, sub = jax.random.split(key)
        pa, pq, pt, log_alpha, sa, sq, sal, lq = update(pa, pq, pt, log_alpha, sa, sq, sal, sub)
    lq.block_until_ready()
    print(f"jax sac update: {(time.perf_counter() - start) * 1000 / n:.2f} ms")


if __name__ == "__main__":
    main()
