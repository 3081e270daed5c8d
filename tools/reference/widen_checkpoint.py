#!/usr/bin/python3
"""Widens a complete training state of @duncan-mri/core from C to 2C channels (R unchanged) so
that the wider network computes exactly what the narrower one did, and training can go on from
it with `train_default_model.py --resume`: a function-preserving widening, the idea of Net2Net's
Net2WiderNet (Chen et al., ICLR 2016). Net2Net copies units and splits their outgoing weights;
here the new channels get fresh incoming weights and send 0 to the old channels, so no two
channels start alike.

Every convolution of every network (duncan_torch.variable_specs) gets the new channel layout of
the wider config. In each tensor:
- the old input channels to the old output channels keep their weights;
- the new input channels to the old output channels are 0, so an old channel sees exactly what
  it saw before (InstanceNorm normalises each channel alone, so old channels are not moved by
  the new ones);
- every input to a new output channel is drawn like a fresh weight, N(0, 0.02), biases 0.
A concatenation (the content skips, decoder A's fusions) is widened part by part: its old
channels keep their positions within each part. The networks' outputs (the corrected image,
decoder A's image, the discriminators' maps) are therefore those of the narrower state up to
rounding.

Adam: the old entries keep their moments and the step. A new entry starts with a first moment of
0 and a second moment equal to the mean second moment of its tensor's old entries, so that its
first updates are of the size of its neighbours' (a fresh second moment of 0, late in a run where
Adam's bias correction is about 1, would make them about 1/sqrt(1 - beta2), some 30 times,
larger). A state whose generator moments are all 0 (a weights-only copy kept by `--keep-every`)
is refused for that reason. Image pools, where the state has them, are carried unchanged.

    /usr/bin/python3 tools/reference/widen_checkpoint.py <complete state> <out dir> [--seed 1]
    /usr/bin/python3 tools/reference/widen_checkpoint.py <widened state, trained> --measure <held-out pairs .npz>

The second form measures how much the new channels of a widened and trained state move its
corrected image (against its old channels alone).

Never run in CI.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402
from train_default_model import save_atomic  # noqa: E402


# The input channels of each layer as parts (multiples of C; a concatenation has two), as
# duncan_torch.Networks feeds them; None for the one-channel image input, which is never widened.
ENCODER_INPUTS = {"stem": None, "down1": [1], "down2": [2], "conv1": [4], "conv2": [4]}
LAYER_INPUTS = {
    "decoderF": {"up1": [4], "skip1": [2, 2], "up2": [2], "skip0": [1, 1], "out": [1]},
    "decoderA": {"fuse2": [4, 4], "up1": [4], "fuse1": [2, 2], "up2": [2], "fuse0": [1, 1], "out": [1]},
    "discriminator": {"conv1": None, "conv2": [1], "conv3": [2], "conv4": [4], "out": [8]},
}


def input_parts(name):
    net, layer = name.split("/")[0], name.split("/")[-2]
    if net.endswith("Encoder") or net.startswith("contentEncoder"):
        return ENCODER_INPUTS[layer]
    return LAYER_INPUTS["discriminator" if net.startswith("discriminator") else net][layer]


def old_indices(parts, c_old, c_new):
    """Positions of the narrow tensor's channels in the wide layout of `parts`."""
    out, offset = [], 0
    for m in parts:
        out.extend(range(offset, offset + m * c_old))
        offset += m * c_new
    return out


def old_entries(name, shape, c_old, c_new):
    """The index of a narrow tensor's entries in its wide version (shape `shape`): the wide tensor
    indexed by it has the narrow one's shape. Kernels are [k, k, in, out], biases [out]; a
    one-channel output (an image, a map) and the image input are never widened."""
    outs = list(range(shape[-1])) if shape[-1] == 1 else old_indices([shape[-1] // c_new], c_old, c_new)
    if len(shape) == 1:
        return (outs,)
    parts = input_parts(name)
    ins = list(range(shape[2])) if parts is None else old_indices(parts, c_old, c_new)
    return np.ix_(range(shape[0]), range(shape[1]), ins, outs)


def widen(config, weights, arrays, steps, seed):
    """The widened config, weights, and Adam states (generator, discriminator) at `steps`."""
    c_old = config["channels"]
    wide_config = dict(config, channels=2 * c_old)
    c_new = wide_config["channels"]
    g = torch.Generator().manual_seed(seed)
    wide = {}
    adams = {label: dt.Adam([], 0, 0, 1) for label in ("generator", "discriminator")}
    for name, shape, is_bias in dt.variable_specs(wide_config):
        idx = old_entries(name, shape, c_old, c_new)
        if is_bias:
            t = torch.zeros(shape)
        else:
            t = torch.randn(shape, generator=g) * 0.02
            # The old output channels: their old inputs keep the weights, the new inputs are 0.
            t[..., idx[-1].ravel()] = 0
        t[idx] = weights[name].detach()
        wide[name] = t
        label = "generator" if name.split("/")[0] in dt.GENERATOR_NETWORKS else "discriminator"
        m_old, v_old = (torch.tensor(arrays[f"adam/{label}/{k}/{name}"]) for k in ("m", "v"))
        adam = adams[label]
        adam.m[name], adam.v[name] = torch.zeros(shape), torch.full(shape, float(v_old.mean()))
        adam.m[name][idx], adam.v[name][idx] = m_old, v_old
    for label, adam in adams.items():
        adam.step = steps[label]
    return wide_config, wide, adams


def narrow_part(config, weights):
    """The old channels of a widened state (trained on or not) as a network of the narrow width:
    what the wide network computes without its new channels."""
    c_new = config["channels"]
    narrow_config = dict(config, channels=c_new // 2)
    part = {name: weights[name].detach()[old_entries(name, weights[name].shape, c_new // 2, c_new)]
            for name, _, _ in dt.variable_specs(narrow_config)}
    return narrow_config, part


def measure(state, pairs):
    """How much a widened state's new channels move its corrected image: the mean absolute
    difference between the wide corrector and its old channels alone, as a share of the mean
    absolute correction, over the first 64 corrupted images of a held-out pairs file
    (context_experiment.py's cache)."""
    torch.set_num_threads(1)
    config, _, weights, _ = dt.load_checkpoint(state)
    if config["channels"] % 2:
        raise SystemExit(f"{state}: C = {config['channels']} is odd, so it was not widened by this script")
    narrow_config, part = narrow_part(config, weights)
    with np.load(pairs) as z:
        x = torch.tensor(z["corrupted"][:64])[:, None]
    with torch.no_grad():
        wide = dt.Networks(config, weights).correct(x)
        alone = dt.Networks(narrow_config, part).correct(x)
    moved, correction = float((wide - alone).abs().mean()), float((wide - x).abs().mean())
    print(f"{state}: the new channels move the corrected image by {moved / correction:.3f} of the mean "
          f"absolute correction ({moved:.2e} of {correction:.2e})")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("state", help="a complete state (a run's checkpoint/ folder, with its Adam moments)")
    p.add_argument("out", nargs="?", help="where the widened state is written")
    p.add_argument("--seed", type=int, default=1, help="seed of the new channels' weights")
    p.add_argument("--measure", metavar="PAIRS_NPZ",
                   help="do not widen: say how much the new channels of the widened (and trained) `state` move "
                        "its corrected image, on the corrupted images of this held-out pairs file")
    args = p.parse_args()
    if args.measure:
        return measure(args.state, args.measure)
    if not args.out:
        p.error("give the folder to write the widened state to")
    if os.path.exists(args.out):
        raise SystemExit(f"{args.out} exists; give a new folder")
    with open(os.path.join(args.state, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("inference"):
        raise SystemExit(f"{args.state}: an inference checkpoint has no Adam state to widen; give a complete state")
    config, seed, weights, arrays = dt.load_checkpoint(args.state)
    if not any(np.any(a) for k, a in arrays.items() if k.startswith("adam/generator/v/")):
        raise SystemExit(f"{args.state}: its generator's Adam moments are all 0 (a weights-only copy kept by "
                         "--keep-every?); give a complete state, a run's checkpoint/ folder")
    steps = {label: manifest["optimiser"][f"{label}Step"] for label in ("generator", "discriminator")}
    wide_config, wide, adams = widen(config, weights, arrays, steps, args.seed)

    # The check, before anything is written: every network's output on a few inputs, narrow
    # against wide.
    torch.manual_seed(args.seed)
    x = torch.rand(2, 1, 128, 128) * (torch.rand(2, 1, 128, 128) > 0.3)

    def outputs(nets):
        a = nets.artefact(x)
        return [nets.correct(x), nets.to_a(nets.content_f(x), a, x),
                *(nets.discriminator(d, x) for d in dt.DISCRIMINATOR_NETWORKS)]

    with torch.no_grad():
        diff = max(float((a - b).abs().max()) for a, b in zip(outputs(dt.Networks(config, weights)),
                                                              outputs(dt.Networks(wide_config, wide))))
    if diff > 1e-4:
        raise SystemExit(f"the widened network does not compute what the narrow one did (difference {diff:.2e}); "
                         "nothing written")

    pools = {label: [torch.tensor(arrays[f"pool/{label}/{i}"])
                     for i in range(sum(k.startswith(f"pool/{label}/") for k in arrays))]
             for label in ("F", "A")}
    save_atomic(args.out, wide_config, seed, wide, adams["generator"], adams["discriminator"], pools)
    print(f"widened C = {config['channels']} -> {wide_config['channels']} (R = {config['residualBlocks']}), "
          f"step {manifest['optimiser']['generatorStep']}, into {args.out}; the corrected image, decoder A's image "
          f"and the discriminators' maps differ by at most {diff:.2e}")


if __name__ == "__main__":
    main()
