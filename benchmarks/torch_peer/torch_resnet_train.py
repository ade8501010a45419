"""PyTorch eager peer of ``benchmarks/bench_training.py``: the same ResNet, loss and Adam, timed on request.

Run with the python of the separate venv (``.torch-venv``, see benchmarks/README.md); it speaks one JSON
object per line on stdin/stdout:

* ``{"cmd": "setup", "npz": PATH, "variant": "stacked"|"per_layer_params", "dtype": "float64"|"float32",
  "threads": N}`` (``torch.set_num_threads(N)``, default 1):
  build $h_{k+1} = h_k + |\\delta|\\tanh(A_k h_k + b_k)$ (shared delta) from the arrays ``A`` (L, d, d),
  ``b`` (L, d), ``delta`` (1,), batch ``x``, ``y`` (B, d) in the file; answer the loss
  mean((h_L - y)^2) and the gradients' squared norms (a cross-check against our trainer);
* ``{"cmd": "time", "repeats": R}``: R training steps (zero_grad, forward, backward, Adam step), answer
  the wall and CPU seconds of each;
* ``{"cmd": "quit"}``.

``stacked``: A and b are single (L, d, d) / (L, d) parameters unbound into per-layer views once per step (one
Adam update per tensor); ``per_layer_params``: one ``nn.Parameter`` per layer, as the authors' code builds it.
"""
import json
import sys
import time

import numpy as np
import torch


class ResNet(torch.nn.Module):
    def __init__(self, a, b, delta, variant):
        super().__init__()
        self.variant = variant
        if variant == "stacked":
            self.A, self.b = torch.nn.Parameter(a), torch.nn.Parameter(b)
        else:
            self.A = torch.nn.ParameterList([torch.nn.Parameter(t.clone()) for t in a])
            self.b = torch.nn.ParameterList([torch.nn.Parameter(t.clone()) for t in b])
        self.delta = torch.nn.Parameter(delta)

    def forward(self, x):
        a = self.A.unbind(0) if self.variant == "stacked" else self.A
        b = self.b.unbind(0) if self.variant == "stacked" else self.b
        g = torch.abs(self.delta)
        for ak, bk in zip(a, b):
            x = x + g * torch.tanh(x @ ak.T + bk)
        return x


def main():
    net = opt = x = y = None
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        if req["cmd"] == "setup":
            torch.set_num_threads(int(req.get("threads", 1)))
            dtype = getattr(torch, req["dtype"])
            data = np.load(req["npz"])
            t = {k: torch.tensor(data[k], dtype=dtype) for k in ("A", "b", "delta", "x", "y")}
            net = ResNet(t["A"], t["b"], t["delta"], req["variant"])
            x, y = t["x"], t["y"]
            opt = torch.optim.Adam(net.parameters(), lr=1e-2)
            loss = torch.mean((net(x) - y) ** 2)
            loss.backward()
            sq = {n: float(sum((p.grad.double() ** 2).sum() for p in ps))
                  for n, ps in (("A", list(net.A.parameters()) if req["variant"] != "stacked" else [net.A]),
                                ("b", list(net.b.parameters()) if req["variant"] != "stacked" else [net.b]),
                                ("delta", [net.delta]))}
            out = {"loss": loss.item(), "grad_sq": sq, "threads": torch.get_num_threads(),
                   "torch": torch.__version__}
        else:
            wall, cpu = [], []
            for _ in range(int(req["repeats"])):
                w0, c0 = time.perf_counter(), time.process_time()
                opt.zero_grad()
                loss = torch.mean((net(x) - y) ** 2)
                loss.backward()
                opt.step()
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            out = {"wall": wall, "cpu": cpu}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
