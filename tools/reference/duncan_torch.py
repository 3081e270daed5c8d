#!/usr/bin/python3
"""The DUNCAN network of @duncan-mri/core, written again in PyTorch over the same named weights.

An independent implementation of packages/core/src/internal/{networks,layers,losses}.ts and
run-train-step.ts (the networks, the six generator loss terms, the LSGAN discriminator loss,
Adam with the project's bias correction, CycleGAN image pools), used for:

- reference values (tools/reference/core_parity_reference.py: forward outputs, loss terms and
  gradients of a small seeded model, checked by packages/core/test/torch-parity.test.ts);
- training the shipped default model faster than tfjs on two CPU cores
  (tools/reference/train_default_model.py), exported to the project's checkpoint format.

Weights are kept under the project's names (`<network>/<layer>/<w|b>`), convolution kernels in
the project's HWIO layout [k, k, in, out] and converted to PyTorch's OIHW on use. Images are
NCHW here and NHWC in tfjs; both hold one channel.

Needs Debian's python3-torch (1.13) and numpy; never run in CI.
"""
import hashlib
import json
import re

import numpy as np
import torch
import torch.nn.functional as F

GENERATOR_NETWORKS = ["contentEncoderA", "contentEncoderF", "artefactEncoder", "decoderF", "decoderA"]
DISCRIMINATOR_NETWORKS = ["discriminatorF", "discriminatorA"]
TERMS = ["adversarial", "cycle", "reconstruction", "contentConsistency", "artefactConsistency", "identity"]


def variable_specs(config):
    """(name, HWIO shape, is_bias) of every variable, in the order of networks.ts."""
    c, r = config["channels"], config["residualBlocks"]
    specs = []

    def w(name, k, ci, co):
        specs.append((f"{name}/w", [k, k, ci, co], False))

    def b(name, co):
        specs.append((f"{name}/b", [co], True))

    def encoder(net, residual):
        w(f"{net}/stem", 7, 1, c)
        w(f"{net}/down1", 4, c, 2 * c)
        w(f"{net}/down2", 4, 2 * c, 4 * c)
        if residual:
            for i in range(r):
                w(f"{net}/res{i}/conv1", 3, 4 * c, 4 * c)
                w(f"{net}/res{i}/conv2", 3, 4 * c, 4 * c)

    encoder("contentEncoderA", True)
    encoder("contentEncoderF", True)
    encoder("artefactEncoder", False)
    w("decoderF/up1", 5, 4 * c, 2 * c)
    if config.get("contentSkips", False):
        w("decoderF/skip1", 1, 4 * c, 2 * c)
        b("decoderF/skip1", 2 * c)
    w("decoderF/up2", 5, 2 * c, c)
    if not config.get("outputNorm", True):
        b("decoderF/up2", c)
    if config.get("contentSkips", False):
        w("decoderF/skip0", 1, 2 * c, c)
        b("decoderF/skip0", c)
    w("decoderF/out", 7, c, 1)
    b("decoderF/out", 1)
    w("decoderA/fuse2", 1, 8 * c, 4 * c)
    b("decoderA/fuse2", 4 * c)
    w("decoderA/up1", 5, 4 * c, 2 * c)
    w("decoderA/fuse1", 1, 4 * c, 2 * c)
    b("decoderA/fuse1", 2 * c)
    w("decoderA/up2", 5, 2 * c, c)
    w("decoderA/fuse0", 1, 2 * c, c)
    b("decoderA/fuse0", c)
    w("decoderA/out", 7, c, 1)
    b("decoderA/out", 1)
    for net in DISCRIMINATOR_NETWORKS:
        w(f"{net}/conv1", 4, 1, c)
        b(f"{net}/conv1", c)
        w(f"{net}/conv2", 4, c, 2 * c)
        w(f"{net}/conv3", 4, 2 * c, 4 * c)
        w(f"{net}/conv4", 4, 4 * c, 8 * c)
        w(f"{net}/out", 4, 8 * c, 1)
        b(f"{net}/out", 1)
    return specs


def init_weights(config, seed):
    """Normal(0, 0.02) kernels and zero biases from torch's generator (not the tfjs draws)."""
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape, bias in variable_specs(config):
        t = torch.zeros(shape) if bias else torch.randn(shape, generator=g) * 0.02
        weights[name] = t.requires_grad_(True)
    return weights


def correction_field(height, width, crop_size):
    """The image the network sees for a height x width slice, as correctionField of
    packages/core/src/correct.ts: a slice smaller than crop_size on either side is centred in a
    zero-filled field of at least crop_size (the air of the training fields); a larger one is only
    reflection-padded to a multiple of 4. Returns (field_h, field_w, top, left, zero_fill)."""
    up4 = lambda n: n + (4 - n % 4) % 4
    zero = height < crop_size or width < crop_size
    fh = max(crop_size, up4(height)) if zero else up4(height)
    fw = max(crop_size, up4(width)) if zero else up4(width)
    return fh, fw, (fh - height) // 2, (fw - width) // 2, zero


def pad_to_field(x, height, width, crop_size):
    """x: [n, 1, height, width] -> the field of correction_field, and (top, left)."""
    fh, fw, top, left, zero = correction_field(height, width, crop_size)
    pads = (left, fw - width - left, top, fh - height - top)
    if zero:
        x = F.pad(x, pads)
    elif fh > height or fw > width:
        x = F.pad(x, pads, mode="reflect")
    return x, top, left


def instance_norm(x):
    mean = x.mean(dim=(2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-5)


class Networks:
    """The seven networks of networks.ts as functions over the named weights."""

    def __init__(self, config, weights):
        self.r = config["residualBlocks"]
        self.skips = config.get("contentSkips", False)
        self.residual = config.get("residual", False)
        # Checkpoints written before the flag existed normalise decoder F's last block.
        self.output_norm = config.get("outputNorm", True)
        self.weights = weights
        # torch.bfloat16 (the trainer's --bf16): `correct` runs the corrector under autocast (its
        # convolutions in bfloat16, and what follows them in the precision autocast gives each op;
        # on a CPU with PyTorch 1.13 the reflection padding stays float32) and adds the correction
        # to the float32 input; weights, their gradients and the loss stay float32. Not part of
        # the config or of a checkpoint. None: float32 throughout.
        self.autocast = None

    def conv(self, x, name, stride, bias=False, zero_pad=False):
        w = self.weights[f"{name}/w"]
        k = w.shape[0]
        kernel = w.permute(3, 2, 0, 1)
        if zero_pad:
            x = F.pad(x, (1, 1, 1, 1))
        else:
            p = (k - 1) // 2 if k % 2 == 1 else 1
            if p > 0:
                x = F.pad(x, (p, p, p, p), mode="reflect")
        b = self.weights[f"{name}/b"] if bias else None
        return F.conv2d(x, kernel, b, stride)

    def block(self, x, name, stride):
        return F.relu(instance_norm(self.conv(x, name, stride)))

    def encoder(self, net, x, residual):
        f0 = self.block(x, f"{net}/stem", 1)
        f1 = self.block(f0, f"{net}/down1", 2)
        h = self.block(f1, f"{net}/down2", 2)
        if residual:
            for i in range(self.r):
                inner = self.block(h, f"{net}/res{i}/conv1", 1)
                h = h + instance_norm(self.conv(inner, f"{net}/res{i}/conv2", 1))
        return [f0, f1, h]

    def content_a(self, x):
        return self.encoder("contentEncoderA", x, True)

    def content_f(self, x):
        return self.encoder("contentEncoderF", x, True)

    def artefact(self, x):
        return self.encoder("artefactEncoder", x, False)

    @staticmethod
    def up(x):
        return F.interpolate(x, scale_factor=2, mode="nearest")

    def decoder_f(self, content):
        h = self.block(self.up(content[2]), "decoderF/up1", 1)
        if self.skips:
            h = self.fuse(h, content[1], "decoderF/skip1")
        if self.output_norm:
            h = self.block(self.up(h), "decoderF/up2", 1)
        else:
            # conv + bias + ReLU: the block before the output can render exactly nothing.
            h = F.relu(self.conv(self.up(h), "decoderF/up2", 1, bias=True))
        if self.skips:
            h = self.fuse(h, content[0], "decoderF/skip0")
        return self.conv(h, "decoderF/out", 1, bias=True)

    def fuse(self, x, a, name):
        return F.relu(self.conv(torch.cat([x, a], 1), name, 1, bias=True))

    def decoder_a(self, content, a):
        h = self.fuse(content[2], a[2], "decoderA/fuse2")
        h = self.block(self.up(h), "decoderA/up1", 1)
        h = self.fuse(h, a[1], "decoderA/fuse1")
        h = self.block(self.up(h), "decoderA/up2", 1)
        h = self.fuse(h, a[0], "decoderA/fuse0")
        return self.conv(h, "decoderA/out", 1, bias=True)

    def discriminator(self, net, x):
        lr = lambda t: F.leaky_relu(t, 0.2)
        h = lr(self.conv(x, f"{net}/conv1", 2, bias=True, zero_pad=True))
        h = lr(instance_norm(self.conv(h, f"{net}/conv2", 2, zero_pad=True)))
        h = lr(instance_norm(self.conv(h, f"{net}/conv3", 2, zero_pad=True)))
        h = lr(instance_norm(self.conv(h, f"{net}/conv4", 1, zero_pad=True)))
        return self.conv(h, f"{net}/out", 1, bias=True, zero_pad=True)

    def to_f(self, content, source):
        """decoderF, plus the image the content came from when the translations are residual."""
        # float(): under autocast (`self.autocast`) the decoder's output is bfloat16; the sum with
        # a float32 source is float32 either way.
        y = self.decoder_f(content).float()
        return source + y if self.residual else y

    def to_a(self, content, a, source):
        y = self.decoder_a(content, a)
        return source + y if self.residual else y

    def correct(self, x):
        with torch.autocast(x.device.type, dtype=self.autocast or torch.bfloat16, enabled=self.autocast is not None):
            return self.to_f(self.content_a(x), x)


def l1(a, b):
    return (a - b).abs().mean()


def feature_l1(a, b):
    return l1(a[0], b[0]) + l1(a[1], b[1]) + l1(a[2], b[2])


def lsgan(prediction, target, weights=None):
    """losses.ts lsgan: the mean of (prediction - target)^2, or with per-patch `weights` each
    image's weighted mean, then the mean over the batch (an image without weight adds 0)."""
    if weights is None:
        return ((prediction - target) ** 2).mean()
    assert weights.shape == prediction.shape, (weights.shape, prediction.shape)
    per_image = (weights * (prediction - target) ** 2).sum(dim=(1, 2, 3)) / weights.sum(dim=(1, 2, 3)).clamp(min=1e-6)
    return per_image.mean()


def head_weights(x, threshold):
    """losses.ts headWeights: the share of head (x > threshold) in the 24x24 pixels at the centre of
    each PatchGAN output patch (3x3 cells of the 8-pixel output stride)."""
    head = (x > threshold).to(x.dtype)
    return F.avg_pool2d(F.avg_pool2d(head, 8), 3, stride=1)


def adversarial_options(config):
    """(head-masked, threshold) of config.headMaskedDiscriminators (absent in older checkpoints: False)."""
    return (bool(config.get("headMaskedDiscriminators", False)), config["foregroundThreshold"])


def generator_losses(nets, xa, xf, weights, adversarial=(False, 0.05)):
    """The six terms of losses.ts (unweighted), the weighted total and the two fakes.
    `adversarial` = (head-masked, threshold): a fake's patches are weighted by the head of the
    image it was translated from."""
    masked, threshold = adversarial
    wa = head_weights(xa, threshold) if masked else None
    wf = head_weights(xf, threshold) if masked else None
    ca, a, cf = nets.content_a(xa), nets.artefact(xa), nets.content_f(xf)
    fake_f = nets.to_f(ca, xa)
    fake_a = nets.to_a(cf, a, xf)
    c_fake_f, c_fake_a = nets.content_f(fake_f), nets.content_a(fake_a)
    terms = {
        "adversarial": lsgan(nets.discriminator("discriminatorF", fake_f), 1, wa)
        + lsgan(nets.discriminator("discriminatorA", fake_a), 1, wf),
        "cycle": l1(nets.to_a(c_fake_f, a, fake_f), xa) + l1(nets.to_f(c_fake_a, fake_a), xf),
        "reconstruction": l1(nets.to_a(ca, a, xa), xa) + l1(nets.to_f(cf, xf), xf),
        "contentConsistency": feature_l1(ca, c_fake_f) + feature_l1(cf, c_fake_a),
        "artefactConsistency": feature_l1(nets.artefact(fake_a), a),
        "identity": l1(nets.to_f(nets.content_a(xf), xf), xf),
    }
    total = sum(terms[t] * weights[t] for t in TERMS)
    return terms, total, fake_f, fake_a


def gaussian_window(size=11, sigma=1.5):
    x = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return g


def ssim_map(x, y, data_range=1.0):
    """SSIM map (Wang et al. 2004; Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03) with the
    window kept inside the image (valid region padded back by reflection), as losses.ts."""
    g = gaussian_window().to(x.device)
    kx = g.view(1, 1, 1, -1)
    ky = g.view(1, 1, -1, 1)

    def blur(t):
        t = F.pad(t, (5, 5, 5, 5), mode="reflect")
        return F.conv2d(F.conv2d(t, kx), ky)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    return ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))


def paired_terms(pred, clean, mask, background):
    """The paired (simulation-supervised) loss of losses.ts: L1 weighted 1 inside the head mask
    and `background` outside, and 1 - the mean SSIM map inside the mask."""
    w = mask + background * (1 - mask)
    l1_term = (w * (pred - clean).abs()).sum() / w.sum()
    m = ssim_map(pred, clean)
    ssim_term = 1 - (m * mask).sum() / mask.sum().clamp(min=1)
    return l1_term, ssim_term


def paired_loss(nets, xa, xf, mask, weights):
    """Total paired loss, its terms and the corrected batch."""
    pred = nets.correct(xa)
    l1_term, ssim_term = paired_terms(pred, xf, mask, weights["background"])
    return weights["l1"] * l1_term + weights["ssim"] * ssim_term, {"l1": l1_term, "ssim": ssim_term}, pred


def semi_loss(nets, xa, xf, clean, mask, weights, paired_weights, paired_weight, adversarial=(False, 0.05)):
    """Mode 'semi' of packages/core/src/train.ts: the six generator terms of `generator_losses` on
    x_a (corrupted) and x_f (a clean image of another pair), plus `paired_weight` times the paired
    loss of the corrected x_a (`fake_f`) against x_a's own clean partner. Returns the terms (the
    six, and pairedL1, pairedSsim, paired = l1 * pairedL1 + ssim * pairedSsim), the total and the
    two fakes."""
    terms, total, fake_f, fake_a = generator_losses(nets, xa, xf, weights, adversarial)
    l1_term, ssim_term = paired_terms(fake_f, clean, mask, paired_weights["background"])
    paired = paired_weights["l1"] * l1_term + paired_weights["ssim"] * ssim_term
    terms = dict(terms, pairedL1=l1_term, pairedSsim=ssim_term, paired=paired)
    return terms, total + paired_weight * paired, fake_f, fake_a


def discriminator_loss(nets, net, real, fake, adversarial=(False, 0.05)):
    masked, threshold = adversarial
    w = (lambda x: head_weights(x, threshold)) if masked else (lambda x: None)
    return 0.5 * (lsgan(nets.discriminator(net, real), 1, w(real)) + lsgan(nets.discriminator(net, fake), 0, w(fake)))


class Adam:
    """Adam exactly as packages/core/src/internal/adam.ts (bias correction from the step)."""

    def __init__(self, params, beta1, beta2, eps):
        self.params = params  # list of (name, tensor)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.step = 0
        self.m = {n: torch.zeros_like(p) for n, p in params}
        self.v = {n: torch.zeros_like(p) for n, p in params}

    @torch.no_grad()
    def update(self, lr):
        self.step += 1
        c1 = 1 - self.beta1 ** self.step
        c2 = 1 - self.beta2 ** self.step
        for name, p in self.params:
            if p.grad is None:
                continue
            g = p.grad
            self.m[name].mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            self.v[name].mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            p.sub_(self.m[name] * (lr / c1) / ((self.v[name] / c2).sqrt() + self.eps))
            p.grad = None


def default_config(**overrides):
    config = {
        "channels": 32,
        "residualBlocks": 4,
        "contentSkips": False,
        "residual": True,
        "outputNorm": False,
        "cropSize": 128,
        "lossWeights": {
            "adversarial": 1,
            "cycle": 10,
            "reconstruction": 10,
            "contentConsistency": 5,
            "artefactConsistency": 1,
            "identity": 5,
        },
        "learningRate": 1e-4,
        "beta1": 0.5,
        "beta2": 0.999,
        "epsilon": 1e-8,
        "decayStart": 0.5,
        "poolSize": 50,
        "lowPercentile": 0.5,
        "highPercentile": 99.5,
        "foregroundThreshold": 0.05,
        "minForegroundFraction": 0.15,
        "flips": True,
        "headMaskedDiscriminators": False,
        "pairedLossWeights": {"l1": 1, "ssim": 1, "background": 0.1},
    }
    for k, v in overrides.items():
        if k in ("lossWeights", "pairedLossWeights"):
            config[k].update(v)
        else:
            config[k] = v
    return config


# The corrector path (isCorrectorVariable of packages/core/src/internal/model-state.ts).
CORRECTOR_NETWORKS = ["contentEncoderA", "decoderF"]


def save_checkpoint(path_prefix, config, seed, weights, adam_g=None, adam_d=None, pools=None, inference=False):
    """Writes `<prefix>/manifest.json` and `<prefix>/weights.bin` in the format of checkpoint.ts.
    With `inference`, as saveCheckpoint(model, { inference: true }) writes it: the corrector path's
    weights only (float32), no Adam moments or pools, the generator's step kept."""
    import os

    os.makedirs(path_prefix, exist_ok=True)
    specs, blobs = [], []

    def put(name, t):
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
        specs.append({"name": name, "shape": list(a.shape), "dtype": "float32"})
        blobs.append(a.tobytes())

    names = [n for n, _, _ in variable_specs(config)]
    if inference:
        names = [n for n in names if n.split("/")[0] in CORRECTOR_NETWORKS]
    gen = [n for n in names if n.split("/")[0] in GENERATOR_NETWORKS]
    dis = [n for n in names if n.split("/")[0] in DISCRIMINATOR_NETWORKS]
    for n in names:
        put(f"variable/{n}", weights[n])
    steps = {}
    for label, adam, group in (("generator", adam_g, gen), ("discriminator", adam_d, dis)):
        for kind in ("m", "v") if not inference else ():
            for n in group:
                t = getattr(adam, kind).get(n) if adam is not None else None
                t = torch.zeros_like(weights[n]) if t is None else t
                put(f"adam/{label}/{kind}/{n}", t)
        steps[label] = adam.step if adam is not None else 0
    for label in ("F", "A") if not inference else ():
        for i, image in enumerate((pools or {}).get(label, [])):
            put(f"pool/{label}/{i}", image.reshape(1, image.shape[-2], image.shape[-1], 1))
    data = b"".join(blobs)
    manifest = {
        "format": "duncan-mri-checkpoint",
        "formatVersion": 1,
        "architecture": "duncan-2d",
        "config": config,
        "seed": seed,
        **({"inference": True} if inference else {}),
        "optimiser": {"generatorStep": steps["generator"], "discriminatorStep": steps["discriminator"]},
        "weightSpecs": specs,
        "byteLength": len(data),
        # checkpoint-files.ts (readCheckpoint) refuses weights of another save by this hash.
        "weightsSha256": hashlib.sha256(data).hexdigest(),
    }
    with open(os.path.join(path_prefix, "weights.bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(path_prefix, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    return manifest


def load_checkpoint(path_prefix):
    """Reads a checkpoint of checkpoint.ts: (config, seed, weights by name, raw arrays by name)."""
    import os

    with open(os.path.join(path_prefix, "manifest.json")) as f:
        manifest = json.load(f)
    # A save of checkpoint-files.ts killed while it committed leaves a manifest that names its
    # weights file (weights-<16 hex>.bin), or, once that was renamed, the weights in weights.bin.
    named = manifest.get("weightsFile")
    if named is not None and not re.fullmatch(r"weights-[0-9a-f]{16}\.bin", str(named)):
        raise SystemExit(f"{path_prefix}/manifest.json: weightsFile must be weights-<16 hex>.bin, got {named!r}")
    path = os.path.join(path_prefix, named) if named else None
    if path is None or not os.path.exists(path):
        path = os.path.join(path_prefix, "weights.bin")
    with open(path, "rb") as f:
        data = f.read()
    expected = manifest.get("weightsSha256")
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise SystemExit(f"{path} does not have the SHA-256 that manifest.json records: the two files come from different saves")
    arrays, offset = {}, 0
    for s in manifest["weightSpecs"]:
        n = int(np.prod(s["shape"])) if s["shape"] else 1
        # float16 (IEEE binary16, little-endian) in inference checkpoints saved with dtype: 'float16'.
        dtype, size = {"float32": ("<f4", 4), "float16": ("<f2", 2)}[s.get("dtype", "float32")]
        arrays[s["name"]] = np.frombuffer(data, dtype, n, offset).astype(np.float32).reshape(s["shape"])
        offset += size * n
    # An inference checkpoint (saveCheckpoint(model, { inference: true })) holds the corrector
    # path only: content encoder A and decoder F. The other networks are absent (zeros here).
    inference = manifest.get("inference", False)
    weights = {
        name: torch.tensor(arrays[f"variable/{name}"] if f"variable/{name}" in arrays or not inference
                           else np.zeros(shape, np.float32)).requires_grad_(True)
        for name, shape, _ in variable_specs(manifest["config"])
    }
    return manifest["config"], manifest["seed"], weights, arrays
