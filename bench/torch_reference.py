#!/usr/bin/python3
"""PyTorch reference for `cvpipe bench`: the same cases (architectures, batch sizes, optimizers,
losses) as bench/cases/*.cpp, timed the same way (warm-up, then the median of per-iteration
wall times), printing the same JSON lines (`"impl":"torch"`).

Run with Debian's torch: /usr/bin/python3 bench/torch_reference.py [--list | CASE...]
    [--threads N] [--dtype f32|bf16] [--iters N] [--warmup N]
bf16 uses torch.autocast(cpu, bfloat16): bf16 compute, f32 master weights, like cvpipe's bf16 mode.
"""
import argparse
import contextlib
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ITEMS = {"lenet-train": 64, "lenet-infer": 1, "dcgan-train": 64, "dncnn-train": 16, "dncnn-infer": 1,
         "unet-train": 8}
DEFAULT_ITERS = {"lenet-infer": 500, "lenet-train": 60, "dcgan-train": 20}


def lenet():
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def dcgan_generator():
    return nn.Sequential(
        nn.ConvTranspose2d(100, 128, 4, 1, 0, bias=False), nn.BatchNorm2d(128), nn.ReLU(True),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(True),
        nn.ConvTranspose2d(32, 1, 4, 2, 1, bias=False), nn.Tanh())


def dcgan_discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(128, 1, 4, 1, 0, bias=False))


def gan_init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def dncnn():
    layers = [nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(inplace=True)]
    for _ in range(8):
        layers += [nn.Conv2d(32, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True)]
    layers.append(nn.Conv2d(32, 1, 3, 1, 1))
    return nn.Sequential(*layers)


def double_conv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """The bench U-Net: as bench/src/nets.cpp make_unet()."""

    def __init__(self):
        super().__init__()
        self.enc1 = double_conv(3, 32)
        self.enc2 = double_conv(32, 64)
        self.bottleneck = double_conv(64, 128)
        self.up2 = nn.ConvTranspose2d(128, 64, 2, 2)
        self.dec2 = double_conv(128, 64)
        self.up1 = nn.ConvTranspose2d(64, 32, 2, 2)
        self.dec1 = double_conv(64, 32)
        self.head = nn.Conv2d(32, 3, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        b = self.bottleneck(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


def make_case(name, amp):
    """Returns a step() callable running one iteration of case `name`."""
    torch.manual_seed(42)
    if name in ("lenet-train", "lenet-infer"):
        net = lenet()
        if name == "lenet-infer":
            net.eval()
            x = torch.randn(1, 3, 32, 32)

            def step():
                with torch.no_grad(), amp():
                    return float(net(x)[0, 0])
            return step
        x = torch.randn(64, 3, 32, 32)
        y = torch.randint(0, 10, (64,))
        opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

        def step():
            opt.zero_grad()
            with amp():
                out = net(x)
            loss = F.cross_entropy(out.float(), y)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    if name == "dcgan-train":
        g, d = dcgan_generator(), dcgan_discriminator()
        g.apply(gan_init)
        d.apply(gan_init)
        opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        z = torch.randn(64, 100, 1, 1)
        real = torch.rand(64, 1, 32, 32)
        ones = torch.ones(64, 1, 1, 1)
        zeros = torch.zeros(64, 1, 1, 1)
        bce = nn.BCEWithLogitsLoss()

        def step():
            opt_d.zero_grad()
            with amp():
                fake = g(z)
                out_real = d(real)
            l_real = bce(out_real.float(), ones)
            l_real.backward()
            with amp():
                out_fake = d(fake.detach())
            l_fake = bce(out_fake.float(), zeros)
            l_fake.backward()
            opt_d.step()
            opt_g.zero_grad()
            with amp():
                out = d(fake)
            l_gen = bce(out.float(), ones)
            l_gen.backward()
            opt_g.step()
            return l_real.item() + l_fake.item() + l_gen.item()
        return step
    if name in ("dncnn-train", "dncnn-infer"):
        net = dncnn()
        if name == "dncnn-infer":
            net.eval()
            x = torch.rand(1, 1, 512, 512)

            def step():
                with torch.no_grad(), amp():
                    return float(net(x).numel())
            return step
        x = torch.rand(16, 1, 64, 64)
        t = torch.rand(16, 1, 64, 64)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            with amp():
                out = net(x)
            loss = F.mse_loss(out.float(), t)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    if name == "unet-train":
        net = UNet()
        x = torch.rand(8, 3, 64, 64)
        t = torch.rand(8, 3, 64, 64)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            with amp():
                out = net(x)
            loss = F.l1_loss(out.float(), t)
            loss.backward()
            opt.step()
            return loss.item()
        return step
    raise KeyError(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", metavar="CASE")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    ap.add_argument("--iters", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")
    a = ap.parse_args()
    if a.list:
        for n in ITEMS:
            print(n)
        return 0
    names = a.cases or list(ITEMS)
    for n in names:
        if n not in ITEMS:
            print(f"torch_reference.py: error: unknown case '{n}'", file=sys.stderr)
            return 2
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.dtype == "bf16":
        def amp():
            return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
    else:
        amp = contextlib.nullcontext
    for n in names:
        step = make_case(n, amp)
        for _ in range(max(1, a.warmup)):
            step()
        iters = a.iters or DEFAULT_ITERS.get(n, 10)
        ms, cpu = [], []
        value = 0.0
        for _ in range(iters):
            c0 = time.process_time()
            t0 = time.perf_counter()
            value = step()
            ms.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.process_time() - c0) * 1000.0)
        med = statistics.median(ms)
        print(json.dumps({"case": n, "items_per_s": round(ITEMS[n] * 1000.0 / med, 3), "ms_per_iter": round(med, 4),
                          "threads": torch.get_num_threads(), "dtype": a.dtype, "impl": "torch", "iters": iters,
                          "ms_min": round(min(ms), 4), "ms_mean": round(statistics.mean(ms), 4),
                          "cpu_ms": round(statistics.median(cpu), 4),
                          "value": value}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
