"""What a corrector does to clean images that are band-limited as real acquisitions are.

A real MR image is the transform of a finite k-space: it is band-limited, with Gibbs ringing at
sharp edges. The training pairs are resampled from a volume by interpolation and are not (unless
createTrainingPairs' kspaceTruncation band-limits them). This passes the clean held-out pairs
through each checkpoint's corrector (one pass, no mirror averaging or shrinkage) as drawn, with
their k-space cut to a fraction of the field along both axes (a sharp cut, the magnitude taken
after), and blurred by a Gaussian instead (smooth, but no ringing), and prints the in-head SSIM of
the output against its input (the clean-through) and the mean absolute change in the head.

    /usr/bin/python3 tools/reference/band_limit_probe.py --held-out <dir>/held-out-noise-after.npz \
        packages/model [more checkpoints]

<dir> holds the held-out pairs' cache written by context_experiment.py (400 pairs from pair
2,000,000 of seed 1; the clean ones are used, 60 at most).
"""

import argparse
import os
import sys

import numpy as np
import torch
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402


def band_limit(image, keep):
    """image's k-space cut to the fraction keep of the field along both axes (|k| <= keep * n / 2
    survives, as packages/simulate's truncateKspace), and the magnitude of the result."""
    def kept(n):
        k = np.arange(n)
        return np.abs(np.where(k < (n + 1) // 2, k, k - n)) <= keep * n / 2

    n0, n1 = image.shape
    f0, f1 = kept(n0), kept(n1)
    return np.abs(np.fft.ifft2(np.fft.fft2(image) * np.outer(f0, f1))).astype(np.float32)


VARIANTS = [
    ("as drawn", lambda x: x),
    ("k-space kept 0.75", lambda x: band_limit(x, 0.75)),
    ("k-space kept 0.50", lambda x: band_limit(x, 0.5)),
    ("k-space kept 0.35", lambda x: band_limit(x, 0.35)),
    ("Gaussian blur, sigma 0.7 px", lambda x: ndimage.gaussian_filter(x, 0.7)),
    ("Gaussian blur, sigma 1.2 px", lambda x: ndimage.gaussian_filter(x, 1.2)),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--held-out", required=True, help="held-out-noise-after.npz of context_experiment.py")
    p.add_argument("--pairs", type=int, default=60, help="clean pairs to use (default 60)")
    p.add_argument("checkpoints", nargs="+")
    args = p.parse_args()
    torch.set_num_threads(1)
    cache = np.load(args.held_out)
    clean = [i for i, c in enumerate(cache["corruption"]) if c == "clean"][: args.pairs]
    masks = [cache["mask"][i] > 0.5 for i in clean]
    # Each variant of each clean image, made once for every checkpoint.
    inputs = {name: [variant(cache["clean"][i]).astype(np.float32) for i in clean] for name, variant in VARIANTS}
    print(f"{len(clean)} clean held-out pairs of {args.held_out}; clean-through: in-head SSIM of the "
          "output against its input, mean (worst); mean |change| in the head")
    for path in args.checkpoints:
        config, _, weights, _ = dt.load_checkpoint(path)
        nets = dt.Networks(config, {k: torch.as_tensor(v) for k, v in weights.items()})
        print(path)
        for name, images in inputs.items():
            ssim, change = [], []
            for x, mask in zip(images, masks):
                t = torch.tensor(x)[None, None]
                with torch.no_grad():
                    y = nets.correct(t)
                ssim.append(float(dt.ssim_map(t, y)[0, 0].numpy()[mask].mean()))
                change.append(float(np.abs(y[0, 0].numpy() - x)[mask].mean()))
            print(f"  {name:28s} {np.mean(ssim):.4f} ({np.min(ssim):.4f})  {np.mean(change):.4f}")


if __name__ == "__main__":
    main()
