#!/usr/bin/python3
"""Trains the DUNCAN network with the PyTorch implementation and writes a project checkpoint.

Why this exists: one training step of the default network (C = 32, R = 4) takes about five
times longer with tfjs's wasm backend than with PyTorch on the same two CPU cores
(`npm run bench -w @duncan-mri/core`). The shipped default model is therefore trained here, with
the identical network, losses, optimiser, image pools, learning-rate schedule and data handling
of @duncan-mri/core (tools/reference/duncan_torch.py; packages/core/test/torch-parity.test.ts
checks that both give the same outputs, losses and gradients), and exported to the project's
checkpoint format, which `loadCheckpoint` reads and `duncan train --resume` can continue.

Data: the NIfTI files written by packages/core/scripts/prepare-training-data.mjs (unpaired
Colin27 halves; held-out subjects for the progress evaluation).

Usage:
  /usr/bin/python3 tools/reference/train_default_model.py --data data-cache/training \
      --out /tmp/duncan-default --steps 6000 --threads 2
Never run in CI.
"""
import argparse
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duncan_torch as dt  # noqa: E402


def robust_normalise(data, low_p, high_p):
    low, high = np.percentile(data, [low_p, high_p])
    if not high > low:
        high = low + 1
    return ((data - low) / (high - low)).astype(np.float32), (float(low), float(high))


def read_nifti(path):
    """A NIfTI volume as float32 (nibabel is imported here: the paired mode, which reads its pairs
    from the Node stream, runs where nibabel is not installed, as on the GPU machines)."""
    import nibabel as nib

    return np.asarray(nib.load(path).dataobj, dtype=np.float32)


def load_slices(path, config):
    """Axial slices [ny, nx] of one volume, normalised per volume; usable slices only."""
    vol = read_nifti(path)
    norm, _ = robust_normalise(vol, config["lowPercentile"], config["highPercentile"])
    out = []
    for z in range(norm.shape[2]):
        img = norm[:, :, z].T
        fg = (img > config["foregroundThreshold"]).sum()
        if fg > 0 and fg >= config["minForegroundFraction"] * img.size:
            out.append(np.ascontiguousarray(img))
    return out


def sample_crop(slices, size, flips, rng):
    img = slices[rng.integers(len(slices))]
    h, w = img.shape
    out = np.zeros((size, size), np.float32)
    oy = rng.integers(h - size + 1) if h > size else -((size - h) // 2)
    ox = rng.integers(w - size + 1) if w > size else -((size - w) // 2)
    y0, x0 = max(oy, 0), max(ox, 0)
    y1, x1 = min(oy + size, h), min(ox + size, w)
    out[y0 - oy : y1 - oy, x0 - ox : x1 - ox] = img[y0:y1, x0:x1]
    if flips:
        if rng.random() < 0.5:
            out = out[::-1]
        if rng.random() < 0.5:
            out = out[:, ::-1]
    return np.ascontiguousarray(out)


class Pool:
    def __init__(self, capacity, rng):
        self.capacity, self.rng, self.images = capacity, rng, []

    def query(self, batch):
        if self.capacity == 0:
            return batch
        out = []
        for img in batch:
            if len(self.images) < self.capacity:
                self.images.append(img)
                out.append(img)
            elif self.rng.random() < 0.5:
                i = self.rng.integers(len(self.images))
                out.append(self.images[i])
                self.images[i] = img
            else:
                out.append(img)
        return torch.stack(out)


def correct_volume(nets, vol, config):
    """decoderF(contentEncoderA(slice)) slice by slice, as packages/core/src/correct.ts."""
    norm, (low, high) = robust_normalise(vol, config["lowPercentile"], config["highPercentile"])
    nx, ny, nz = vol.shape
    out = np.zeros_like(norm)
    with torch.no_grad():
        for z in range(nz):
            x = torch.tensor(np.ascontiguousarray(norm[:, :, z].T))[None, None]
            x, top, left = dt.pad_to_field(x, ny, nx, config["cropSize"])
            y = nets.correct(x)[0, 0, top : top + ny, left : left + nx].numpy()
            out[:, :, z] = y.T
    # Clipped to the input's range, as correct() does by default.
    return np.clip(out * (high - low) + low, vol.min(), vol.max())


def ssim_slicewise(ref, test):
    from skimage.metrics import structural_similarity

    rng = float(ref.max() - ref.min())
    vals = [
        structural_similarity(
            ref[:, :, z].astype(np.float64), test[:, :, z].astype(np.float64), data_range=rng,
            gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        )
        for z in range(ref.shape[2])
    ]
    return float(np.mean(vals))


def evaluate(nets, config, data_dir, cases):
    res = {}
    for subject, artefact in cases:
        clean = read_nifti(os.path.join(data_dir, f"eval-{subject}-clean.nii"))
        bad = read_nifti(os.path.join(data_dir, f"eval-{subject}-{artefact}.nii"))
        fixed = correct_volume(nets, bad, config)
        res[f"{subject}/{artefact}"] = (ssim_slicewise(clean, bad), ssim_slicewise(clean, fixed))
        if artefact == "motion-moderate":
            res[f"{subject}/clean"] = ssim_slicewise(clean, correct_volume(nets, clean, config))
    return res


class PairStream:
    """Reads the pairs of packages/core/scripts/training-pair-stream.mjs (createTrainingPairs of
    @duncan-mri/simulate), from pair index `start` on: the trainer sees exactly the pairs that
    tfjs `train` draws for the same seed."""

    def __init__(self, seed, size, start, clean_fraction=0.2, contrast=True, describe=None,
                 multi_shot_fraction=None, noise_floor=None, noise_after_corruption=False, streams=1,
                 noise_fraction=None, use_sources=None, kspace_truncation=None):
        """describe: a file the stream appends each pair's description to (--describe).
        multi_shot_fraction, noise_floor ("low,high"): createTrainingPairs' multiShotFraction and
        noiseFloor; None leaves its defaults. noise_after_corruption: createTrainingPairs'
        noiseAfterCorruption. noise_fraction: its noiseFraction (None: its default). use_sources:
        ascending source indices, the stream's --use-sources (None: every source).
        kspace_truncation: its kspaceTruncation (None: its default, 0). streams:
        Node processes drawing the pairs (process j draws pairs start + j, start + j + streams,
        ...; they are read in turn, so the pairs and their order do not depend on it).
        DUNCAN_PAIR_STREAM names another copy of the stream script (the bundled one of
        tools/reference/device-kit.sh, on a machine without node_modules)."""
        import subprocess

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        script = os.environ.get("DUNCAN_PAIR_STREAM") or os.path.join(
            root, "packages", "core", "scripts", "training-pair-stream.mjs")
        if describe is not None and streams != 1:
            raise SystemExit("--describe needs a single pair stream")
        self.procs = []
        for j in range(streams):
            proc = subprocess.Popen(
                ["node", script, "--seed", str(seed), "--size", str(size), "--start", str(start + j),
                 "--stride", str(streams),
                 "--clean-fraction", str(clean_fraction), "--contrast", "true" if contrast else "false"]
                + ([] if describe is None else ["--describe", describe])
                + ([] if multi_shot_fraction is None else ["--multi-shot-fraction", str(multi_shot_fraction)])
                + ([] if noise_floor is None else ["--noise-floor", noise_floor])
                + (["--noise-after-corruption", "true"] if noise_after_corruption else [])
                + ([] if noise_fraction is None else ["--noise-fraction", str(noise_fraction)])
                + ([] if use_sources is None else ["--use-sources", ",".join(map(str, use_sources))])
                + ([] if kspace_truncation is None else ["--kspace-truncation", str(kspace_truncation)]),
                stdout=subprocess.PIPE, bufsize=1 << 20)
            header = json.loads(proc.stdout.readline())
            if header.get("format") != "duncan-training-pairs" or header["size"] != size or header.get("stride", 1) != streams:
                raise SystemExit(f"unexpected pair stream header {header}")
            # A stream script that does not know an option ignores it (an old copy, such as a
            # device kit packed before the option existed): refuse rather than train on other pairs.
            asked = {"noiseAfterCorruption": noise_after_corruption, "noiseFraction": noise_fraction,
                     "multiShotFraction": multi_shot_fraction,
                     "useSources": None if use_sources is None else list(use_sources),
                     "kspaceTruncation": kspace_truncation}
            for key, value in asked.items():
                if value is not None and value is not False and header.get(key) != value:
                    proc.kill()
                    raise SystemExit(f"the pair stream {script} does not apply {key}={value} "
                                     f"(its header: {header}); rebuild it (tools/reference/device-kit.sh)")
            self.procs.append(proc)
        self.size, self.next = size, 0

    def batch(self, n):
        s = self.size
        clean, corrupted, mask = [], [], []
        for _ in range(n):
            frame = self.procs[self.next].stdout.read(s * s * 9)
            self.next = (self.next + 1) % len(self.procs)
            if len(frame) != s * s * 9:
                raise SystemExit("the pair stream ended early")
            clean.append(np.frombuffer(frame, "<f4", s * s, 0).reshape(s, s))
            corrupted.append(np.frombuffer(frame, "<f4", s * s, 4 * s * s).reshape(s, s))
            mask.append(np.frombuffer(frame, "u1", s * s, 8 * s * s).reshape(s, s).astype(np.float32))
        t = lambda a: torch.tensor(np.stack(a))[:, None]
        return t(corrupted), t(clean), t(mask)

    def close(self):
        for proc in self.procs:
            proc.kill()


def source_indices(text):
    """--use-sources: distinct source indices, ascending ("0" or "0,1"), as a list."""
    parts = text.split(",")
    if not all(re.fullmatch(r"\d+", x) for x in parts) or len(set(parts)) != len(parts):
        raise argparse.ArgumentTypeError(f"must list distinct source indices, such as 0 or 0,1; got {text!r}")
    indices = [int(x) for x in parts]
    if indices != sorted(indices):
        raise argparse.ArgumentTypeError(f"must list the indices in ascending order; got {text!r}")
    return indices


def save_atomic(out, *a, **k):
    """Writes a checkpoint directory next to `out` and swaps it in, so a kill never leaves a
    half-written pair of files behind."""
    import shutil

    tmp = out.rstrip("/") + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    dt.save_checkpoint(tmp, *a, **k)
    old = out.rstrip("/") + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(out):
        os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


# The config keys that may change on --resume (RESUMABLE_CONFIG_KEYS of
# packages/core/src/model-config.ts): loss weights, learning rate and schedule, data handling.
RESUMABLE_CONFIG_KEYS = ["lossWeights", "pairedLossWeights", "learningRate", "decayStart", "lowPercentile",
                         "highPercentile", "foregroundThreshold", "minForegroundFraction", "flips", "cropSize",
                         "headMaskedDiscriminators"]


def resumed_config(config, overrides):
    """The stored config with the resumable `overrides` applied (nested loss weights merge); any
    other key is refused, as loadCheckpoint of @duncan-mri/core refuses it."""
    fixed = sorted(k for k in overrides if k not in RESUMABLE_CONFIG_KEYS)
    if fixed:
        raise SystemExit(f"--config: {', '.join(fixed)} cannot change on --resume (fixed by the checkpoint)")
    out = dict(config)
    for k, v in overrides.items():
        out[k] = dict(config[k], **v) if isinstance(v, dict) else v
    if out["cropSize"] % 4 or out["cropSize"] < 32:
        raise SystemExit(f"--config: cropSize must be a multiple of 4 and at least 32, got {out['cropSize']}")
    return out


def train_paired(args):
    """Simulation-supervised training of the corrector path (contentEncoderA + decoderF) on the
    streamed pairs: loss L1 (head 1, background `pairedLossWeights.background`) + (1 - SSIM in
    the head). Pair indices follow the step (`step * batch`), so a resumed run reads exactly the
    pairs the uninterrupted run would have read."""
    import signal

    def stop(*_):
        raise KeyboardInterrupt

    # Schedulers, `timeout` and closed terminals stop a run with SIGTERM/SIGHUP: save first.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    torch.set_num_threads(args.threads)
    state_dir = os.path.join(args.out, "checkpoint")
    if args.resume:
        with open(os.path.join(args.resume, "manifest.json")) as f:
            manifest = json.load(f)
        if manifest.get("inference"):
            raise SystemExit(f"--resume {args.resume}: an inference checkpoint (the corrector path only, no Adam "
                             "state) cannot be resumed; give a complete state (a run's checkpoint/ folder)")
        config, _, weights, arrays = dt.load_checkpoint(args.resume)
        config = resumed_config(config, json.loads(args.config))
        step0 = manifest["optimiser"]["generatorStep"]
    else:
        config = dt.default_config(**json.loads(args.config))
        weights, arrays, step0 = dt.init_weights(config, args.seed), None, 0
    # --device cuda (or auto on a CUDA machine): every weight, Adam moment and batch lives on the
    # GPU; the pairs still come from the Node stream, and checkpoints are written from the CPU.
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu")
    weights = {k: v.detach().to(device).requires_grad_(True) for k, v in weights.items()}
    print(f"device {device}", flush=True)
    nets = dt.Networks(config, weights)
    if args.bf16:
        nets.autocast = torch.bfloat16
        print("corrector in bfloat16 mixed precision (autocast); weights, Adam and the loss in float32", flush=True)
    names = [n for n, _, _ in dt.variable_specs(config)]
    gen = [(n, weights[n]) for n in names if n.split("/")[0] in dt.GENERATOR_NETWORKS]
    dis = [(n, weights[n]) for n in names if n.split("/")[0] in dt.DISCRIMINATOR_NETWORKS]
    adam = dt.Adam(gen, config["beta1"], config["beta2"], config["epsilon"])
    adam_d = dt.Adam(dis, config["beta1"], config["beta2"], config["epsilon"])
    if arrays is not None:
        for label, opt in (("generator", adam), ("discriminator", adam_d)):
            opt.step = step0 if label == "generator" else manifest["optimiser"]["discriminatorStep"]
            for n, _ in opt.params:
                opt.m[n] = torch.tensor(arrays[f"adam/{label}/m/{n}"], device=device)
                opt.v[n] = torch.tensor(arrays[f"adam/{label}/v/{n}"], device=device)
        print(f"resumed from {args.resume} at step {step0}", flush=True)
    semi = args.mode == "semi"
    # Mode 'semi' (train.ts): x_f is the clean image of pair (i + 2^20) mod 2^21, so a second
    # stream starts half the index range away. Its image pools start empty on every chunk.
    rng = np.random.default_rng(args.seed + step0)
    pool_f, pool_a = Pool(config["poolSize"], rng), Pool(config["poolSize"], rng)
    size, pw = config["cropSize"], config["pairedLossWeights"]
    adversarial = dt.adversarial_options(config)
    decay_from = args.steps * config["decayStart"]
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "train-log.jsonl"), "a")
    recipe = {"multi_shot_fraction": args.multi_shot_fraction, "noise_floor": args.noise_floor,
              "noise_after_corruption": args.noise_after_corruption, "noise_fraction": args.noise_fraction,
              "use_sources": args.use_sources, "kspace_truncation": args.kspace_truncation}
    stream = PairStream(args.pairs_seed, size, step0 * args.batch, args.clean_fraction, not args.no_contrast,
                        streams=args.streams, **recipe)
    partners = PairStream(args.pairs_seed, size, step0 * args.batch + 2**20, args.clean_fraction, not args.no_contrast,
                          streams=args.streams, **recipe) if semi else None
    started, last_save, cpu0 = time.time(), time.time(), time.process_time()
    sums, count = {"loss": 0.0, "l1": 0.0, "ssim": 0.0, "ssimIn": 0.0, "ssimOut": 0.0}, 0
    print(f"{args.mode} training, config {json.dumps(config)}", flush=True)

    def save(step):
        save_atomic(state_dir, config, args.seed, weights, adam, adam_d)
        info = {"mode": args.mode, "pairedWeight": args.paired_weight, "steps": step, "plannedSteps": args.steps, "batch": args.batch,
                "scheduleMinutes": args.schedule_minutes,
                "pairsSeed": args.pairs_seed, "cleanFraction": args.clean_fraction,
                "multiShotFraction": args.multi_shot_fraction, "noiseFloor": args.noise_floor,
                "noiseAfterCorruption": args.noise_after_corruption,
                **({} if args.noise_fraction is None else {"noiseFraction": args.noise_fraction}),
                **({} if args.use_sources is None else {"useSources": args.use_sources}),
                **({} if args.kspace_truncation is None else {"kspaceTruncation": args.kspace_truncation}),
                "contrast": not args.no_contrast, "threads": args.threads,
                **({"precision": "bfloat16 autocast"} if args.bf16 else {}),
                "trainer": f"tools/reference/train_default_model.py --mode paired, PyTorch {torch.__version__}",
                "minutesThisChunk": (time.time() - started) / 60}
        with open(os.path.join(args.out, "training.json"), "w") as f:
            json.dump(info, f)
        if args.keep_every and step % args.keep_every == 0:
            # Weights only (no Adam moments) but the step recorded in the manifest; with
            # --keep-inference the corrector path only, as the npm package ships it.
            steps_only = dt.Adam([], 0, 0, 1)
            steps_only.step = step
            save_atomic(os.path.join(args.out, f"step-{step:06d}"), config, args.seed, weights, steps_only, None,
                        inference=args.keep_inference)

    step = step0
    try:
        while step < args.steps:
            if args.schedule_minutes:
                # The schedule follows this chunk's wall time, not the step: constant until
                # decayStart of --schedule-minutes, then linearly to 0 there (the run stops then).
                frac = (time.time() - started) / 60 / args.schedule_minutes
                lr = config["learningRate"] * min(1.0, max(0.0, (1 - frac) / (1 - config["decayStart"])))
            else:
                lr = config["learningRate"] if step < decay_from else config["learningRate"] * (args.steps - step) / (args.steps - decay_from)
            xa, xf, mask = (t.to(device) for t in stream.batch(args.batch))
            if semi:
                xf_unpaired = partners.batch(args.batch)[1].to(device)
                gterms, total, pred, fake_a = dt.semi_loss(nets, xa, xf_unpaired, xf, mask, config["lossWeights"], pw, args.paired_weight, adversarial)
                terms = {"l1": gterms["pairedL1"], "ssim": gterms["pairedSsim"]}
                total.backward()
                for _, w in dis:
                    w.grad = None
                adam.update(lr)
                ff = pool_f.query(list(pred.detach()))
                fa = pool_a.query(list(fake_a.detach()))
                d_loss = dt.discriminator_loss(nets, "discriminatorF", xf_unpaired, ff, adversarial) + dt.discriminator_loss(nets, "discriminatorA", xa, fa, adversarial)
                d_loss.backward()
                for _, w in gen:
                    w.grad = None
                adam_d.update(lr)
            else:
                total, terms, pred = dt.paired_loss(nets, xa, xf, mask, pw)
                total.backward()
                adam.update(lr)
            step += 1
            with torch.no_grad():
                m = mask.sum().clamp(min=1)
                sums["ssimIn"] += float((dt.ssim_map(xa, xf) * mask).sum() / m)
                sums["ssimOut"] += float((dt.ssim_map(pred, xf) * mask).sum() / m)
            sums["loss"] += float(total)
            sums["l1"] += float(terms["l1"])
            sums["ssim"] += float(terms["ssim"])
            count += 1
            if step % 50 == 0 or step == args.steps:
                mean = {k: round(v / count, 5) for k, v in sums.items()}
                rate = (step - step0) / (time.time() - started)
                print(f"step {step}/{args.steps} ({rate:.3f} steps/s, lr {lr:.2e}): {mean}", flush=True)
                log.write(json.dumps({"step": step, "lr": lr, "losses": mean}) + "\n")
                log.flush()
                sums, count = {k: 0.0 for k in sums}, 0
            if (args.keep_every and step % args.keep_every == 0) or time.time() - last_save > 60 * args.save_minutes or step == args.steps:
                save(step)
                last_save = time.time()
            if (time.time() - started) / 60 > min(args.max_minutes, args.schedule_minutes or args.max_minutes) or (time.process_time() - cpu0) / 60 > args.max_cpu_minutes:
                save(step)
                print(f"stopped after {step} steps ({(time.time() - started) / 60:.1f} min, "
                      f"{(time.process_time() - cpu0) / 60:.1f} CPU min of this process)", flush=True)
                break
    except KeyboardInterrupt:
        save(step)
        print(f"interrupted; saved at step {step}", flush=True)
    finally:
        stream.close()
        if partners is not None:
            partners.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["unpaired", "paired", "semi"], default="unpaired",
                   help="unpaired: DUNCAN on the volumes of --data; paired / semi: on streamed pairs (train.ts modes)")
    p.add_argument("--paired-weight", type=float, default=1.0, help="semi: weight of the paired term (0: DUNCAN alone on streamed images)")
    p.add_argument("--pairs-seed", type=int, default=1, help="paired: seed of createTrainingPairs")
    p.add_argument("--clean-fraction", type=float, default=0.2, help="paired: share of clean->clean pairs")
    p.add_argument("--no-contrast", action="store_true", help="paired: no contrast randomisation")
    p.add_argument("--multi-shot-fraction", type=float, help="paired: share of motion acquired in interleaved shots "
                   "(createTrainingPairs' multiShotFraction; default its default, 0.5; 0 for the pairs of runs before it)")
    p.add_argument("--noise-floor", help="paired: 'low,high' range of the noise floor's sigma (createTrainingPairs' "
                   "noiseFloor; default its default, 0.003,0.04; 0.003,0.02 for the pairs of runs before it)")
    p.add_argument("--noise-after-corruption", action="store_true",
                   help="paired: add the noise floor after the corruption, one draw to both images of a pair "
                   "(createTrainingPairs' noiseAfterCorruption; default off, the pairs of earlier runs)")
    p.add_argument("--noise-fraction", type=float,
                   help="paired: probability of the noise artefact on a corrupted pair (createTrainingPairs' "
                   "noiseFraction; default its default, 0.15; 0 keeps the pairs to motion and ghosting)")
    p.add_argument("--use-sources", type=source_indices,
                   help="paired: the pair stream's --use-sources, source indices to keep (of the default sources, "
                        "0 is Colin27 with its skull and label maps, 1 ch2better, skull-stripped; default both)")
    p.add_argument("--kspace-truncation", type=float,
                   help="paired: probability that a pair's clean image is band-limited, its k-space cut to 50-100 %% "
                        "per axis (createTrainingPairs' kspaceTruncation; default its default, 0, the pairs of earlier runs)")
    p.add_argument("--keep-every", type=int, default=0, help="paired: keep a weights-only copy every N steps (out/step-N)")
    p.add_argument("--keep-inference", action="store_true",
                   help="paired: the kept copies hold the corrector path only (an inference checkpoint: about a "
                        "tenth of the bytes of a kept copy of every network, for runs brought back from a GPU machine)")
    p.add_argument("--save-minutes", type=float, default=5, help="paired: save the state at least this often")
    p.add_argument("--data", help="unpaired: the directory of prepare-training-data.mjs")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--streams", type=int, default=1,
                   help="paired/semi: Node processes drawing the pairs (the same pairs in the same order; more "
                        "keep a GPU fed)")
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu",
                   help="paired/semi: where the networks train (auto: cuda when torch sees a GPU)")
    p.add_argument("--bf16", action="store_true",
                   help="paired: the corrector's forward and backward in bfloat16 under torch.autocast (weights, "
                        "Adam and the loss stay float32); 1.7 to 2.7 times the steps per second of float32 on "
                        "this project's CPU (AVX-512 BF16; bf16_step_benchmark.py), not yet run on a GPU. "
                        "Recorded in training.json")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--config", default="{}", help="JSON overrides of the ModelConfig")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--save-every", type=int, default=500)
    p.add_argument("--resume", help="continue from this checkpoint directory (weights and Adam state; --config may change the resumable keys: loss weights, learning rate and schedule, data handling, cropSize)")
    p.add_argument("--keep", action="store_true", help="also keep every saved checkpoint in out/step-N")
    p.add_argument("--max-minutes", type=float, default=1e9, help="stop (and save) after this long")
    p.add_argument("--schedule-minutes", type=float,
                   help="paired/semi: the learning rate follows this chunk's wall time instead of --steps (constant "
                        "until decayStart of it, then linearly to 0) and the run stops there: for a chunk on a machine "
                        "of unknown speed (a GPU lent for minutes). The pairs still follow the step; the rate of each "
                        "logged step is in train-log.jsonl")
    p.add_argument("--max-cpu-minutes", type=float, default=1e9, help="paired/semi: stop (and save) after this much CPU time of the trainer (equal-compute ablations)")
    args = p.parse_args()
    if args.streams < 1:
        p.error(f"--streams must be at least 1, got {args.streams}")
    if args.bf16 and args.mode != "paired":
        p.error("--bf16 is for --mode paired only (the adversarial modes' losses run the networks outside `correct`)")
    if args.mode in ("paired", "semi"):
        return train_paired(args)
    torch.set_num_threads(args.threads)
    if args.resume:
        config, _, resumed, arrays = dt.load_checkpoint(args.resume)
        config = resumed_config(config, json.loads(args.config))
    else:
        config = dt.default_config(**json.loads(args.config))
    rng = np.random.default_rng(args.seed)
    clean = load_slices(os.path.join(args.data, "train-clean.nii"), config)
    corrupted = []
    for f in sorted(os.listdir(args.data)):
        if f.startswith("train-corrupted-"):
            corrupted += load_slices(os.path.join(args.data, f), config)
    print(f"{len(clean)} clean slices, {len(corrupted)} corrupted slices; config {json.dumps(config)}", flush=True)
    weights = resumed if args.resume else dt.init_weights(config, args.seed)
    nets = dt.Networks(config, weights)
    names = [n for n, _, _ in dt.variable_specs(config)]
    gen = [(n, weights[n]) for n in names if n.split("/")[0] in dt.GENERATOR_NETWORKS]
    dis = [(n, weights[n]) for n in names if n.split("/")[0] in dt.DISCRIMINATOR_NETWORKS]
    adam_g = dt.Adam(gen, config["beta1"], config["beta2"], config["epsilon"])
    adam_d = dt.Adam(dis, config["beta1"], config["beta2"], config["epsilon"])
    if args.resume:
        with open(os.path.join(args.resume, "manifest.json")) as f:
            steps_done = json.load(f)["optimiser"]
        for label, adam in (("generator", adam_g), ("discriminator", adam_d)):
            adam.step = steps_done[f"{label}Step"]
            for n, _ in adam.params:
                adam.m[n] = torch.tensor(arrays[f"adam/{label}/m/{n}"])
                adam.v[n] = torch.tensor(arrays[f"adam/{label}/v/{n}"])
        print(f"resumed from {args.resume} at generator step {adam_g.step}", flush=True)
    pool_f, pool_a = Pool(config["poolSize"], rng), Pool(config["poolSize"], rng)
    size, lw = config["cropSize"], config["lossWeights"]
    adversarial = dt.adversarial_options(config)
    decay_from = args.steps * config["decayStart"]
    cases = [("kmeans", "motion-moderate"), ("kmeans", "motion-severe"), ("gepd", "motion-moderate")]
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "train-log.jsonl"), "a")
    started = time.time()
    sums, count = {t: 0.0 for t in dt.TERMS + ["discriminator"]}, 0

    def save(step):
        dt.save_checkpoint(args.out, config, args.seed, weights, adam_g, adam_d)
        if args.keep:
            dt.save_checkpoint(os.path.join(args.out, f"step-{step}"), config, args.seed, weights, adam_g, adam_d)
        with open(os.path.join(args.out, "training.json"), "w") as f:
            json.dump({"steps": step, "plannedSteps": args.steps, "minutes": (time.time() - started) / 60,
                       "threads": args.threads, "batch": args.batch, "seed": args.seed,
                       "trainer": f"tools/reference/train_default_model.py, PyTorch {torch.__version__}"}, f)

    for step in range(args.steps):
        lr = config["learningRate"] if step < decay_from else config["learningRate"] * (args.steps - step) / (args.steps - decay_from)
        xf = torch.tensor(np.stack([sample_crop(clean, size, config["flips"], rng) for _ in range(args.batch)]))[:, None]
        xa = torch.tensor(np.stack([sample_crop(corrupted, size, config["flips"], rng) for _ in range(args.batch)]))[:, None]
        terms, total, fake_f, fake_a = dt.generator_losses(nets, xa, xf, lw, adversarial)
        total.backward()
        for _, w in dis:
            w.grad = None
        adam_g.update(lr)
        ff = pool_f.query(list(fake_f.detach()))
        fa = pool_a.query(list(fake_a.detach()))
        d_loss = dt.discriminator_loss(nets, "discriminatorF", xf, ff, adversarial) + dt.discriminator_loss(nets, "discriminatorA", xa, fa, adversarial)
        d_loss.backward()
        for _, w in gen:
            w.grad = None
        adam_d.update(lr)
        for t in dt.TERMS:
            sums[t] += float(terms[t])
        sums["discriminator"] += float(d_loss)
        count += 1
        done = step + 1
        if done % 50 == 0 or done == args.steps:
            mean = {k: round(v / count, 4) for k, v in sums.items()}
            rate = done / (time.time() - started)
            print(f"step {done}/{args.steps} ({rate:.2f} steps/s, lr {lr:.2e}): {mean}", flush=True)
            log.write(json.dumps({"step": done, "lr": lr, "losses": mean}) + "\n")
            log.flush()
            sums, count = {k: 0.0 for k in sums}, 0
        if done % args.save_every == 0 or done == args.steps:
            save(done)
        if done % args.eval_every == 0 or done == args.steps:
            res = evaluate(nets, config, args.data, cases)
            print(f"eval at {done}: " + ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v[0]:.3f}->{v[1]:.3f}" for k, v in res.items()), flush=True)
            log.write(json.dumps({"step": done, "eval": res}) + "\n")
            log.flush()
        if (time.time() - started) / 60 > args.max_minutes:
            save(done)
            print(f"stopped after {done} steps ({args.max_minutes} min)", flush=True)
            break


if __name__ == "__main__":
    main()
