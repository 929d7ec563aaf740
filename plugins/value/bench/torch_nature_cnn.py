"""The PyTorch column of `bench_update`: the same DQN gradient update as
`jax_nature_cnn.py` (Nature CNN, batch 32, 84x84x4 bytes converted to floats, Adam with
Dopamine's eps, Huber loss, a target network) and the same batched action selection (8
observations), in eager PyTorch on CPU. Prints wall time and process CPU time (all threads)
per call. The thread count is PyTorch's default unless `TORCH_THREADS` is set.

    python3 plugins/value/bench/torch_nature_cnn.py
"""

import os
import time

import numpy as np
import torch
from torch import nn

ACTIONS = 6


def nature_dqn():
    return nn.Sequential(
        nn.Conv2d(4, 32, 8, stride=4),
        nn.ReLU(),
        nn.Conv2d(32, 64, 4, stride=2),
        nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(3136, 512),
        nn.ReLU(),
        nn.Linear(512, ACTIONS),
    )


def main():
    if "TORCH_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["TORCH_THREADS"]))
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    obs = torch.from_numpy(rng.integers(0, 256, (32, 4, 84, 84), dtype=np.uint8))
    nxt = torch.from_numpy(rng.integers(0, 256, (32, 4, 84, 84), dtype=np.uint8))
    act = torch.from_numpy(rng.integers(0, ACTIONS, 32))
    rew = torch.zeros(32)
    term = torch.zeros(32)
    online, target = nature_dqn(), nature_dqn()
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=6.25e-5, eps=1.5e-4)

    def update():
        with torch.no_grad():
            q_next = target(nxt.float() / 255.0).max(dim=1).values
            y = rew + 0.99 * (1.0 - term) * q_next
        q = online(obs.float() / 255.0).gather(1, act[:, None]).squeeze(1)
        loss = nn.functional.huber_loss(q, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    @torch.no_grad()
    def select(x):
        return online(x.float() / 255.0).argmax(dim=1)

    for _ in range(3):
        update()
    n = 50
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        update()
    update_ms = (time.perf_counter() - start) * 1000 / n
    update_cpu = (time.process_time() - cpu) * 1000 / n
    x8 = obs[:8]
    for _ in range(3):
        select(x8)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(5 * n):
        select(x8)
    act_ms = (time.perf_counter() - start) * 1000 / (5 * n)
    act_cpu = (time.process_time() - cpu) * 1000 / (5 * n)
    print(
        f"torch {torch.__version__} dqn ({torch.get_num_threads()} threads): update "
        f"{update_ms:.1f} ms wall, {update_cpu:.1f} ms cpu (batch 32); act {act_ms:.2f} ms "
        f"wall, {act_cpu:.2f} ms cpu (8 observations)"
    )


if __name__ == "__main__":
    main()
