#!/usr/bin/python3
"""torch_ref.py - PyTorch's side of `make bench`: the same MLPs as bench.c,
on the same data, timed the same way.

Usage: torch_ref.py RUN...   where RUN is KEY:DATASET:LAYERS:BATCH:THREADS:MIN:BUDGET:MAX
  KEY      a label echoed back (a, b, c, d)
  DATASET  fashion-mnist (Debian's IDX files) or a CSV path (label last)
  LAYERS   hidden sizes, e.g. 256-128
  BATCH    batch size
  THREADS  torch.set_num_threads
  MIN, BUDGET, MAX  stop after at least MIN measured epochs once they add up
           to BUDGET seconds, or after MAX measured epochs

   or: torch_ref.py --as-installed RUN...
  the same without the three settings below (torch's OpenBLAS still at
  THREADS): PyTorch as a user gets it, for context beside the tuned figures.
   or: torch_ref.py --paired RUN
  epochs run one at a time, in turn with gradtop's (make bench's 1-thread
  rows of (a) and (b)): after building the model the script prints
  "READY CPU", then runs one epoch per "go" line on stdin, timed from that
  line, and prints "EPOCH I WALL_S THREAD_CPU_S CPU" after it (CPU: this
  process's CPU seconds so far); at end of input, the RESULT line.  Epoch 0
  is the warm-up; MIN, BUDGET and MAX are ignored.

Prints one line per run:
  RESULT KEY THREADS MEDIAN_EPOCH_S MEASURED_EPOCHS ROWS OTHER_CPU MEDIAN_CPU_S
OTHER_CPU is the share of all cores that other processes (and hypervisor
steal) used meanwhile, as bench.c computes it for gradtop's rows;
MEDIAN_CPU_S the median CPU time of this thread per epoch (with one torch
thread the operators run on it), for a figure that survives a busy machine.
after a first line VERSION TORCH_VERSION; when torch is missing, the one
line NOTORCH.

What matches gradtop: features standardized with the population standard
deviation (constant columns left unscaled), classes numbered as gradtop
numbers them (IDX: the label value; CSV: sorted numerically for integers,
by strcmp for strings), the network (Linear + ReLU, He-uniform weights, zero
biases), softmax cross-entropy, Adam with lr 1e-3, betas (0.9, 0.999) and
eps 1e-7 (Keras's default), a fresh permutation each epoch with rows
gathered by index, and per batch the loss and the correct count read back,
as gradtop's epoch line reports them.  No DataLoader: indexing tensors is
PyTorch's fastest idiomatic loop.

Threads: THREADS is both torch.set_num_threads and the thread count of the
OpenBLAS that Debian's torch calls for its matrix products (a separate
pool, all cores by default: left alone, "1 thread" would run sgemm on 2).
The script re-executes itself once with three settings that give torch its
best figures on this machine, so the comparison is against torch at its
fastest: OMP_WAIT_POLICY=PASSIVE (torch's OpenMP threads sleep instead of
spinning while OpenBLAS's threads need the cores) and glibc malloc kept from
handing freed blocks back to the kernel (MALLOC_MMAP_THRESHOLD_,
MALLOC_TRIM_THRESHOLD_); without the latter torch spends about a third of
an epoch of (a) zeroing fresh pages (clear_page_erms).  An epoch's time is the interval between
the ends of two consecutive epochs; the first epoch is the warm-up and is
not counted.
"""
import gzip
import os
import statistics
import sys
import time

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    import numpy as np

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_fashion():
    import numpy as np

    x = read_idx(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz"))
    return x.reshape(len(x), -1).astype(np.float32), y.astype(np.int64)


def load_csv(path):
    import csv

    import numpy as np

    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    try:
        [float(v) for v in rows[0]]
    except ValueError:
        rows = rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32)
    labels = [r[-1] for r in rows]
    try:
        keys = sorted({int(v) for v in labels})
        index = {str(k): i for i, k in enumerate(keys)}
        y = np.array([index[str(int(v))] for v in labels], dtype=np.int64)
    except ValueError:
        keys = sorted(set(labels), key=lambda s: s.encode())
        index = {k: i for i, k in enumerate(keys)}
        y = np.array([index[v] for v in labels], dtype=np.int64)
    return x, y


def standardize(x):
    import numpy as np

    xd = x.astype(np.float64)
    mean = xd.mean(axis=0)
    sd = np.sqrt(((xd - mean) ** 2).mean(axis=0))
    constant = x.min(axis=0) == x.max(axis=0)
    scale = np.where(constant | (sd == 0), 1.0, 1.0 / np.where(sd == 0, 1.0, sd))
    return ((xd - mean) * scale).astype(np.float32)


def cpu_sample():
    """(monotonic time, busy CPU seconds of the machine, our own CPU seconds)."""
    import resource

    busy = 0.0
    try:
        with open("/proc/stat") as f:
            v = [int(t) for t in f.readline().split()[1:9]]
        # user nice system idle iowait irq softirq steal
        busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return time.monotonic(), busy, ru.ru_utime + ru.ru_stime


def process_cpu():
    """CPU seconds of this whole process so far (all its threads)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def other_share(a, b):
    wall = (b[0] - a[0]) * (os.cpu_count() or 1)
    other = (b[1] - a[1]) - (b[2] - a[2])
    return other / wall if wall > 0 and other > 0 else 0.0


def run(torch, x, y, layers, batch, threads, min_epochs, budget, max_epochs, paired=False):
    nn = torch.nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    n, d = x.shape
    k = int(y.max().item()) + 1
    sizes = [d] + layers + [k]
    mods = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        # He uniform for hidden ReLU layers, Glorot uniform for the output: as gradtop.
        limit = (6.0 / sizes[i]) ** 0.5 if not last else (6.0 / (sizes[i] + sizes[i + 1])) ** 0.5
        with torch.no_grad():
            lin.weight.uniform_(-limit, limit)
            lin.bias.zero_()
        mods.append(lin)
        if not last:
            mods.append(nn.ReLU())
    model = nn.Sequential(*mods)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    lossf = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    times, cpu = [], []
    other_s = wall_s = 0.0
    t_prev, c_prev = time.perf_counter(), time.thread_time()
    epoch = 0
    if paired:
        print(f"READY {process_cpu():.6f}", flush=True)
    while True:
        if paired:
            # gradtop's epoch ran meanwhile: wait for the next "go", time from it
            if sys.stdin.readline().strip() != "go":
                break
            t_prev, c_prev = time.perf_counter(), time.thread_time()
            s0 = cpu_sample()
        perm = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        correct = 0
        for s in range(0, n, batch):
            idx = perm[s: s + batch]
            xb = x.index_select(0, idx)
            yb = y.index_select(0, idx)
            out = model(xb)
            loss = lossf(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum().item())
        now, cnow = time.perf_counter(), time.thread_time()
        if epoch > 0:
            times.append(now - t_prev)
            cpu.append(cnow - c_prev)
        if paired:
            s1 = cpu_sample()
            if epoch > 0:
                wall_s += (s1[0] - s0[0]) * (os.cpu_count() or 1)
                other_s += max(0.0, (s1[1] - s0[1]) - (s1[2] - s0[2]))
            print(f"EPOCH {epoch} {now - t_prev:.6f} {cnow - c_prev:.6f} {process_cpu():.6f}",
                  flush=True)
        t_prev, c_prev = now, cnow
        epoch += 1
        if not paired and (len(times) >= max_epochs or (len(times) >= min_epochs and sum(times) >= budget)):
            break
    if not times:
        return None
    other = other_s / wall_s if wall_s > 0 else None
    return statistics.median(times), len(times), n, statistics.median(cpu), other


TUNED_ENV = {
    "OMP_WAIT_POLICY": "PASSIVE",
    "MALLOC_MMAP_THRESHOLD_": str(1 << 30),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
}


def set_blas_threads(n):
    """Sets the OpenBLAS pool torch's products run on; False when not found."""
    import ctypes

    for name in ("libopenblas.so.0", "libopenblasp-r0.3.21.so", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_set_num_threads(int(n))
            return True
        except (OSError, AttributeError):
            continue
    return False


def main(argv):
    as_installed = len(argv) > 1 and argv[1] == "--as-installed"
    if as_installed:
        argv = argv[:1] + argv[2:]
    elif os.environ.get("GRADTOP_TORCH_REF_ENV") != "1":
        env = dict(os.environ, GRADTOP_TORCH_REF_ENV="1", **TUNED_ENV)
        os.execve(sys.executable, [sys.executable] + argv, env)
    try:
        import numpy as np
        import torch
    except ImportError:
        print("NOTORCH", flush=True)
        return 0
    print(f"VERSION {torch.__version__}", flush=True)
    cache = {}
    paired = len(argv) > 1 and argv[1] == "--paired"
    specs = argv[2:3] if paired else argv[1:]
    for spec in specs:
        key, dataset, layers, batch, threads, mn, budget, mx = spec.split(":")
        if dataset not in cache:
            x, y = load_fashion() if dataset == "fashion-mnist" else load_csv(dataset)
            cache[dataset] = (torch.from_numpy(standardize(x)), torch.from_numpy(np.ascontiguousarray(y)))
        x, y = cache[dataset]
        hidden = [int(v) for v in layers.split("-") if v]
        set_blas_threads(threads)
        c0 = cpu_sample()
        got = run(torch, x, y, hidden, int(batch), int(threads), int(mn), float(budget), int(mx),
                  paired)
        if got is None:
            continue
        med, cnt, n, cpu, other = got
        if other is None:
            other = other_share(c0, cpu_sample())
        print(f"RESULT {key} {threads} {med:.6f} {cnt} {n} {other:.4f} {cpu:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
