"""Where a corrector gains on the held-out training pairs: by corruption, training source and noise
floor, at matched damage.

The held-out pairs of `context_experiment.py` (seed 1 from pair 2,000,000 of
`training-pair-stream.mjs`) mix easy and hard images, so their mean gain says little about the
images a scanner gives. This scores one corrector on them and splits the pairs by what each
pair's description records: the corruption (one-shot motion, interleaved multi-shot motion,
ghosting, each alone; clean pairs), the source (`src0`, Colin27 with its skull; `src1`,
ch2better, skull-stripped) and the acquisition noise floor (none, σ up to `--noise-split` of
the head's 99.5th percentile, or above it). Corrupted pairs count only within a band of unchanged in-head
SSIM (`--band`), so that the groups are compared at about the same damage.

    /usr/bin/python3 tools/reference/held_out_breakdown.py packages/model \
        --results data-cache/runs/s13/gap2000 --pairs 2000 --json out.json

The cache `<results>/held-out-noise-after.npz` (and its `.jsonl` of descriptions) is drawn by the
pair stream on first use (`context_experiment.held_out`), as `context_experiment.py --score`
draws it. The corrector is any checkpoint of @duncan-mri/core (the bundled model, a training
state, a kept step), run in float32 by `duncan_torch.Networks.correct`.
"""
import argparse
import itertools
import json
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import context_experiment as ce  # noqa: E402
import duncan_torch as dt  # noqa: E402

KINDS = {
    "one-shot motion": re.compile(r"motion:\w+\(pe=\d\)"),
    "multi-shot motion": re.compile(r"motion:\w+\(pe=\d,shots\)"),
    "ghosting": re.compile(r"ghosting:\w+\([^)]*\)"),
}


def cell(description, noise_split):
    """(corruption kind or None, source, noise-floor level) of a pair's description; the kind is
    "clean (through)" for a clean pair and None for a corruption outside KINDS."""
    image, corruption = description.split(" | ")
    floor = re.search(r"noise([\d.]+)", image)
    sigma = float(floor.group(1)) if floor else 0.0
    level = "none" if sigma == 0 else f"≤ {noise_split}" if sigma <= noise_split else f"> {noise_split}"
    if corruption == "clean":
        kind = "clean (through)"
    else:
        kind = next((k for k, pattern in KINDS.items() if pattern.fullmatch(corruption)), None)
    return kind, image.split()[0], level


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="a checkpoint directory of @duncan-mri/core")
    p.add_argument("--results", required=True, help="the folder of the held-out cache")
    p.add_argument("--pairs", type=int, default=2000, help="held-out pairs (drawn if the cache is missing)")
    p.add_argument("--band", default="0.80,0.96", help="unchanged in-head SSIM band of the corrupted pairs counted")
    p.add_argument("--noise-split", type=float, default=0.02, help="noise floor σ that splits the pairs")
    p.add_argument("--json", help="also write every pair's unchanged SSIM and gain here")
    args = p.parse_args()
    low, high = (float(x) for x in args.band.split(","))
    torch.set_num_threads(1)
    cache = ce.cache_path(args.results, True)
    os.makedirs(args.results, exist_ok=True)
    clean, corrupted, mask, corruption = ce.held_out(args.pairs, cache, {"noise_after_corruption": True})
    described = ce.descriptions(cache, corruption)
    config, _, arrays, _ = dt.load_checkpoint(args.checkpoint)
    nets = dt.Networks(config, {k: torch.as_tensor(v) for k, v in arrays.items()})
    rows = []
    with torch.no_grad():
        for c, a, m, d in zip(clean, corrupted, mask, described):
            out = nets.correct(torch.tensor(a.copy())[None, None])[0, 0].numpy()
            unchanged = ce.ssim_in(c, a, m)
            rows.append({"description": d, "unchanged": unchanged, "gain": ce.ssim_in(c, out, m) - unchanged})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checkpoint": args.checkpoint, "cache": cache, "pairs": rows}, f)
    print(f"{len(rows)} held-out pairs, {args.checkpoint}; corrupted pairs with an unchanged in-head SSIM in "
          f"[{low}, {high}); in-head SSIM gain [95 % bootstrap CI]\n")
    print("| corruption | source | noise floor σ | n | unchanged | gain |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    # Each pair's cell, once; corrupted pairs outside the damage band join none.
    cells = {}
    for r in rows:
        kind, source, level = cell(r["description"], args.noise_split)
        if kind is not None and (kind == "clean (through)" or low <= r["unchanged"] < high):
            cells.setdefault((kind, source, level), []).append(r)
    sources = (("src0", "Colin27, with skull"), ("src1", "ch2better, skull-stripped"))
    levels = ("none", f"≤ {args.noise_split}", f"> {args.noise_split}")
    for kind, (source, name), level in itertools.product([*KINDS, "clean (through)"], sources, levels):
        picked = cells.get((kind, source, level))
        if not picked:
            continue
        gain = np.array([r["gain"] for r in picked])
        lo, hi = ce.bootstrap(gain)
        unchanged = np.mean([r["unchanged"] for r in picked])
        print(f"| {kind} | {name} | {level} | {len(picked)} | {unchanged:.3f} | "
              f"{gain.mean():+.4f} [{lo:+.4f}, {hi:+.4f}] |")


if __name__ == "__main__":
    main()
