"""Evaluates Farama Metaworld's reward_utils on the cases read from stdin, one per line:

    tolerance X LOWER UPPER MARGIN SIGMOID
    hamacher A B
    prism CX CY CZ ZX ZY ZZ OX OY OZ

and prints one value per line. The module file is loaded on its own (without importing the
`metaworld` package, which would start MuJoCo).
"""

import importlib.util
import os
import sys

spec = importlib.util.find_spec("metaworld")
if spec is None or not spec.submodule_search_locations:
    sys.exit("metaworld is not installed")
path = os.path.join(list(spec.submodule_search_locations)[0], "utils", "reward_utils.py")
module_spec = importlib.util.spec_from_file_location("reward_utils", path)
ru = importlib.util.module_from_spec(module_spec)
module_spec.loader.exec_module(ru)

import numpy as np  # noqa: E402

for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    kind, args = parts[0], parts[1:]
    if kind == "tolerance":
        x, lo, hi, margin = map(float, args[:4])
        value = ru.tolerance(x, bounds=(lo, hi), margin=margin, sigmoid=args[4])
    elif kind == "hamacher":
        value = ru.hamacher_product(float(args[0]), float(args[1]))
    elif kind == "prism":
        v = np.array(list(map(float, args)))
        value = ru.rect_prism_tolerance(curr=v[0:3], zero=v[3:6], one=v[6:9])
    else:
        sys.exit(f"unknown case {kind}")
    print(repr(float(value)))
