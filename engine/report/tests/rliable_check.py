"""Reference numbers from rliable for arcadia-report's comparison test.

Usage: rliable_check.py CONFIG.json OUT.json

CONFIG.json holds {"scores": "SCORES.csv", "taus": [...], "reps": N,
"profile_reps": N, "poi_reps": N, "seed": N}. The score table has the
columns algorithm,task,run,score, every algorithm with the same runs on
every task. The script builds rliable's num_runs x num_tasks matrices (tasks
sorted by name, runs sorted numerically, as arcadia-report does) and writes,
per algorithm, the point estimates and 95% percentile-bootstrap intervals
(`reps` replicates) of median, IQM, mean and optimality gap, the
performance profile at `taus` (`profile_reps` replicates), and the
probability of improvement of every pair (x listed before y) with intervals
over `poi_reps` replicates, or point estimates only when `poi_reps` is 0.

Exits with status 3 after a SKIP line when rliable cannot be imported.
"""

import csv
import json
import sys

try:
    import numpy as np
    from rliable import library as rly
    from rliable import metrics
except Exception as e:  # noqa: BLE001 - any import failure means "skip"
    print(f"SKIP: rliable is not importable ({e!r}); "
          'install it with: pip install "rliable==1.2.*" "arch<8" "pandas<3"')
    sys.exit(3)


def load(path):
    table = {}
    order = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            alg = row["algorithm"]
            if alg not in table:
                table[alg] = {}
                order.append(alg)
            table[alg].setdefault(row["task"], []).append((float(row["run"]), float(row["score"])))
    matrices = {}
    for alg in order:
        tasks = sorted(table[alg])
        columns = [[s for _, s in sorted(table[alg][t])] for t in tasks]
        matrices[alg] = np.array(columns, dtype=np.float64).T.copy()  # runs x tasks, C order
    return order, matrices


def aggregate(x):
    return np.array([
        metrics.aggregate_median(x),
        metrics.aggregate_iqm(x),
        metrics.aggregate_mean(x),
        metrics.aggregate_optimality_gap(x),
    ])


def main():
    config_path, out_path = sys.argv[1:3]
    with open(config_path) as f:
        config = json.load(f)
    reps, profile_reps = int(config["reps"]), int(config["profile_reps"])
    poi_reps, seed = int(config["poi_reps"]), int(config["seed"])
    order, matrices = load(config["scores"])
    taus = np.array(config["taus"], dtype=np.float64)

    np.random.seed(seed)
    points, cis = rly.get_interval_estimates(matrices, aggregate, reps=reps)
    profiles, profile_cis = rly.create_performance_profile(matrices, taus, reps=profile_reps)
    pairs = {}
    for i, x in enumerate(order):
        for y in order[i + 1:]:
            pairs[f"{x}\t{y}"] = [matrices[x], matrices[y]]
    if poi_reps > 0:
        poi_points, poi_cis = rly.get_interval_estimates(
            pairs, metrics.probability_of_improvement, reps=poi_reps)
    else:
        poi_points = {k: metrics.probability_of_improvement(*v) for k, v in pairs.items()}
        poi_cis = {k: np.array([np.nan, np.nan]) for k in pairs}

    keys = ["median", "iqm", "mean", "optimality_gap"]
    out = {"algorithms": {}, "improvements": []}
    for alg in order:
        entry = {}
        for i, k in enumerate(keys):
            entry[k] = {
                "estimate": float(points[alg][i]),
                "lower": float(cis[alg][0][i]),
                "upper": float(cis[alg][1][i]),
            }
        entry["profile"] = {
            "estimate": [float(v) for v in profiles[alg]],
            "lower": [float(v) for v in profile_cis[alg][0]],
            "upper": [float(v) for v in profile_cis[alg][1]],
        }
        out["algorithms"][alg] = entry
    for key in pairs:
        x, y = key.split("\t")
        ci = np.asarray(poi_cis[key]).reshape(-1)
        out["improvements"].append({
            "x": x, "y": y,
            "estimate": float(poi_points[key]),
            "lower": None if np.isnan(ci[0]) else float(ci[0]),
            "upper": None if np.isnan(ci[1]) else float(ci[1]),
        })
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
