#!/usr/bin/python3
"""torch_sweep.py - the sweep's reference in `make bench`: the trials of a
gradtop sweep trained again by a plain PyTorch loop spread over worker
processes, and the same search through Optuna when it is installed.

Usage: torch_sweep.py loop TRIALS_CSV DATASET_CSV WORKERS EPOCHS
       torch_sweep.py optuna TRIALS_CSV DATASET_CSV WORKERS EPOCHS SEED

TRIALS_CSV is the sweep's trials.csv: each row's `layers` (e.g. "64,32")
and `lr` columns are one configuration.  `loop` trains every row's network
for EPOCHS epochs in a multiprocessing.Pool of WORKERS processes (forked
after torch is imported, each at one thread), as a user would spread
trials over cores without a tuning library.  `optuna` runs as many trials
through Optuna's RandomSampler (seeded) over the same space (layers a
categorical of the values the file holds, lr log-uniform over their
range), with n_jobs=WORKERS (Optuna's own parallelism: threads).

What matches gradtop's trials: the CSV's label last, features standardized
with the training part's mean and population standard deviation, a
stratified validation part of 20 %, Linear + ReLU layers, softmax
cross-entropy, Adam with betas (0.9, 0.999) and eps 1e-7 (Keras's), batch
32, a fresh permutation each epoch, the training loss and accuracy of each
epoch read back batch by batch (as bench/torch_ref.py does, and as gradtop
tallies them), and after each epoch the validation loss and accuracy
(gradtop scores every epoch on the validation part).

Prints "VERSION TORCH OPTUNA", then one line
  RESULT MODE TRIALS WORKERS WALL_S CPU_S BEST_VAL_ACCURACY
WALL_S from before the pool (or the study) is made to the last trial's end;
CPU_S the CPU time of this process and its children meanwhile.  When torch
is missing the one line NOTORCH; when optuna is asked for and missing,
NOOPTUNA.
"""
import csv
import math
import os
import resource
import sys
import time

# One thread per process, before torch is imported (its OpenMP and the
# OpenBLAS Debian's torch calls each read their own variable).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

try:
    import numpy as np
    import torch
except ImportError:
    print("NOTORCH", flush=True)
    sys.exit(0)

DATA = None


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    try:
        [float(v) for v in rows[0]]
    except ValueError:
        rows = rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32)
    labels = sorted({int(r[-1]) for r in rows})
    index = {k: i for i, k in enumerate(labels)}
    y = np.array([index[int(r[-1])] for r in rows], dtype=np.int64)
    rng = np.random.default_rng(0)
    val = []
    for c in range(len(labels)):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        val.extend(idx[: int(round(0.2 * len(idx)))])
    mask = np.zeros(len(y), dtype=bool)
    mask[val] = True
    xt, yt, xv, yv = x[~mask], y[~mask], x[mask], y[mask]
    mean = xt.mean(axis=0)
    sd = xt.std(axis=0)
    sd[sd == 0] = 1
    xt = (xt - mean) / sd
    xv = (xv - mean) / sd
    return (torch.from_numpy(xt), torch.from_numpy(yt), torch.from_numpy(xv),
            torch.from_numpy(yv), len(labels))


def train(layers, lr, epochs, seed=0):
    xt, yt, xv, yv, k = DATA
    torch.manual_seed(seed)
    mods, n_in = [], xt.shape[1]
    for h in layers:
        mods += [torch.nn.Linear(n_in, h), torch.nn.ReLU()]
        n_in = h
    mods.append(torch.nn.Linear(n_in, k))
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()
    n = xt.shape[0]
    best_acc, best_loss = 0.0, math.inf
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(n)
        seen_loss, correct = 0.0, 0
        for i in range(0, n, 32):
            b = perm[i:i + 32]
            opt.zero_grad()
            out = model(xt[b])
            loss = lossf(out, yt[b])
            loss.backward()
            opt.step()
            # the epoch's training loss and accuracy, as gradtop reports them
            seen_loss += loss.item() * len(b)
            correct += (out.argmax(1) == yt[b]).sum().item()
        model.eval()
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            acc = (out.argmax(1) == yv).float().mean().item()
        if vl < best_loss:
            best_loss, best_acc = vl, acc
    return best_loss, best_acc


def job(args):
    layers, lr, epochs = args
    return train(layers, lr, epochs)


def configs(path):
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out.append(([int(v) for v in row["layers"].split(",")], float(row["lr"])))
    return out


def cpu_now():
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main():
    global DATA
    mode, trials_csv, data_csv = sys.argv[1], sys.argv[2], sys.argv[3]
    workers, epochs = int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(1)
    cfgs = configs(trials_csv)
    DATA = load(data_csv)
    try:
        import optuna
        over = optuna.__version__
    except ImportError:
        optuna, over = None, "none"
    print("VERSION", torch.__version__, over, flush=True)
    if mode == "loop":
        import multiprocessing as mp

        t0, c0 = time.monotonic(), cpu_now()
        with mp.get_context("fork").Pool(workers) as pool:
            res = pool.map(job, [(l, r, epochs) for l, r in cfgs], chunksize=1)
        wall, cpu = time.monotonic() - t0, cpu_now() - c0
        best = max(a for _, a in res)
    else:
        if optuna is None:
            print("NOOPTUNA", flush=True)
            return
        seed = int(sys.argv[6])
        choices = sorted({",".join(map(str, l)) for l, _ in cfgs})
        lo, hi = min(r for _, r in cfgs), max(r for _, r in cfgs)
        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial):
            layers = [int(v) for v in trial.suggest_categorical("layers", choices).split(",")]
            lr = trial.suggest_float("lr", lo, hi, log=True)
            vl, acc = train(layers, lr, epochs)
            trial.set_user_attr("val_accuracy", acc)
            return vl

        t0, c0 = time.monotonic(), cpu_now()
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
        study.optimize(objective, n_trials=len(cfgs), n_jobs=workers)
        wall, cpu = time.monotonic() - t0, cpu_now() - c0
        best = max(t.user_attrs["val_accuracy"] for t in study.trials)
    print("RESULT %s %d %d %.3f %.3f %.4f" % (mode, len(cfgs), workers, wall, cpu, best),
          flush=True)


if __name__ == "__main__":
    main()
