"""Does the corrector need to see further? An equal-compute experiment in PyTorch only (the
architectures here are not in @duncan-mri/core): two residual correctors trained in the paired
mode from random weights on the same pairs, then scored on the same held-out pairs, per
corruption.

- `base`: the corrector of the default model (duncan_torch.Networks: content encoder A with two
  stride-2 levels and R residual blocks at 1/4 scale, decoder F with content skips; C = 16,
  R = 3). Its effective receptive field is about +-20 pixels (receptive_field.py).
- `deep`: the same blocks with two more stride-2 levels (1/8 and 1/16 scale, 4C channels) and
  skips at every level (a U-Net), so that the residual blocks at 1/16 scale see the whole
  128x128 field: N/2 ghosts (half a field away) and motion copies along the phase-encode line
  are within reach.

Both use the paired loss of duncan_torch.paired_terms (L1, background weight 0.1, + 1 - SSIM in
the head), Adam (0.5, 0.999) at 2e-4, batch 8 of 128x128 pairs of training-pair-stream.mjs
(seed 1, from pair 0), one thread, and stop after --cpu-minutes of their own CPU time. The
held-out pairs start at pair 2,000,000 of the same stream (never read in training: a run of
this length reads fewer than 100,000 pairs) and are scored by in-head SSIM (skimage, Gaussian
window, the clean image's range), grouped by the pair's corruption (--describe).

    /usr/bin/python3 tools/reference/context_experiment.py --arch base --out data-cache/runs/context/base --cpu-minutes 12
    /usr/bin/python3 tools/reference/context_experiment.py --arch deep --out data-cache/runs/context/deep --cpu-minutes 12
    /usr/bin/python3 tools/reference/context_experiment.py --score data-cache/runs/context/base data-cache/runs/context/deep packages/model

Fine-tuning a trained state (--from CHECKPOINT, a complete state of @duncan-mri/core with its
Adam moments): `base` continues its corrector as it is; `axial` adds an axial-attention block
after the residual blocks at 1/4 scale (every position attends to the positions of its row and,
separately, of its column, so that a faint copy of a structure elsewhere on the same
phase-encode line, a ghost, can be told from anatomy). The block's output convolution starts at
zero, so `axial` starts as exactly the state it continues, and both runs read the same pairs
(--pairs-seed, --start, the recipe flags) at the same constant rate:

    /usr/bin/python3 tools/reference/context_experiment.py --arch axial --from <a complete state> \
      --out data-cache/runs/context-ft/axial --cpu-minutes 20 --lr 5e-5 --pairs-seed 2 --start 1000000 --noise-after-corruption
    (the same with --arch base --out data-cache/runs/context-ft/base)
    /usr/bin/python3 tools/reference/context_experiment.py --results data-cache/runs/context-ft --noise-after-corruption \
      --score <the same state> data-cache/runs/context-ft/base data-cache/runs/context-ft/axial

(docs/training-and-evaluation.md, "Seeing along the whole line", used the state of step 62,000.)

`shifts` fine-tunes the same way with the ghost-source channels: the image Fourier-shifted by
1/2, 1/3, 2/3, 1/4 and 3/4 of the field along each axis (where an error repeating every 2nd,
3rd or 4th phase-encode line puts its ghosts), through a zero-initialised 7x7 convolution added
to the stem's convolution before its normalisation, so it too starts as exactly the state it
continues (docs/training-and-evaluation.md, "Ghost-source channels").
"""

import argparse
import json
import os
import re
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import duncan_torch as dt  # noqa: E402
from train_default_model import PairStream  # noqa: E402

SIZE = 128
HELD_OUT_START = 2_000_000
BASE_CONFIG = {"channels": 16, "residualBlocks": 3, "contentSkips": True, "outputNorm": False}


def deep_specs(c, r):
    """(name, shape, bias) of the deep corrector's weights, kernels [k, k, in, out]."""
    specs = []

    def conv(name, k, ci, co, bias=False):
        specs.append((f"{name}/w", [k, k, ci, co], False))
        if bias:
            specs.append((f"{name}/b", [co], True))

    conv("stem", 7, 1, c)
    conv("down1", 4, c, 2 * c)
    conv("down2", 4, 2 * c, 4 * c)
    conv("down3", 4, 4 * c, 4 * c)
    conv("down4", 4, 4 * c, 4 * c)
    for i in range(r):
        conv(f"res{i}/conv1", 3, 4 * c, 4 * c)
        conv(f"res{i}/conv2", 3, 4 * c, 4 * c)
    conv("up4", 3, 4 * c, 4 * c)
    conv("fuse3", 1, 8 * c, 4 * c, True)
    conv("up3", 3, 4 * c, 4 * c)
    conv("fuse2", 1, 8 * c, 4 * c, True)
    conv("up2", 5, 4 * c, 2 * c)
    conv("fuse1", 1, 4 * c, 2 * c, True)
    conv("up1", 5, 2 * c, c, True)
    conv("fuse0", 1, 2 * c, c, True)
    conv("out", 7, c, 1, True)
    return specs


class Deep:
    """The deep residual corrector, built from duncan_torch's conv and InstanceNorm blocks."""

    def __init__(self, weights, r):
        self.nets = dt.Networks({"residualBlocks": r}, weights)
        self.r = r

    def correct(self, x):
        n = self.nets
        e0 = n.block(x, "stem", 1)
        e1 = n.block(e0, "down1", 2)
        e2 = n.block(e1, "down2", 2)
        e3 = n.block(e2, "down3", 2)
        h = n.block(e3, "down4", 2)
        for i in range(self.r):
            h = h + dt.instance_norm(n.conv(n.block(h, f"res{i}/conv1", 1), f"res{i}/conv2", 1))
        h = n.fuse(n.block(n.up(h), "up4", 1), e3, "fuse3")
        h = n.fuse(n.block(n.up(h), "up3", 1), e2, "fuse2")
        h = n.fuse(n.block(n.up(h), "up2", 1), e1, "fuse1")
        h = F.relu(n.conv(n.up(h), "up1", 1, bias=True))
        h = n.fuse(h, e0, "fuse0")
        return x + n.conv(h, "out", 1, bias=True)


AXIAL_KEYS = 16


def axial_specs(c):
    """(name, shape, bias) of the axial-attention block at 1/4 scale (4C channels)."""
    d = 4 * c
    return [("axial/q/w", [1, 1, d, AXIAL_KEYS], False), ("axial/k/w", [1, 1, d, AXIAL_KEYS], False),
            ("axial/v/w", [1, 1, d, d], False), ("axial/out/w", [1, 1, 2 * d, d], True),
            ("axial/out/b", [d], True)]


def axial_attention(nets, h):
    """h + out([attention along each row, attention along each column]): content-based, no
    positions, so a position can find its look-alikes anywhere on its row and its column."""
    q, k, v = (nets.conv(h, f"axial/{n}", 1) for n in ("q", "k", "v"))
    scale = AXIAL_KEYS ** -0.5
    rows = torch.softmax(torch.einsum("bcyx,bcyz->byxz", q, k) * scale, dim=-1)
    along_rows = torch.einsum("byxz,bdyz->bdyx", rows, v)
    cols = torch.softmax(torch.einsum("bcyx,bczx->bxyz", q, k) * scale, dim=-1)
    along_cols = torch.einsum("bxyz,bdzx->bdyx", cols, v)
    return h + nets.conv(torch.cat([along_rows, along_cols], 1), "axial/out", 1, bias=True)


class Axial:
    """The default corrector (duncan_torch.Networks) with the axial block on its 1/4-scale code."""

    def __init__(self, config, weights):
        self.nets = dt.Networks(config, weights)

    def correct(self, x):
        content = self.nets.content_a(x)
        content[2] = axial_attention(self.nets, content[2])
        return x + self.nets.decoder_f(content)


# Where the ghosts of a periodic k-space error land: modulating every P-th phase-encode line
# (an interleaved acquisition of P shots, the Nyquist ghost of EPI for P = 2) adds copies of the
# image shifted by k/P of the field along that axis, k = 1..P-1. These fractions cover P = 2, 3, 4.
GHOST_FRACTIONS = (1 / 2, 1 / 3, 2 / 3, 1 / 4, 3 / 4)


def fourier_shift(x, fraction, dim):
    """x circularly shifted by fraction * n along dim (n its length), through the FFT with signed
    frequencies: exactly the copy that modulating every P-th line adds (a sub-pixel shift where
    fraction * n is not an integer; the real part, as x is real)."""
    n = x.shape[dim]
    k = torch.fft.fftfreq(n, d=1.0 / n, dtype=torch.float64)
    ramp = torch.exp(-2j * torch.pi * k * fraction).to(torch.complex64)
    shape = [1] * x.dim()
    shape[dim] = n
    return torch.fft.ifft(torch.fft.fft(x, dim=dim) * ramp.reshape(shape), dim=dim).real


def ghost_sources(x):
    """[B, 2 * len(GHOST_FRACTIONS), H, W]: x shifted by each fraction along rows, then columns."""
    return torch.cat([fourier_shift(x, f, d) for d in (2, 3) for f in GHOST_FRACTIONS], 1)


def shift_specs(c):
    """(name, shape, zero) of the ghost-source input: a 7x7 convolution like the stem's, added to
    the stem's convolution before its normalisation."""
    return [("shift/w", [7, 7, 2 * len(GHOST_FRACTIONS), c], True)]


class Shifts:
    """The default corrector with the ghost-source channels (x at each shift of GHOST_FRACTIONS
    along both axes, where a periodic line error puts a ghost of x) as extra inputs of its stem,
    so that a pixel sees the pixels whose ghosts land on it. A convolution is linear, so the stem
    over x plus `shift` over the channels is the stem over both, its weight widened by `shift`'s."""

    def __init__(self, config, weights):
        self.config, self.weights = config, weights

    def correct(self, x):
        stem = "contentEncoderA/stem/w"
        wide = dict(self.weights)
        wide[stem] = torch.cat([self.weights[stem], self.weights["shift/w"]], 2)
        nets = dt.Networks(self.config, wide)
        return nets.to_f(nets.content_a(torch.cat([x, ghost_sources(x)], 1)), x)


NEW_LAYERS = ("axial/", "shift/")


def build_from(arch, checkpoint, seed):
    """A trained state's corrector (and its generator Adam moments), with the axial block
    (`axial`) or the ghost-source convolution (`shifts`) added at a zero output."""
    config, _, all_weights, arrays = dt.load_checkpoint(checkpoint)
    keep = [k for k in all_weights if k.startswith("contentEncoderA/") or k.startswith("decoderF/")]
    weights = {k: all_weights[k].detach().clone().requires_grad_(True) for k in keep}
    moments = {k: (torch.tensor(arrays[f"adam/generator/m/{k}"]), torch.tensor(arrays[f"adam/generator/v/{k}"]))
               for k in keep if f"adam/generator/m/{k}" in arrays}
    step = json.load(open(os.path.join(checkpoint, "manifest.json")))["optimiser"]["generatorStep"]
    if arch == "base":
        return dt.Networks(config, weights).correct, weights, moments, step, config
    g = torch.Generator().manual_seed(seed)
    specs, model = (axial_specs, Axial) if arch == "axial" else (shift_specs, Shifts)
    for name, shape, zero in specs(config["channels"]):
        t = torch.zeros(shape) if zero else torch.randn(shape, generator=g) * (shape[2] ** -0.5)
        weights[name] = t.requires_grad_(True)
    return model(config, weights).correct, weights, moments, step, config


def build(arch, seed):
    if arch == "base":
        config = dt.default_config(**BASE_CONFIG)
        weights = dt.init_weights(config, seed)
        nets = dt.Networks(config, weights)
        keep = [k for k in weights if k.startswith("contentEncoderA/") or k.startswith("decoderF/")]
        return nets.correct, {k: weights[k] for k in keep}
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape, bias in deep_specs(BASE_CONFIG["channels"], BASE_CONFIG["residualBlocks"]):
        t = torch.zeros(shape) if bias else torch.randn(shape, generator=g) * 0.02
        weights[name] = t.requires_grad_(True)
    return Deep(weights, BASE_CONFIG["residualBlocks"]).correct, weights


def train(args):
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    moments, config = {}, None
    if args.from_checkpoint:
        correct, weights, moments, start_step, config = build_from(args.arch, args.from_checkpoint, args.seed)
    else:
        correct, weights = build(args.arch, args.seed)
    count = sum(int(np.prod(w.shape)) for w in weights.values())
    # The block's weights (new in a fine-tune) get their own Adam, from step 0 (so its bias
    # correction is that of fresh moments) and at --block-lr-scale times the rate.
    block = {k: w for k, w in weights.items() if k.startswith(NEW_LAYERS)} if args.from_checkpoint else {}
    adam = dt.Adam([(k, w) for k, w in weights.items() if k not in block], 0.5, 0.999, 1e-8)
    adam_block = dt.Adam(list(block.items()), 0.5, 0.999, 1e-8)
    if moments:
        # Continue the state's Adam: its moments and step for its weights.
        adam.step = start_step
        for k, (m, v) in moments.items():
            adam.m[k], adam.v[k] = m, v
    step, spent = 0, 0.0
    saved_at = os.path.join(args.out, "final.pt")
    if args.resume and os.path.exists(saved_at):
        # Continue a run: its weights, its Adam state where saved (runs saved before the state was
        # kept restart Adam's moments), the pairs from where it stopped, and its CPU time so far.
        saved = torch.load(saved_at)
        with torch.no_grad():
            for k, v in saved["weights"].items():
                weights[k].copy_(v)
        if "adam" in saved:
            adam.step, adam.m, adam.v = saved["adam"]["step"], saved["adam"]["m"], saved["adam"]["v"]
        if "adamBlock" in saved:
            adam_block.step, adam_block.m, adam_block.v = (saved["adamBlock"][k] for k in ("step", "m", "v"))
        step, spent = saved["step"], saved["cpuMinutes"]
        print(f"resumed at step {step} ({spent:.1f} CPU-min)", flush=True)
    stream = PairStream(args.pairs_seed, SIZE, args.start + step * args.batch, **recipe(args))
    cpu0, log = time.process_time() - 60 * spent, open(os.path.join(args.out, "log.jsonl"), "a")
    print(f"{args.arch}: {count} corrector weights", flush=True)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # SIGTERM ends the run early and still saves it
    def rate(step):
        # Constant, or with --steps N --decay, linearly from --lr at this run's step 0 to 0 at N.
        return args.lr * (args.steps - step) / args.steps if args.decay else args.lr

    def save(path, step):
        torch.save({"arch": args.arch, "from": args.from_checkpoint, "config": config, "step": step,
                    "weights": {k: v.detach().clone() for k, v in weights.items()},
                    "adam": {"step": adam.step, "m": adam.m, "v": adam.v},
                    "adamBlock": {"step": adam_block.step, "m": adam_block.m, "v": adam_block.v},
                    "cpuMinutes": (time.process_time() - cpu0) / 60, "parameters": count}, path + ".tmp")
        os.replace(path + ".tmp", path)

    try:
        while (time.process_time() - cpu0) / 60 < args.cpu_minutes and (args.steps is None or step < args.steps):
            xa, xf, mask = stream.batch(args.batch)
            l1, ssim = dt.paired_terms(correct(xa), xf, mask, 0.1)
            (l1 + ssim).backward()
            adam.update(rate(step))
            adam_block.update(rate(step) * args.block_lr_scale)
            step += 1
            if args.keep_every and step % args.keep_every == 0:
                os.makedirs(os.path.join(args.out, f"step-{step:06d}"), exist_ok=True)
                save(os.path.join(args.out, f"step-{step:06d}", "final.pt"), step)
            if step % 50 == 0:
                rec = {"step": step, "cpuMinutes": (time.process_time() - cpu0) / 60, "l1": float(l1), "ssim": float(ssim)}
                log.write(json.dumps(rec) + "\n")
                log.flush()
                print(rec, flush=True)
    except KeyboardInterrupt:
        print("stopped by a signal", flush=True)
    stream.close()
    save(saved_at, step)
    print(f"stopped after {step} steps", flush=True)


def recipe(args):
    """The stream's pair recipe: createTrainingPairs' defaults unless a flag says otherwise."""
    return {"noise_after_corruption": args.noise_after_corruption}


def held_out(n, cache, options):
    """n held-out pairs (clean, corrupted, mask, corruption), cached as .npz."""
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=False)
        return z["clean"], z["corrupted"], z["mask"], list(z["corruption"])
    described = cache + ".jsonl"
    if os.path.exists(described):
        os.remove(described)
    stream = PairStream(1, SIZE, HELD_OUT_START, describe=described, **options)
    corrupted, clean, mask = (t[:, 0].numpy() for t in stream.batch(n))
    stream.close()
    # The stream may have drawn a few pairs ahead of the n read; their lines come last.
    corruption = [json.loads(line)["description"].split(" | ")[1] for line in open(described)][:n]
    np.savez(cache, clean=clean, corrupted=corrupted, mask=mask, corruption=np.array(corruption))
    return clean, corrupted, mask, corruption


def group_of(corruption):
    """clean; motion or ghosting alone, by severity; any pair with noise; other combinations."""
    if corruption == "clean":
        return "clean (through)"
    if "noise" in corruption:
        return "with noise"
    parts = re.sub(r"\([^)]*\)", "", corruption).split("+")
    return parts[0] if len(parts) == 1 else "motion + ghosting"


def ssim_in(clean, x, mask):
    """In-head SSIM (skimage, Gaussian window, the clean image's range), the held-out yardstick."""
    from skimage.metrics import structural_similarity

    _, s = structural_similarity(clean, x, data_range=float(clean.max() - clean.min()), full=True,
                                 gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    return float(s[mask > 0].mean())


def members(corruption, gname):
    """Indices of the held-out pairs in a group of group_of, or in a summary: all corrupted pairs,
    or those without the noise artefact (motion and ghosting only)."""
    if gname == "all corrupted":
        return [i for i, c in enumerate(corruption) if c != "clean"]
    if gname == "corrupted, no noise artefact":
        return [i for i, c in enumerate(corruption) if c != "clean" and "noise" not in c]
    return [i for i, c in enumerate(corruption) if group_of(c) == gname]


def cache_path(results, noise_after_corruption):
    """Where a results folder keeps its held-out pairs (their descriptions beside, as .jsonl)."""
    return os.path.join(results, "held-out-noise-after.npz" if noise_after_corruption else "held-out.npz")


def held_out_pairs(args):
    """The held-out pairs of --pairs, --noise-after-corruption, cached in --results."""
    os.makedirs(args.results, exist_ok=True)
    return held_out(args.pairs, cache_path(args.results, args.noise_after_corruption), recipe(args))


def descriptions(cache, corruption):
    """The full descriptions of a held-out cache's pairs (its .jsonl), checked against the
    corruptions the cache holds, so that a stale or short file cannot misalign them."""
    path = cache + ".jsonl"
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: the held-out pairs' descriptions are written with the cache")
    with open(path) as f:
        described = [json.loads(line)["description"] for line in f][:len(corruption)]
    if [d.split(" | ")[1] for d in described] != list(corruption):
        raise SystemExit(f"{path} does not describe the pairs of {cache} (another draw?): draw the cache again")
    return described


def score(args):
    torch.set_num_threads(1)
    clean, corrupted, mask, corruption = held_out_pairs(args)
    drawn = len(corruption)
    if args.source_index is not None:
        described = descriptions(cache_path(args.results, args.noise_after_corruption), corruption)
        keep = [i for i, d in enumerate(described) if d.startswith(f"src{args.source_index} ")]
        if not keep:
            raise SystemExit(f"--source-index {args.source_index}: no held-out pair comes from that source")
        clean, corrupted, mask = clean[keep], corrupted[keep], mask[keep]
        corruption = [corruption[i] for i in keep]
        print(f"{len(keep)} of the held-out pairs come from source {args.source_index}", flush=True)

    unchanged = [ssim_in(c, a, m) for c, a, m in zip(clean, corrupted, mask)]
    results = {}
    for run in args.score:
        if os.path.exists(os.path.join(run, "manifest.json")):
            # A checkpoint of @duncan-mri/core (the bundled model, a training state): its corrector.
            config, _, arrays, _ = dt.load_checkpoint(run)
            nets = dt.Networks(config, {k: torch.as_tensor(v) for k, v in arrays.items()})
            saved = {"arch": os.path.basename(os.path.normpath(run)), "step": json.load(
                open(os.path.join(run, "manifest.json")))["optimiser"]["generatorStep"], "cpuMinutes": None,
                "parameters": None}
            correct = nets.correct
        else:
            saved = torch.load(os.path.join(run, "final.pt"))
            weights = saved["weights"]
            if saved["arch"] == "axial":
                correct = Axial(saved["config"], dict(weights)).correct
            elif saved["arch"] == "shifts":
                correct = Shifts(saved["config"], dict(weights)).correct
            elif saved["arch"] == "base":
                config = saved.get("config") or dt.default_config(**BASE_CONFIG)
                correct = dt.Networks(config, dict(weights)).correct
            else:
                correct = Deep(weights, BASE_CONFIG["residualBlocks"]).correct
        with torch.no_grad():
            out = [correct(torch.tensor(a.copy())[None, None])[0, 0].numpy() for a in corrupted]
        cpu = saved["cpuMinutes"]
        results[run] = {"arch": saved["arch"], "steps": saved["step"], "cpuMinutes": None if cpu is None else round(cpu, 1),
                        "parameters": saved["parameters"],
                        "ssim": [ssim_in(c, o, m) for c, o, m in zip(clean, out, mask)]}
    groups = sorted({group_of(c) for c in corruption})
    names = list(results)

    def label(r):
        # The run's folder and its parent: kept steps of two runs share their own names.
        where = os.path.join(*os.path.normpath(r).split(os.sep)[-2:])
        return f"{results[r]['arch']} (step {results[r]['steps']}, {where})"
    def header(r):
        cpu = results[r]["cpuMinutes"]
        return f"{results[r]['arch']} (step {results[r]['steps']}" + ("" if cpu is None else f", {cpu} CPU-min") + "): SSIM, gain [95 % CI]"

    print("| group | n | unchanged | " + " | ".join(header(r) for r in names) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " |")
    table = {}
    summaries = ["all corrupted", "corrupted, no noise artefact"]
    for gname in groups + summaries:
        idx = members(corruption, gname)
        u = np.mean([unchanged[i] for i in idx])
        cells = []
        for r in names:
            v = np.array([results[r]["ssim"][i] for i in idx])
            gain = v - np.array([unchanged[i] for i in idx])
            lo, hi = bootstrap(gain)
            cells.append(f"{v.mean():.4f}, {gain.mean():+.4f} [{lo:+.4f}, {hi:+.4f}]")
            table.setdefault(gname, {})[label(r)] = {"ssim": float(v.mean()), "gain": float(gain.mean()), "ci": [lo, hi]}
        table[gname]["unchanged"] = float(u)
        table[gname]["n"] = len(idx)
        print(f"| {gname} | {len(idx)} | {u:.4f} | " + " | ".join(cells) + " |")
    if len(names) > 1:
        # Each later run against the first, pair by pair (the same held-out pairs): the mean
        # difference of in-head SSIM and its 95 % paired-bootstrap interval.
        print(f"\nagainst {label(names[0])}: difference of in-head SSIM, pair by pair [95 % CI]")
        print("| group | n | " + " | ".join(label(r) for r in names[1:]) + " |")
        print("| --- | ---: | " + " | ".join("---:" for _ in names[1:]) + " |")
        for gname in groups + summaries:
            idx = members(corruption, gname)
            first = np.array([results[names[0]]["ssim"][i] for i in idx])
            cells = []
            for r in names[1:]:
                d = np.array([results[r]["ssim"][i] for i in idx]) - first
                lo, hi = bootstrap(d)
                cells.append(f"{d.mean():+.4f} [{lo:+.4f}, {hi:+.4f}]")
                table[gname].setdefault("againstFirst", {})[label(r)] = {"difference": float(d.mean()), "ci": [lo, hi]}
            print(f"| {gname} | {len(idx)} | " + " | ".join(cells) + " |")
    name = "scores.json" if args.source_index is None else f"scores-src{args.source_index}.json"
    with open(os.path.join(args.results, name), "w") as f:
        json.dump({"heldOut": {"start": HELD_OUT_START, "pairs": drawn, "seed": 1, "size": SIZE,
                               **({} if args.source_index is None else {"sourceIndex": args.source_index,
                                                                         "pairsOfSource": len(corruption)})},
                   "runs": {r: {k: v for k, v in results[r].items() if k != "ssim"} for r in names},
                   "groups": table}, f, indent=1)


def oracle(args):
    """How much of the held-out pairs' damage the ghost-source channels could undo as a global
    linear model: for each corrupted pair, the least-squares fit of the clean image (over the
    whole field) from the corrupted image and its ten shifted copies, scored like a run. An
    oracle (it is given the clean image to fit to), not a corrector; `scale only` fits the
    corrupted image alone, for comparison."""
    clean, corrupted, mask, corruption = held_out_pairs(args)

    gains = {}
    for c, a, m, d in zip(clean, corrupted, mask, corruption):
        if d == "clean":
            continue
        basis = np.concatenate([a[None], ghost_sources(torch.tensor(a)[None, None])[0].numpy()]).reshape(11, -1).T
        u = ssim_in(c, a, m)
        row = []
        for columns in (basis, basis[:, :1]):
            coef = np.linalg.lstsq(columns, c.reshape(-1), rcond=None)[0]
            row.append(ssim_in(c, (columns @ coef).reshape(a.shape), m) - u)
        gains.setdefault(group_of(d), []).append(row)
    print("| group | n | shifted copies, gain | scale only, gain |")
    print("| --- | ---: | ---: | ---: |")
    for g, rows in sorted(gains.items()):
        r = np.array(rows)
        print(f"| {g} | {len(r)} | {r[:, 0].mean():+.4f} | {r[:, 1].mean():+.4f} |")


def bootstrap(d, n=2000, seed=2026):
    """Percentile-bootstrap 95 % interval of the mean of d."""
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), (n, len(d)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", choices=["base", "deep", "axial", "shifts"])
    p.add_argument("--from", dest="from_checkpoint", help="fine-tune this complete state of @duncan-mri/core (base, axial, shifts)")
    p.add_argument("--pairs-seed", type=int, default=1, help="the training stream's seed")
    p.add_argument("--start", type=int, default=0, help="the training stream's first pair")
    p.add_argument("--noise-after-corruption", action="store_true",
                   help="the stream's noiseAfterCorruption, for training and for the held-out pairs")
    p.add_argument("--out")
    p.add_argument("--cpu-minutes", type=float, default=12, help="stop when the run's CPU time reaches this (in all)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--steps", type=int, help="stop after this many steps of this run (and --decay to 0 there)")
    p.add_argument("--decay", action="store_true", help="the rate decays linearly from --lr to 0 at --steps")
    p.add_argument("--block-lr-scale", type=float, default=1.0,
                   help="fine-tuning --arch axial or shifts: the new layer's rate is this times the rate")
    p.add_argument("--keep-every", type=int, help="also save the run every this many steps (step-NNNNNN/final.pt)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--score", nargs="+", help="score these runs (or checkpoint directories) on the held-out pairs")
    p.add_argument("--results", default="data-cache/runs/context", help="where the held-out pairs and scores.json go")
    p.add_argument("--pairs", type=int, default=400)
    p.add_argument("--source-index", type=int,
                   help="--score: only the held-out pairs drawn from this training source (the description's srcN; "
                        "of the default sources, 0 is Colin27 with its skull, 1 ch2better, skull-stripped); the "
                        "scores go to scores-srcN.json")
    p.add_argument("--oracle", action="store_true",
                   help="the least-squares ghost-source oracle on the held-out pairs (see oracle())")
    args = p.parse_args()
    if args.oracle:
        oracle(args)
    elif args.score:
        score(args)
    elif args.arch and args.out:
        if args.arch in ("axial", "shifts") and not args.from_checkpoint:
            p.error(f"--arch {args.arch} fine-tunes a trained state: give --from")
        if args.decay and not args.steps:
            p.error("--decay needs --steps")
        train(args)
    else:
        p.error("--arch and --out (train), or --score RUN...")


if __name__ == "__main__":
    main()
