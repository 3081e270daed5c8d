"""Time of one paired training step of the corrector in float32 and under bfloat16 autocast
(`train_default_model.py --bf16`), side by side in one process on the same random batch.

    /usr/bin/python3 tools/reference/bf16_step_benchmark.py                       # the default run's corrector
    /usr/bin/python3 tools/reference/bf16_step_benchmark.py --config '{"channels":32,"residualBlocks":4}'

Each precision is timed in `--rounds` rounds of `--steps` steps (after one warm-up step), the
two alternating, so that a shared machine's load falls on both alike; it prints every round's
mean seconds per step, the medians and their ratio. Forward and backward of the paired loss
only: no Adam update and no pair stream, so the ratio is the arithmetic's, not a whole run's.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402

BASE = {"channels": 16, "residualBlocks": 3, "contentSkips": True, "residual": True, "outputNorm": False}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", default="{}", help="JSON overrides of the default run's corrector config")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    config = dt.default_config(**{**BASE, **json.loads(args.config)})
    weights = {k: v.detach().requires_grad_(True) for k, v in dt.init_weights(config, 1).items()}
    nets = dt.Networks(config, weights)
    g = torch.Generator().manual_seed(0)
    shape = (args.batch, 1, args.size, args.size)
    xa, xf = torch.rand(shape, generator=g), torch.rand(shape, generator=g)
    mask = (torch.rand(shape, generator=g) > 0.5).float()

    def step(precision):
        nets.autocast = torch.bfloat16 if precision == "bfloat16" else None
        for w in weights.values():
            w.grad = None
        total, _, _ = dt.paired_loss(nets, xa, xf, mask, config["pairedLossWeights"])
        total.backward()

    times = {"float32": [], "bfloat16": []}
    for precision in times:
        step(precision)
    for _ in range(args.rounds):
        for precision in times:
            start = time.perf_counter()
            for _ in range(args.steps):
                step(precision)
            times[precision].append((time.perf_counter() - start) / args.steps)
    print(f"config {json.dumps({k: config[k] for k in ('channels', 'residualBlocks')})}, batch {args.batch}, "
          f"{args.size}x{args.size}, {args.threads} thread(s), PyTorch {torch.__version__}")
    for precision, t in times.items():
        print(f"{precision}: rounds " + ", ".join(f"{x:.3f}" for x in t) + f" s/step; median {statistics.median(t):.3f}")
    ratio = statistics.median(times["float32"]) / statistics.median(times["bfloat16"])
    print(f"float32 / bfloat16 (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
