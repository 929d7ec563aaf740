"""Random-action env steps per second of Farama Metaworld (MuJoCo), single thread.

Usage: python metaworld_steps.py [--steps N] TASK...   (task names like reach-v3)
Prints one JSON object per task: {"task", "steps", "seconds", "steps_per_second"}.
The env is built as Meta-World's MT1 benchmark builds it (one fixed task variation);
resets at truncation count in the time, as they do on the Rust side.
"""

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np  # noqa: E402
import metaworld  # noqa: E402


def bench(task: str, steps: int, seed: int) -> dict:
    mt1 = metaworld.MT1(task, seed=seed)
    env = mt1.train_classes[task]()
    env.set_task(mt1.train_tasks[0])
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(steps):
        action = rng.uniform(-1.0, 1.0, size=4).astype(np.float32)
        _, _, _, truncated, _ = env.step(action)
        if truncated:
            env.reset()
    seconds = time.perf_counter() - start
    return {
        "task": task,
        "steps": steps,
        "seconds": seconds,
        "steps_per_second": steps / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("tasks", nargs="+")
    args = parser.parse_args()
    for task in args.tasks:
        print(json.dumps(bench(task, args.steps, args.seed)), flush=True)


if __name__ == "__main__":
    main()
