"""How far the corrector of a checkpoint looks: the gradient of one output pixel (the centre of a
256x256 field of uniform noise) with respect to every input pixel, as a profile over the
distance from that pixel. InstanceNorm gives every pixel a small, uniform share (its mean and
variance are taken over the whole field); what lies above that floor is the effective receptive
field, the neighbourhood the network really uses.

N/2 ghosts stand half a field away from their source (64 pixels on a 128x128 training field, 128
on a 256x256 slice) and motion spreads copies of edges along the whole phase-encode line: a
corrector that uses only a few pixels around each one cannot tell such an artefact from anatomy
inside the head.

    /usr/bin/python3 tools/reference/receptive_field.py packages/model [more checkpoints]
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402

DISTANCES = [0, 2, 5, 10, 20, 30, 40, 64, 100, 127]


def gradient_profile(correct, size=256, outputs=8, seed=0):
    """|d output / d input| against the vertical distance from the output pixel (the mean over
    `outputs` pixels near the centre, each on its own noise field, and over the 5 columns around
    it), and the floor (the median over the field's top eighth, far from every output pixel)."""
    g = torch.Generator().manual_seed(seed)
    profile, floors = np.zeros(size), []
    for k in range(outputs):
        r, c = size // 2 + (k % 4) - 2, size // 2 + (k // 4) * 3 - 2
        x = (torch.rand(1, 1, size, size, generator=g) * 0.5 + 0.25).requires_grad_(True)
        correct(x)[0, 0, r, c].backward()
        grad = x.grad[0, 0].abs().numpy()
        profile += np.roll(grad[:, c - 2 : c + 3].mean(axis=1), size // 2 - r)
        floors.append(float(np.median(grad[: size // 8, :])))
    return profile / outputs, float(np.median(floors))


def effective_radius(column, floor, factor=10.0):
    """The largest distance from the centre at which the gradient is still `factor` times the
    floor."""
    c = len(column) // 2
    above = [abs(i - c) for i in range(len(column)) if column[i] > factor * floor]
    return max(above) if above else 0


def main():
    torch.set_num_threads(1)
    for path in sys.argv[1:] or ["packages/model"]:
        config, _, weights, _ = dt.load_checkpoint(path)
        nets = dt.Networks(config, {k: torch.as_tensor(v) for k, v in weights.items()})
        column, floor = gradient_profile(nets.correct)
        c = len(column) // 2
        print(f"{path}: C={config['channels']} R={config['residualBlocks']} skips={config.get('contentSkips', False)}")
        print("  distance  " + " ".join(f"{d:>8d}" for d in DISTANCES))
        print("  |grad|    " + " ".join(f"{column[c + d]:8.1e}" for d in DISTANCES))
        print(f"  floor (InstanceNorm's uniform share) {floor:.1e}; effective radius (10x floor): "
              f"{effective_radius(column, floor)} px")


if __name__ == "__main__":
    main()
