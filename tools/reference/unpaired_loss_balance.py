#!/usr/bin/python3
"""How strongly each of DUNCAN's six generator terms pulls on the corrector (contentEncoderA and
decoderF) at a checkpoint: the L2 norm of each term's gradient with respect to the corrector's
weights, unweighted and multiplied by the checkpoint's loss weight, averaged over three batches
of four training pairs (the paired stream's corrupted images against clean images of other
pairs, as the unpaired mode sees them), with and without head-masked discriminators.

The numbers behind UNPAIRED_RECIPE of packages/core/src/model-config.ts (measured at the paired
default run's step 11,000; docs/training-and-evaluation.md, "Unpaired mode"):

  /usr/bin/python3 tools/reference/unpaired_loss_balance.py training/default-model/checkpoint

Needs the built packages (npm run build) and the Debian data of tools/reference/fetch-data.sh.
Not run in CI.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402
from train_default_model import PairStream  # noqa: E402


def main():
    torch.set_num_threads(1)
    config, _, weights, _ = dt.load_checkpoint(sys.argv[1])
    size = 128
    nets = dt.Networks(config, weights)
    corrector = [n for n, _, _ in dt.variable_specs(config) if n.split("/")[0] in ("contentEncoderA", "decoderF")]
    start = 5_000_000 % 2**20  # pair indices far from those of the training run's first steps
    corrupted, clean = PairStream(1, size, start, 0.2, True), PairStream(1, size, start + 2**19, 0.2, True)
    try:
        for masked in (False, True):
            norms = {}
            for _ in range(3):
                xa, _, _ = corrupted.batch(4)
                _, xf, _ = clean.batch(4)
                terms, _, _, _ = dt.generator_losses(nets, xa, xf, config["lossWeights"], (masked, config["foregroundThreshold"]))
                for t, v in terms.items():
                    g = torch.autograd.grad(v, [weights[n] for n in corrector], retain_graph=True, allow_unused=True)
                    sq = sum(((x * x).sum() for x in g if x is not None), torch.tensor(0.0))
                    norms.setdefault(t, []).append(float(torch.sqrt(sq)))
            print("head-masked discriminators" if masked else "discriminators on whole images")
            for t, v in norms.items():
                w = config["lossWeights"][t]
                print(f"  {t:20s} |grad| {np.mean(v):8.4f}   weight {w:5g}   weighted {w * np.mean(v):8.4f}")
    finally:
        corrupted.close()
        clean.close()


if __name__ == "__main__":
    main()
