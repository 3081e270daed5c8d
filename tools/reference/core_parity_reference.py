#!/usr/bin/python3
"""Reference values for packages/core/test/torch-parity.test.ts, from the PyTorch implementation.

Writes a small seeded DUNCAN checkpoint (C = 4, R = 1) in the project's format and, for fixed
inputs, PyTorch's outputs: the corrector's forward pass, the six generator loss terms and their
weighted total, the discriminator loss, and per-variable gradient statistics (sum, L2 norm and
the first values) of both updates. tfjs must reproduce them from the same checkpoint.

With --checkpoint DIR it instead writes the corrector's output of an existing checkpoint (the
shipped default model) on a fixed input, for the inference-parity test of that model.

Usage (the two fixtures of the test: residual translations with content skips, and the plain
translations of ../shared/design/MODEL.md):
  /usr/bin/python3 tools/reference/core_parity_reference.py --residual 1 --skips 1 \
      --out packages/core/test/fixtures/torch-parity-residual
  /usr/bin/python3 tools/reference/core_parity_reference.py --residual 0 --skips 0 \
      --out packages/core/test/fixtures/torch-parity-plain
  /usr/bin/python3 tools/reference/core_parity_reference.py --checkpoint packages/node/model \
      --input-size 64 --out packages/node/test/fixtures/model-parity.json
"""
import argparse
import json
import os
import platform
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402


def phantom(h, w, seed):
    """A smooth blob phantom with a little noise, about [0, 1]: deterministic from the seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w))
    for _ in range(4):
        cy, cx = rng.uniform(0.2, 0.8) * h, rng.uniform(0.2, 0.8) * w
        r = rng.uniform(0.15, 0.35) * min(h, w)
        img += rng.uniform(0.3, 0.7) * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))
    img += 0.05 * rng.standard_normal((h, w))
    return img.astype(np.float32)


def stats(t):
    a = t.detach().numpy().astype(np.float64)
    return {"sum": float(a.sum()), "l2": float(np.sqrt((a * a).sum())), "first": a.ravel()[:6].tolist()}


def provenance():
    return {
        "tool": f"PyTorch {torch.__version__} (Debian python3-torch), numpy {np.__version__}",
        "python": platform.python_version(),
        "script": "tools/reference/core_parity_reference.py",
    }


def model_parity(args):
    config, _, weights, _ = dt.load_checkpoint(args.checkpoint)
    nets = dt.Networks(config, weights)
    x = phantom(args.input_size, args.input_size + 8, 11)
    with torch.no_grad():
        y = nets.correct(torch.tensor(x)[None, None])[0, 0].numpy()
    out = {
        "provenance": provenance(),
        "checkpoint": args.checkpoint,
        "input": {"height": x.shape[0], "width": x.shape[1], "data": x.ravel().tolist()},
        "corrected": y.ravel().tolist(),
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--checkpoint")
    p.add_argument("--input-size", type=int, default=64)
    p.add_argument("--residual", type=int, default=1, help="1: residual translations (the default)")
    p.add_argument("--skips", type=int, default=0, help="1: content skips into decoder F")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.checkpoint:
        model_parity(args)
        return
    config = dt.default_config(
        channels=4, residualBlocks=1, cropSize=32, residual=bool(args.residual), contentSkips=bool(args.skips)
    )
    weights = dt.init_weights(config, 7)
    # Biases start at zero in the project; give them values so that their use is checked too.
    g = torch.Generator().manual_seed(8)
    with torch.no_grad():
        for name, _, bias in dt.variable_specs(config):
            if bias:
                weights[name].copy_(torch.randn(weights[name].shape, generator=g) * 0.05)
    dt.save_checkpoint(args.out, config, 7, weights)
    nets = dt.Networks(config, weights)
    xa = phantom(32, 32, 1)
    xf = phantom(32, 32, 2)
    xc = phantom(36, 44, 3)
    ta, tf_ = torch.tensor(xa)[None, None], torch.tensor(xf)[None, None]
    with torch.no_grad():
        corrected = nets.correct(torch.tensor(xc)[None, None])[0, 0].numpy()
    terms, total, fake_f, fake_a = dt.generator_losses(nets, ta, tf_, config["lossWeights"])
    names = [n for n, _, _ in dt.variable_specs(config)]
    gen = [n for n in names if n.split("/")[0] in dt.GENERATOR_NETWORKS]
    dis = [n for n in names if n.split("/")[0] in dt.DISCRIMINATOR_NETWORKS]
    grads = torch.autograd.grad(total, [weights[n] for n in gen])
    gen_grads = {n: stats(gr) for n, gr in zip(gen, grads)}
    # Discriminator side: real images against the (detached) fakes of this step.
    d_loss = dt.discriminator_loss(nets, "discriminatorF", tf_, fake_f.detach()) + dt.discriminator_loss(
        nets, "discriminatorA", ta, fake_a.detach()
    )
    d_grads = torch.autograd.grad(d_loss, [weights[n] for n in dis])
    dis_grads = {n: stats(gr) for n, gr in zip(dis, d_grads)}
    out = {
        "provenance": provenance(),
        "config": config,
        "inputs": {
            "corrupted": xa.ravel().tolist(),
            "clean": xf.ravel().tolist(),
            "size": 32,
            "correctInput": {"height": 36, "width": 44, "data": xc.ravel().tolist()},
        },
        "corrected": corrected.ravel().tolist(),
        "fakeF": fake_f.detach()[0, 0].numpy().ravel().tolist(),
        "terms": {k: float(v) for k, v in terms.items()},
        "total": float(total),
        "discriminator": float(d_loss),
        "generatorGradients": gen_grads,
        "discriminatorGradients": dis_grads,
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
