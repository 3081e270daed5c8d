#!/usr/bin/python3
"""Reference values for packages/core/test/torch-parity.test.ts, from the PyTorch implementation.

Writes a small seeded DUNCAN checkpoint (C = 4, R = 1) in the project's format and, for fixed
inputs, PyTorch's outputs: the corrector's forward pass, the six generator loss terms and their
weighted total, the discriminator loss, and per-variable gradient statistics (sum, L2 norm and
the first values) of both updates. tfjs must reproduce them from the same checkpoint.

With --checkpoint DIR it instead writes the corrector's output of an existing checkpoint (the
shipped default model) on a fixed input, for the inference-parity test of that model.

Usage (the two fixtures of the test: residual translations with content skips, and the plain
translations of the core README's "Architecture"):
  /usr/bin/python3 tools/reference/core_parity_reference.py --residual 1 --skips 1 \
      --out packages/core/test/fixtures/torch-parity-residual
  /usr/bin/python3 tools/reference/core_parity_reference.py --residual 0 --skips 0 \
      --out packages/core/test/fixtures/torch-parity-plain
  /usr/bin/python3 tools/reference/core_parity_reference.py --residual 1 --skips 1 --masked 1 \
      --out packages/core/test/fixtures/torch-parity-masked
  /usr/bin/python3 tools/reference/core_parity_reference.py --checkpoint packages/model \
      --input-size 64 --out packages/node/test/fixtures/model-parity.json

With --paired 1 it writes the fixture of the paired and semi-supervised modes of `train` (C = 4,
R = 1, residual, content skips, outputNorm false): the corrector's output, the paired loss terms
of a batch of two pairs (head masks with zeros) and the gradients of its total for every
contentEncoderA and decoderF variable, the semi-supervised terms and the gradients of their total
for every generator variable, and the weights, Adam moments and losses after two paired steps of
`train_paired` (tools/reference/train_default_model.py) on four pairs, batch 2:
  /usr/bin/python3 tools/reference/core_parity_reference.py --paired 1 \
      --out packages/core/test/fixtures/torch-parity-paired
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
    h, w = x.shape
    with torch.no_grad():
        # In the field correct() of packages/core gives the network (zero-filled to cropSize).
        xf, top, left = dt.pad_to_field(torch.tensor(x)[None, None], h, w, config["cropSize"])
        y = nets.correct(xf)[0, 0, top : top + h, left : left + w].numpy()
    out = {
        "provenance": provenance(),
        "checkpoint": args.checkpoint,
        "input": {"height": x.shape[0], "width": x.shape[1], "data": x.ravel().tolist()},
        "corrected": y.ravel().tolist(),
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


def ellipse_mask(h, w, cy, cx, ry, rx):
    """1 inside an axis-aligned ellipse, 0 outside (a head mask with a zero border)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    return (((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1).astype(np.float32)


def corrupt(img, seed):
    """A ghost (a shifted, attenuated copy along rows) and noise: a paired artefact."""
    rng = np.random.default_rng(seed)
    out = img + 0.3 * np.roll(img, img.shape[0] // 4, axis=0) + 0.05 * rng.standard_normal(img.shape)
    return out.astype(np.float32)


def rounded(a):
    """float32 values as JSON numbers with 9 significant digits (exact for float32)."""
    return [float(f"{x:.9g}") for x in np.asarray(a, np.float32).ravel()]


def seeded_checkpoint(config, out):
    """The fixture's weights (seed 7), written as the checkpoint in `out`, and their networks.

    Biases start at zero in the project; they get values here (seed 8) so that their use is
    checked too.
    """
    weights = dt.init_weights(config, 7)
    g = torch.Generator().manual_seed(8)
    with torch.no_grad():
        for name, _, bias in dt.variable_specs(config):
            if bias:
                weights[name].copy_(torch.randn(weights[name].shape, generator=g) * 0.05)
    dt.save_checkpoint(out, config, 7, weights)
    return weights, dt.Networks(config, weights)


def paired_fixture(args):
    config = dt.default_config(
        channels=4, residualBlocks=1, cropSize=32, residual=True, contentSkips=True, outputNorm=False,
        learningRate=1e-3, decayStart=1,
    )
    weights, nets = seeded_checkpoint(config, args.out)
    n = 32
    # Four pairs (clean, corrupted, mask); the batch of the loss checks is pairs 0 and 1.
    pairs = []
    for k in range(4):
        clean = phantom(n, n, 20 + k)
        mask = ellipse_mask(n, n, 15.5 + k % 2, 15.5 - k % 2, 12 + k % 3, 11 + k % 2)
        pairs.append({"clean": clean, "corrupted": corrupt(clean, 30 + k), "mask": mask})
    batch = lambda key, ks: torch.tensor(np.stack([pairs[k][key] for k in ks]))[:, None]
    xa, xc, m = batch("corrupted", [0, 1]), batch("clean", [0, 1]), batch("mask", [0, 1])
    # The semi-supervised step's unrelated clean images.
    xf = torch.tensor(np.stack([phantom(n, n, 50), phantom(n, n, 51)]))[:, None]
    xcorr = phantom(36, 44, 3)
    with torch.no_grad():
        corrected = nets.correct(torch.tensor(xcorr)[None, None])[0, 0].numpy()
    names = [nm for nm, _, _ in dt.variable_specs(config)]
    gen = [nm for nm in names if nm.split("/")[0] in dt.GENERATOR_NETWORKS]
    used = [nm for nm in gen if nm.split("/")[0] in ("contentEncoderA", "decoderF")]
    pw = config["pairedLossWeights"]
    total, terms, _ = dt.paired_loss(nets, xa, xc, m, pw)
    grads = torch.autograd.grad(total, [weights[nm] for nm in used])
    paired = {
        "terms": {"l1": float(terms["l1"]), "ssim": float(terms["ssim"]), "total": float(total)},
        "gradients": {nm: stats(gr) for nm, gr in zip(used, grads)},
    }
    semi_weight = 0.5
    s_terms, s_total, _, _ = dt.semi_loss(nets, xa, xf, xc, m, config["lossWeights"], pw, semi_weight)
    s_grads = torch.autograd.grad(s_total, [weights[nm] for nm in gen])
    semi = {
        "pairedWeight": semi_weight,
        "terms": {k: float(v) for k, v in s_terms.items()},
        "total": float(s_total),
        "gradients": {nm: stats(gr) for nm, gr in zip(gen, s_grads)},
    }
    # Two steps of train_paired (train_default_model.py): pairs step * batch ... + batch - 1,
    # Adam over the generator variables (only the corrector's have gradients), constant rate.
    adam = dt.Adam([(nm, weights[nm]) for nm in gen], config["beta1"], config["beta2"], config["epsilon"])
    steps = []
    for step in range(2):
        ks = [2 * step, 2 * step + 1]
        t, tm, _ = dt.paired_loss(nets, batch("corrupted", ks), batch("clean", ks), batch("mask", ks), pw)
        t.backward()
        adam.update(config["learningRate"])
        steps.append({k: float(v) for k, v in dict(tm, total=t).items()})
    after = {
        "losses": steps,
        "weights": {nm: rounded(weights[nm].detach().numpy()) for nm in used},
        "m": {nm: stats(adam.m[nm]) for nm in used},
        "v": {nm: stats(adam.v[nm]) for nm in used},
    }
    out = {
        "provenance": dict(
            provenance(),
            call="/usr/bin/python3 tools/reference/core_parity_reference.py --paired 1 "
            "--out packages/core/test/fixtures/torch-parity-paired",
            tolerance="outputs 1e-4 absolute; loss terms 1e-4 relative; gradient and Adam-moment "
            "sums, L2 norms and first values 1e-3 of the L2 norm; weights after two steps 2e-5",
        ),
        "config": config,
        "inputs": {
            "size": n,
            "pairs": [{k: rounded(v) for k, v in p.items()} for p in pairs],
            "unpairedClean": rounded(xf.numpy()),
            "correctInput": {"height": 36, "width": 44, "data": xcorr.ravel().tolist()},
        },
        "corrected": corrected.ravel().tolist(),
        "paired": paired,
        "semi": semi,
        "afterTwoPairedSteps": after,
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(out, f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--checkpoint")
    p.add_argument("--input-size", type=int, default=64)
    p.add_argument("--residual", type=int, default=1, help="1: residual translations (the default)")
    p.add_argument("--skips", type=int, default=0, help="1: content skips into decoder F")
    p.add_argument("--paired", type=int, default=0, help="1: the fixture of the paired and semi modes")
    p.add_argument("--masked", type=int, default=0,
                   help="1: head-masked discriminators (config.headMaskedDiscriminators), on 48x48 heads with air around them")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.checkpoint:
        model_parity(args)
        return
    if args.paired:
        paired_fixture(args)
        return
    config = dt.default_config(
        channels=4, residualBlocks=1, cropSize=32, residual=bool(args.residual), contentSkips=bool(args.skips),
        headMaskedDiscriminators=bool(args.masked),
    )
    weights, nets = seeded_checkpoint(config, args.out)
    n = 48 if args.masked else 32
    xa = phantom(n, n, 1)
    xf = phantom(n, n, 2)
    if args.masked:
        # Heads with air around them (below the head threshold outside two different ellipses),
        # so the patch weights range from 0 to 1. The air is faint, not 0: on exact zeros the L1
        # terms sit on their kinks, where wasm and PyTorch may take different sides.
        ma, mf = ellipse_mask(n, n, 22.5, 24.5, 17, 14), ellipse_mask(n, n, 24.5, 22.5, 15, 18)
        xa = xa * ma + 0.03 * (1 - ma) * phantom(n, n, 4)
        xf = xf * mf + 0.03 * (1 - mf) * phantom(n, n, 5)
    xc = phantom(36, 44, 3)
    ta, tf_ = torch.tensor(xa)[None, None], torch.tensor(xf)[None, None]
    with torch.no_grad():
        corrected = nets.correct(torch.tensor(xc)[None, None])[0, 0].numpy()
    adversarial = dt.adversarial_options(config)
    terms, total, fake_f, fake_a = dt.generator_losses(nets, ta, tf_, config["lossWeights"], adversarial)
    names = [n for n, _, _ in dt.variable_specs(config)]
    gen = [n for n in names if n.split("/")[0] in dt.GENERATOR_NETWORKS]
    dis = [n for n in names if n.split("/")[0] in dt.DISCRIMINATOR_NETWORKS]
    grads = torch.autograd.grad(total, [weights[n] for n in gen])
    gen_grads = {n: stats(gr) for n, gr in zip(gen, grads)}
    # Discriminator side: real images against the (detached) fakes of this step.
    d_loss = dt.discriminator_loss(nets, "discriminatorF", tf_, fake_f.detach(), adversarial) + dt.discriminator_loss(
        nets, "discriminatorA", ta, fake_a.detach(), adversarial
    )
    d_grads = torch.autograd.grad(d_loss, [weights[n] for n in dis])
    dis_grads = {n: stats(gr) for n, gr in zip(dis, d_grads)}
    out = {
        "provenance": provenance(),
        "config": config,
        "inputs": {
            "corrupted": xa.ravel().tolist(),
            "clean": xf.ravel().tolist(),
            "size": n,
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
