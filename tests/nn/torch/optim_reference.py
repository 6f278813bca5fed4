import torch
torch.set_printoptions(precision=10)
def run(make, steps=3):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    opt = make([p])
    for t in range(1, steps+1):
        p.grad = torch.tensor([0.1*t, -0.2, 0.3 - 0.05*t])
        opt.step()
    return [float('%.9g' % v) for v in p.detach().tolist()]
print("sgd_nesterov", run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)))
print("sgd_damp", run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1)))
print("sgd_plain", run(lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.1)))
print("adam", run(lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1)))
print("adamw", run(lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1)))
print(torch.__version__)
