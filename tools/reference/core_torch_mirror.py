#!/usr/bin/python3
"""PyTorch mirror of @duncan-mri/core's DUNCAN network, for speed comparison only.

Same layers, shapes, padding and losses as packages/core/src/internal/{networks,losses}.ts:
content encoders (7x7 stem, two 4x4 stride-2 convs, R residual blocks; reflection padding,
InstanceNorm without affine, ReLU), artefact encoder (same without residual blocks), decoder F
(nearest x2 + 5x5 conv twice, 7x7 linear output), decoder A (artefact fused at each scale by
concat + 1x1 conv), 70x70 PatchGAN discriminators (zero padding 1, LeakyReLU 0.2), LSGAN, and the
six generator terms with weights 1/10/10/5/1/5; Adam(1e-4, betas (0.5, 0.999)).

Prints JSON: forward ms of decoderF(contentEncoderA(x)) on one 256x256 slice, and ms of one
training step (generator update + discriminator update) at batch B, 128x128 crops.

Usage: /usr/bin/python3 tools/reference/core_torch_mirror.py [--channels 32] [--blocks 4]
       [--batch 4] [--crop 128] [--threads 1] [--repeats 3]
Needs Debian's python3-torch (1.13); never run in CI.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(ci, co, k, stride=1, bias=False, zero_pad=False):
    pad = (k - 1) // 2 if k % 2 == 1 else 1
    layers = []
    if pad and not zero_pad:
        layers.append(nn.ReflectionPad2d(pad))
    layers.append(nn.Conv2d(ci, co, k, stride, padding=pad if zero_pad else 0, bias=bias))
    return nn.Sequential(*layers)


def inorm(x):
    return F.instance_norm(x, eps=1e-5)


class Encoder(nn.Module):
    def __init__(self, c, blocks):
        super().__init__()
        self.stem = conv(1, c, 7)
        self.down1 = conv(c, 2 * c, 4, 2)
        self.down2 = conv(2 * c, 4 * c, 4, 2)
        self.res = nn.ModuleList(
            nn.ModuleList([conv(4 * c, 4 * c, 3), conv(4 * c, 4 * c, 3)]) for _ in range(blocks)
        )

    def forward(self, x):
        f0 = F.relu(inorm(self.stem(x)))
        f1 = F.relu(inorm(self.down1(f0)))
        h = F.relu(inorm(self.down2(f1)))
        for a, b in self.res:
            h = h + inorm(b(F.relu(inorm(a(h)))))
        return [f0, f1, h]


def up(x):
    return F.interpolate(x, scale_factor=2, mode="nearest")


class DecoderF(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.up1 = conv(4 * c, 2 * c, 5)
        self.up2 = conv(2 * c, c, 5)
        self.out = conv(c, 1, 7, bias=True)

    def forward(self, content):
        h = F.relu(inorm(self.up1(up(content[2]))))
        h = F.relu(inorm(self.up2(up(h))))
        return self.out(h)


class DecoderA(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fuse2 = nn.Conv2d(8 * c, 4 * c, 1)
        self.up1 = conv(4 * c, 2 * c, 5)
        self.fuse1 = nn.Conv2d(4 * c, 2 * c, 1)
        self.up2 = conv(2 * c, c, 5)
        self.fuse0 = nn.Conv2d(2 * c, c, 1)
        self.out = conv(c, 1, 7, bias=True)

    def forward(self, content, a):
        h = F.relu(self.fuse2(torch.cat([content[2], a[2]], 1)))
        h = F.relu(inorm(self.up1(up(h))))
        h = F.relu(self.fuse1(torch.cat([h, a[1]], 1)))
        h = F.relu(inorm(self.up2(up(h))))
        h = F.relu(self.fuse0(torch.cat([h, a[0]], 1)))
        return self.out(h)


class Discriminator(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1 = conv(1, c, 4, 2, bias=True, zero_pad=True)
        self.c2 = conv(c, 2 * c, 4, 2, zero_pad=True)
        self.c3 = conv(2 * c, 4 * c, 4, 2, zero_pad=True)
        self.c4 = conv(4 * c, 8 * c, 4, 1, zero_pad=True)
        self.out = conv(8 * c, 1, 4, 1, bias=True, zero_pad=True)

    def forward(self, x):
        lr = lambda t: F.leaky_relu(t, 0.2)
        h = lr(self.c1(x))
        h = lr(inorm(self.c2(h)))
        h = lr(inorm(self.c3(h)))
        h = lr(inorm(self.c4(h)))
        return self.out(h)


def l1(a, b):
    return (a - b).abs().mean()


def feature_l1(a, b):
    return sum(l1(x, y) for x, y in zip(a, b))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    c = args.channels
    enc_a, enc_f = Encoder(c, args.blocks), Encoder(c, args.blocks)
    art = Encoder(c, 0)
    dec_f, dec_a = DecoderF(c), DecoderA(c)
    d_f, d_a = Discriminator(c), Discriminator(c)
    for m in [enc_a, enc_f, art, dec_f, dec_a, d_f, d_a]:
        for prm in m.parameters():
            nn.init.normal_(prm, 0, 0.02) if prm.dim() > 1 else nn.init.zeros_(prm)
    g_params = [q for m in [enc_a, enc_f, art, dec_f, dec_a] for q in m.parameters()]
    d_params = [q for m in [d_f, d_a] for q in m.parameters()]
    opt_g = torch.optim.Adam(g_params, 1e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d_params, 1e-4, betas=(0.5, 0.999))
    w = dict(adversarial=1, cycle=10, reconstruction=10, content=5, artefact=1, identity=5)

    x256 = torch.rand(1, 1, 256, 256)
    xa = torch.rand(args.batch, 1, args.crop, args.crop)
    xf = torch.rand(args.batch, 1, args.crop, args.crop)

    # Residual translations (@duncan-mri/core's default `residual: true`): each decoder's output
    # is added to the image its content came from.
    def forward():
        with torch.no_grad():
            return x256 + dec_f(enc_a(x256))

    def step():
        ca, a, cf = enc_a(xa), art(xa), enc_f(xf)
        fake_f, fake_a = xa + dec_f(ca), xf + dec_a(cf, a)
        c_fake_f, c_fake_a = enc_f(fake_f), enc_a(fake_a)
        terms = dict(
            adversarial=((d_f(fake_f) - 1) ** 2).mean() + ((d_a(fake_a) - 1) ** 2).mean(),
            cycle=l1(fake_f + dec_a(c_fake_f, a), xa) + l1(fake_a + dec_f(c_fake_a), xf),
            reconstruction=l1(xa + dec_a(ca, a), xa) + l1(xf + dec_f(cf), xf),
            content=feature_l1(ca, c_fake_f) + feature_l1(cf, c_fake_a),
            artefact=feature_l1(art(fake_a), a),
            identity=l1(xf + dec_f(enc_a(xf)), xf),
        )
        total = sum(w[k] * v for k, v in terms.items())
        opt_g.zero_grad()
        total.backward()
        opt_g.step()
        ff, fa = fake_f.detach(), fake_a.detach()
        loss_d = 0.5 * (((d_f(xf) - 1) ** 2).mean() + (d_f(ff) ** 2).mean()) + 0.5 * (
            ((d_a(xa) - 1) ** 2).mean() + (d_a(fa) ** 2).mean()
        )
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()

    def timed(fn):
        fn()
        best = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fn()
            best.append((time.perf_counter() - t) * 1000)
        return min(best), sum(best) / len(best)

    fwd = timed(forward)
    stp = timed(step)
    params = sum(q.numel() for q in g_params + d_params)
    print(json.dumps(dict(
        tool="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
        channels=c, blocks=args.blocks, batch=args.batch, crop=args.crop, parameters=params,
        forward256_ms_min=round(fwd[0], 1), forward256_ms_mean=round(fwd[1], 1),
        train_step_ms_min=round(stp[0], 1), train_step_ms_mean=round(stp[1], 1),
    )))


if __name__ == "__main__":
    main()
