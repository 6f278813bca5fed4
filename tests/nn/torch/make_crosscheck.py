#!/usr/bin/python3
"""Reference data for the PyTorch cross-check (tests/nn/torch_crosscheck_test.cpp).

Builds the issue-3 LeNet-5 (3x32x32) and one U-Net-style block (conv-BN-ReLU x2, max-pool,
transposed-conv up, concat skip, conv) with fixed seeds, runs a training-mode forward, a scalar
loss and backward, then an eval-mode forward, and writes for each net one safetensors file:
  <dir>/lenet.safetensors, <dir>/unet_block.safetensors
holding the weights under their state_dict names and, under "ref.", the input, targets, outputs,
loss, input gradient and every parameter gradient, BN running stats after the step, and the eval
output. The safetensors writer below is self-contained (struct + json), so the C++ reader is
checked against an independent writer. Run with /usr/bin/python3 (Debian python3-torch).
"""
import json
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


def save_safetensors(path, tensors, metadata=None):
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float32:
            dtype = "F32"
        elif t.dtype == torch.int64:
            dtype = "I64"
        else:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def lenet():
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 6, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
        ("fc3", nn.Linear(84, 10)),
    ]))


class UNetBlock(nn.Module):
    def __init__(self, cin=3, c=8, cout=4):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(cin, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(c, c, 2, stride=2)
        self.out = nn.Conv2d(2 * c, cout, 3, padding=1)

    def forward(self, x):
        e = self.enc(x)
        u = self.up(self.pool(e))
        return self.out(torch.cat([u, e], dim=1))


def record(net, x, loss_fn, extra):
    weights = OrderedDict((k, v.clone()) for k, v in net.state_dict().items())  # before the step
    net.train()
    x = x.clone().requires_grad_(True)
    y = net(x)
    loss = loss_fn(y)
    loss.backward()
    ref = OrderedDict()
    ref["ref.input"] = x.detach()
    ref["ref.output"] = y.detach()
    ref["ref.loss"] = loss.detach().reshape(1)
    ref["ref.input_grad"] = x.grad.detach()
    for name, p in net.named_parameters():
        ref["ref.grad." + name] = p.grad.detach()
    for name, b in net.named_buffers():
        if b.dtype == torch.float32:
            ref["ref.after." + name] = b.detach().clone()
    net.eval()
    with torch.no_grad():
        ref["ref.eval_output"] = net(x.detach())
    ref.update(extra)
    out = OrderedDict(weights)
    out.update(ref)
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."
    torch.set_num_threads(1)

    torch.manual_seed(0)
    net = lenet()
    x = torch.randn(4, 3, 32, 32)
    labels = torch.tensor([3, 0, 9, 5], dtype=torch.int64)
    tensors = record(net, x, lambda y: F.cross_entropy(y, labels, label_smoothing=0.1), {"ref.labels": labels})
    save_safetensors(f"{outdir}/lenet.safetensors", tensors, {"net": "lenet", "loss": "cross_entropy(label_smoothing=0.1)"})

    torch.manual_seed(1)
    net = UNetBlock()
    with torch.no_grad():  # non-trivial BN affine parameters and running stats
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.8, 1.2)
    x = torch.randn(2, 3, 12, 10)
    target = torch.randn(2, 4, 12, 10)
    tensors = record(net, x, lambda y: F.l1_loss(y, target) + F.mse_loss(y, target), {"ref.target": target})
    save_safetensors(f"{outdir}/unet_block.safetensors", tensors, {"net": "unet_block", "loss": "l1 + mse"})
    print(f"wrote {outdir}/lenet.safetensors and {outdir}/unet_block.safetensors (torch {torch.__version__})")


if __name__ == "__main__":
    main()
