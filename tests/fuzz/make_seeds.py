#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/TARGET/.

The files are committed; this script says what each one is and rebuilds
them:  python3 tests/fuzz/make_seeds.py [RUN_DIR ...]
RUN_DIR: run directories of `gradtop train` whose model.gtm, config.txt and
event file become seeds (the committed ones came from iris, diabetes with
--layers 4, and breast_cancer with --layers "" --optimizer sgd; a run's
checkpoint.gtm too when it is there: checkpoint-iris.gtm came from iris
with --layers 4 --epochs 3 --no-restore-best).
Seeds are valid files and edge cases of each format; fuzz_idx's inputs
carry the harness's mode byte (see fuzz_common.h).
"""
import glob
import gzip
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def copy(target, src, name=None):
    with open(src, "rb") as f:
        write(target, name or os.path.basename(src), f.read())


# ---- CSV ------------------------------------------------------------------

for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/*.csv"))) + \
        [os.path.join(ROOT, "tests/data/tab.tsv"), os.path.join(ROOT, "datasets/iris.csv"),
         os.path.join(ROOT, "datasets/wine.csv")]:
    copy("csv", p)
with open(os.path.join(ROOT, "datasets/diabetes.csv"), "rb") as f:
    write("csv", "diabetes_head.csv", b"".join(f.readlines()[:40]))
HOSTILE_CSV = {
    "quoted_newlines.csv": 'a,"b\nc",label\n"1","2",x\n"3",\n"4",y\n',
    "cr_only.csv": "a,b,label\r1,2,x\r3,4,y\r",
    "bom_only.csv": b"\xef\xbb\xbf",
    "nul_bytes.csv": b"a,b,label\n1,\x002,x\n3,4,y\n",
    "exponents.csv": "a,b,label\n1e38,-1e-45,0.5\n3.4028235e38,-0,1.5\n+.5,5.,2.5\n",
    "negative_int_labels.csv": "a,label\n1,-3\n2,-1\n3,-3\n4,7\n",
    "many_columns.csv": ",".join("c%d" % i for i in range(300)) + "\n" +
                        ",".join(str(i) for i in range(300)) + "\n",
    "semicolons.csv": "a;b;c;label\n1;2;3;x\n4;5;6;y\n",
    "missing_everywhere.csv": "a,b,c,label\nNA,,?,x\n1,N/A,3,\n,,,y\n4,5,6,x\n",
    "one_field.csv": "x\n",
    "duplicate_header.csv": "a,a,a\n1,2,3\n4,5,6\n",
    "utf8_names.csv": "\u00e9t\u00e9,\u03b1\u03b2,label\n1,2,\u732b\n3,4,\u72ac\n",
    "spaces_in_numbers.csv": "a,b,label\n  1 , 2\t,x\n3,4 ,y\n",
    "many_classes.csv": "a,label\n" + "".join("%d,c%d\n" % (i, i) for i in range(1100)),
    "int_then_float.csv": "a,label\n1,1\n2,2\n3,2.5\n",
    "quote_in_field.csv": 'a,b,label\n1,"2""3",x\n"4",5,"y"\n',
    "empty_lines_only.csv": "\n\n\r\n\n",
    "decimal_commas.csv": "a;b;label\r\n5,1;3,5;x\r\n6,2;-0,25;y\r\n",
    "decimal_comma_labels.csv": "a;y\n1;3,5\n2;4,25\n",
    "decimal_commas_quoted.csv": 'a,b,label\n"5,1","3,5",x\n',
    "pipes_quoted.csv": 'a|b|label\n1|2|"x|y\nz"\n3|4|w\n',
    "tabs_ragged.csv": "a\tb\tlabel\n1\t2\tx\n3\t4\n5\t6\ty\n",
    "delimiter_tie.csv": "a,b;c,d\n1,2;3,4\n",
}
for name, data in HOSTILE_CSV.items():
    write("csv", name, data)

# ---- IDX: mode byte 0 = one images file, 1 = images + labels ---------------

idx = os.path.join(ROOT, "tests/data/idx")
for p in sorted(glob.glob(os.path.join(idx, "*images*"))) + [os.path.join(idx, "oddname.idx")]:
    with open(p, "rb") as f:
        write("idx", "whole-" + os.path.basename(p), b"\x00" + f.read())
for p in sorted(glob.glob(os.path.join(idx, "*images-idx3-ubyte*"))):
    lp = p.replace("images-idx3-ubyte", "labels-idx1-ubyte")
    if not os.path.exists(lp):
        lp = lp[:-3] if lp.endswith(".gz") else lp + ".gz"
    if not os.path.exists(lp):
        continue
    with open(p, "rb") as f:
        img = f.read()
    with open(lp, "rb") as f:
        lab = f.read()
    write("idx", "pair-" + os.path.basename(p), b"\x01" + struct.pack(">H", len(img)) + img + lab)
# 5 images of 4x3 with labels 0..9 and a gzip pair
img = struct.pack(">BBBBIII", 0, 0, 8, 3, 5, 4, 3) + bytes(range(60))
lab = struct.pack(">BBBBI", 0, 0, 8, 1, 5) + bytes([0, 9, 3, 3, 1])
write("idx", "pair-five", b"\x01" + struct.pack(">H", len(img)) + img + lab)
gimg, glab = gzip.compress(img, mtime=0), gzip.compress(lab, mtime=0)
write("idx", "pair-five-gz", b"\x01" + struct.pack(">H", len(gimg)) + gimg + glab)
write("idx", "whole-five-gz", b"\x00" + gimg)
write("idx", "whole-1x1", b"\x00" + struct.pack(">BBBBIII", 0, 0, 8, 3, 1, 1, 1) + b"\xff")

# ---- --config files --------------------------------------------------------

for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/config/*.cfg"))):
    copy("config", p)
HOSTILE_CFG = {
    "every_kind.cfg": "layers = 64,32,16\nactivation = gelu\nloss = huber\noptimizer = rmsprop\n"
                      "centered = 1\nseed = 18446744073709551615\ndelimiter = ;\nlabel = \"a b\"\n"
                      "lr-schedule = cosine\nl2 = 1e-4\nno-log = false\nname = x\n",
    "empty_layers.cfg": "layers = \"\"\n",
    "extremes.cfg": "lr = 1e308\nbatch-size = 2147483647\nepochs = -1\nval-split = 0.99999\n",
    "comments_only.cfg": "# nothing\n\n   # more\n",
    "no_newline.cfg": "epochs = 3",
    "quotes.cfg": "name = \"unterminated\nlabel = \"\"\"\ndataset = \"a\\\"b\"\n",
    "nul.cfg": b"epochs = 3\x00 4\n",
    "dup.cfg": "epochs = 3\nepochs = 4\n",
    "hash_value.cfg": "name = a#b\nlabel = #x\n",
}
for name, data in HOSTILE_CFG.items():
    write("config", name, data)

# ---- model.gtm and tfevents from real runs ---------------------------------

for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/models/*.gtm"))):
    copy("model", p)
for i, run in enumerate(sys.argv[1:]):
    tag = os.path.basename(run.rstrip("/")).split("-", 2)[-1]
    copy("model", os.path.join(run, "model.gtm"), "run-%s.gtm" % tag)
    # a checkpoint: the run state's sections (RESUME, and LAST under
    # --no-restore-best) that model.gtm does not have
    ck = os.path.join(run, "checkpoint.gtm")
    if os.path.exists(ck):
        copy("model", ck, "checkpoint-%s.gtm" % tag)
    copy("config", os.path.join(run, "config.txt"), "run-%s.cfg" % tag)
    ev = sorted(glob.glob(os.path.join(run, "events.out.tfevents.*")))[0]
    copy("tfevents", ev, "run-%s.tfevents" % tag)
    with open(ev, "rb") as f:
        data = f.read()
    if i == 0:
        write("tfevents", "truncated.tfevents", data[: len(data) // 2])
        bad = bytearray(data)
        bad[30] ^= 0x10
        write("tfevents", "bad_data_crc.tfevents", bytes(bad))
        bad = bytearray(data)
        bad[3] ^= 0x01
        write("tfevents", "bad_length.tfevents", bytes(bad))
write("tfevents", "empty.tfevents", b"")

# ---- run directories as `gradtop view` reads them ---------------------------
# fuzz_runset's input: a byte giving the share of each file written before
# the first read (255: nearly all), then metrics.csv, journal.txt,
# config.txt and an event file, separated by SEP (empty: no such file).

SEP = b"\n~~~\n"


def run_input(share, metrics=b"", journal=b"", config=b"", events=b""):
    return bytes([share]) + SEP.join([metrics, journal, config, events])


def run_files(run):
    got = []
    for name in ("metrics.csv", "journal.txt", "config.txt"):
        with open(os.path.join(run, name), "rb") as f:
            got.append(f.read())
    ev = sorted(glob.glob(os.path.join(run, "events.out.tfevents.*")))[0]
    with open(ev, "rb") as f:
        got.append(f.read())
    return got


for run in sys.argv[1:]:
    tag = os.path.basename(run.rstrip("/")).split("-", 2)[-1]
    m, j, c, e = run_files(run)
    write("runset", "run-%s" % tag, run_input(255, m, j, c, e))
    write("runset", "growing-%s" % tag, run_input(128, m, j, c, e))
    write("runset", "events-only-%s" % tag, run_input(200, b"", j, c, e))
    write("runset", "journal-cut-%s" % tag, run_input(255, m, j[: len(j) // 2], c, e))
M_HEAD = b"epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
HOSTILE_RUNS = {
    "metrics_odd_numbers": run_input(255, M_HEAD + b"1,4,1e308,nan,inf,-inf,0x1p3,-0\n"
                                     b"2147483648,99999999999999999999,-1,1,1,1,1,1\n"
                                     b"-5,-5,,,,,,\n" + b"3" + b",9" * 40 + b"\n"),
    "metrics_no_header": run_input(255, b"1,2,3\n4,5,6\n"),
    "metrics_long_line": run_input(255, M_HEAD + b"1," + b"7" * 9000 + b"\n"),
    "metrics_nul_crlf": run_input(255, M_HEAD.replace(b"\n", b"\r\n") + b"1,4\x00,1,1\r\n"),
    "journal_odd_lines": run_input(255, b"", b"2026-12-08T01:27:01.833+00:00 step=99999999999999999999 "
                                   b"epoch=-2147483649 change lr 0.001 -> 0.01\n"
                                   b"x step=1 epoch=1 result status=" + b"s" * 100 +
                                   b" best_epoch=99999999999999999999\n"
                                   b"2026-13-45T99:99:99+99:99 step=0 epoch=0 run gradtop: x (\n"
                                   b"\n\n step= epoch= \n"),
    "config_only": run_input(255, b"", b"", b"dataset = iris\nlayers = 64,32\nlr = 0.1\n"),
    "nothing": run_input(255),
}
for name, data in HOSTILE_RUNS.items():
    write("runset", name, data)
