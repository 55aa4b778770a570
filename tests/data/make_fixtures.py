#!/usr/bin/env python3
"""Writes the dataset loader's test corpus into tests/data/.

The files are committed; this script documents exactly what is in each one
(BOMs, CRLFs, NUL bytes and IDX headers are hard to read in a diff) and
rebuilds them:  python3 tests/data/make_fixtures.py
"""
import gzip
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    path = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    # mtime=0 keeps the bytes reproducible.
    return gzip.compress(data, mtime=0)


# ---- CSV ------------------------------------------------------------------

CSV = {
    "simple.csv": "a,b,c,label\n1,2,3,cat\n4,5,6,dog\n7,8,9,cat\n",
    "noheader.csv": "1.5,2,yes\n3,4.25,no\n5,6,yes\n",
    "bad_number.csv": "a,b,c,label\n1,2,3,cat\n4,abc,6,dog\n",
    "bad_overflow.csv": "a,b,label\n1,2,x\n1e99,3,y\n",
    "bad_nan.csv": "a,b,c,label\n1,2,nan,x\n4,5,6,y\n",
    "bad_inf.csv": "a,b,label\n1,inf,x\n2,3,y\n",
    "bad_double_dot.csv": "a,b,label\n1,2,x\n3,4,y\n1.2.3,5,x\n",
    "bad_trailing.csv": "a,b,label\n1,2.5kg,x\n3,4,y\n",
    "missing.csv": "a,b,label\n1,10,x\n,20,y\n3,NA,x\n4,?,y\n5,NaN,x\n6,60,y\n",
    "missing_label.csv": "a,b,label\n1,2,x\n3,4,\n5,6,y\n",
    "all_missing_column.csv": "a,b,label\n1,,x\n2,,y\n3,NA,x\n",
    "ragged.csv": "s1,s2,s3,s4,species\n5.1,3.5,1.4,0.2,setosa\n4.9,3,1.4,0.2,setosa\n"
    "5.1,3.5,1.4,setosa\n",
    "ragged_long.csv": "s1,s2,s3,s4,species\n5.1,3.5,1.4,0.2,setosa\n4.9,3,1.4,0.2,0.1,setosa\n",
    "ragged_second.csv": "a,b,label\n1,x\n",
    "unterminated_quote.csv": 'a,b,label\n1,2,"cat\n3,4,dog\n',
    "stray_quote.csv": 'a,b,label\n1,2"3,cat\n',
    "empty.csv": "",
    "blank_only.csv": "\n\n  \n\r\n",
    "header_only.csv": "a,b,label\n",
    "binary.csv": b"a,b,label\n1,2,x\n\x00\x01\x02\xff\xfe,3,y\n",
    "bom_crlf.csv": b"\xef\xbb\xbfa,b,label\r\n1,2,x\r\n3,4,y\r\n",
    "bom_crlf_bad.csv": b"\xef\xbb\xbfa,b,label\r\n1,2,x\r\n3,4,y\r\n5,6x,y\r\n",
    "quoted.csv": '"name, with comma",b,"label"\n"1.5",2,"a ""quoted"" class"\n'
    '3,"4","multi\nline"\n5,6,"a ""quoted"" class"\n7,8,plain\n',
    "quoted_then_bad.csv": 'a,b,label\n1,2,"x\ny"\n3,4,z\nbad,6,z\n',
    "blank_lines.csv": "a,b,label\n\n1,2,x\n\n   \n3,4,y\n\n",
    "blank_lines_bad.csv": "a,b,label\n\n1,2,x\n\n   \n3,4,y\n5,oops,x\n",
    "semicolon.csv": "a;b;label\n1.5;2;x\n3;4;y\n",
    "tab.tsv": "a\tb\tlabel\n1.5\t2\tx\n3\t4\ty\n",
    "int_labels.csv": "a,label\n1,10\n2,2\n3,1\n4,2\n5,10\n6,1\n",
    "int_labels_many.csv": "a,label\n" + "".join("%d,%d\n" % (i, i * 7) for i in range(25)),
    "float_labels.csv": "a,b,target\n1,2,0.5\n3,4,1.5\n5,6,-2.25\n",
    "label_first.csv": "species,x,y\nA,1,2\nB,3,4\nA,5,6\n",
    "dup_header.csv": "a,a,y\n1,2,0\n3,4,1\n5,6,0\n",
    "spaces.csv": 'a,b,label\n 1.5 , 2 ,x\n" 3 ",4, y \n',
    "single_column.csv": "1\n2\n3\n",
    "one_row.csv": "1,2,3\n",
    "mixed_labels.csv": "a,label\n1,2\n2,cat\n3,1\n4,cat\n",
    "no_trailing_newline.csv": 'a,b,label\n-1.5e-3,+2E2,x\n3,4,"y"',
    "noheader_bad.csv": "1,2,x\n3,zz,y\n",
    "numbers.csv": "a,b,label\n.5,5.,x\n-0,1e-3,y\n0.1,3.4028234e38,x\n",
}

for name, text in CSV.items():
    write(name, text)
write("gzipped.csv.gz", gz(b"a,b,label\n1,2,x\n"))

# Ten classes named as Fashion-MNIST's, each a small ring of points around
# its own centre on a circle: a two-feature set whose legend must show ten
# long names (the palette's end-to-end check, tests/e2e_palette.sh).
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
rows = ["x,y,label"]
for k, name in enumerate(FASHION):
    cx, cy = 4 * math.cos(2 * math.pi * k / 10), 4 * math.sin(2 * math.pi * k / 10)
    for i in range(12):
        a = 2 * math.pi * i / 12
        rows.append("%.4f,%.4f,%s" % (cx + 0.6 * math.cos(a), cy + 0.6 * math.sin(a), name))
write("fashion_names.csv", "\n".join(rows) + "\n")

# ---- IDX ------------------------------------------------------------------

IMG_MAGIC = 0x00000803
LAB_MAGIC = 0x00000801


def images(n, rows, cols, count=None, magic=IMG_MAGIC, extra=b""):
    """n images announced; `count` images of data actually written."""
    count = n if count is None else count
    head = struct.pack(">IIII", magic, n, rows, cols)
    data = bytes((i * 7 + 3) % 256 for i in range(count * rows * cols))
    return head + data + extra


def labels(values, announced=None, magic=LAB_MAGIC):
    announced = len(values) if announced is None else announced
    return struct.pack(">II", magic, announced) + bytes(values)


TINY = [0, 1, 2, 0, 1, 4]  # label 3 absent: n_classes is still max + 1 = 5
IDX = "idx/"
write(IDX + "tiny-images-idx3-ubyte", images(6, 2, 3))
write(IDX + "tiny-labels-idx1-ubyte", labels(TINY))
write(IDX + "tinygz-images-idx3-ubyte.gz", gz(images(6, 2, 3)))
write(IDX + "tinygz-labels-idx1-ubyte.gz", gz(labels(TINY)))
# gzip images beside plain labels: found by dropping the .gz.
write(IDX + "mixed-images-idx3-ubyte.gz", gz(images(6, 2, 3)))
write(IDX + "mixed-labels-idx1-ubyte", labels(TINY))
# The header announces 6 images, 5 and a half follow.
write(IDX + "short-images-idx3-ubyte", images(6, 2, 3)[: 16 + 33])
write(IDX + "short-labels-idx1-ubyte", labels(TINY))
# A well-formed gzip stream whose content stops after 5 images.
write(IDX + "shortgz-images-idx3-ubyte.gz", gz(images(6, 2, 3, count=5)))
write(IDX + "shortgz-labels-idx1-ubyte.gz", gz(labels(TINY)))
# A gzip file cut off in the middle of its deflate stream.
big = images(200, 10, 10)
full = gz(big)
write(IDX + "cutgz-images-idx3-ubyte.gz", full[: len(full) // 2])
write(IDX + "cutgz-labels-idx1-ubyte.gz", gz(labels([1] * 200)))
# A gzip file whose stored CRC is wrong.
bad = bytearray(full)
bad[-8] ^= 0xFF
write(IDX + "crcgz-images-idx3-ubyte.gz", bytes(bad))
write(IDX + "crcgz-labels-idx1-ubyte.gz", gz(labels([1] * 200)))
# Headers that lie about the size: 1e6 images of 28x28 in a 100-byte file.
write(IDX + "liar-images-idx3-ubyte", images(1000000, 28, 28, count=0) + bytes(84))
write(IDX + "liar-labels-idx1-ubyte", labels([0] * 3, announced=1000000))
write(IDX + "liargz-images-idx3-ubyte.gz", gz(images(2000000000, 28, 28, count=1)))
write(IDX + "liargz-labels-idx1-ubyte.gz", gz(labels([0])))
write(IDX + "huge-images-idx3-ubyte", images(1, 1000, 1000, count=0))
write(IDX + "huge-labels-idx1-ubyte", labels([0]))
write(IDX + "zero-images-idx3-ubyte", images(0, 2, 3))
write(IDX + "zero-labels-idx1-ubyte", labels([]))
write(IDX + "count-images-idx3-ubyte", images(6, 2, 3))
write(IDX + "count-labels-idx1-ubyte", labels(TINY[:5]))
write(IDX + "badmagic-images-idx3-ubyte", b"GIF89a" + bytes(40))
write(IDX + "badmagic-labels-idx1-ubyte", labels(TINY))
write(IDX + "type-images-idx3-ubyte", images(6, 2, 3, magic=0x00000D03))
write(IDX + "type-labels-idx1-ubyte", labels(TINY))
write(IDX + "dims-images-idx3-ubyte", struct.pack(">III", 0x00000802, 6, 6) + bytes(36))
write(IDX + "dims-labels-idx1-ubyte", labels(TINY))
write(IDX + "trailing-images-idx3-ubyte", images(6, 2, 3, extra=b"xyz"))
write(IDX + "trailing-labels-idx1-ubyte", labels(TINY))
write(IDX + "nolabels-images-idx3-ubyte", images(6, 2, 3))
write(IDX + "oddname.idx", images(6, 2, 3))
write(IDX + "badlabels-images-idx3-ubyte", images(6, 2, 3))
write(IDX + "badlabels-labels-idx1-ubyte", images(6, 2, 3))
write(IDX + "shortlabels-images-idx3-ubyte", images(6, 2, 3))
write(IDX + "shortlabels-labels-idx1-ubyte", labels(TINY)[:11])
write(IDX + "headeronly-images-idx3-ubyte", struct.pack(">II", IMG_MAGIC, 6))
write(IDX + "headeronly-labels-idx1-ubyte", labels(TINY))
