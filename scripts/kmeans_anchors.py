#!/usr/bin/env python3
"""Anchors for a YOLO cfg by k-means on a training list's boxes.

    kmeans_anchors.py <train.list> <net_w> <net_h> [k] [seed]

Reads every label file (Darknet's images->labels rule, `class cx cy w h`
normalized), takes each box's width and height in network pixels and runs
k-means with the distance 1 - IoU of boxes sharing one centre (YOLOv2's
choice: a plain Euclidean distance would let large boxes dominate), from a
k-means++ start drawn with a fixed seed, until no box changes cluster.
Prints the anchors sorted by area as the `anchors =` value and the mean IoU
of each box with its best anchor.
"""
import random
import sys


def label_path(img):
    p = img.replace("images", "labels", 1)
    for ext in (".jpg", ".png", ".JPG", ".JPEG"):
        p = p.replace(ext, ".txt")
    return p


def iou_wh(a, b):
    inter = min(a[0], b[0]) * min(a[1], b[1])
    return inter / (a[0] * a[1] + b[0] * b[1] - inter)


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: kmeans_anchors.py <train.list> <net_w> <net_h> [k] [seed]")
    lst, nw, nh = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    k = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    boxes = []
    with open(lst) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            with open(label_path(line)) as lf:
                for row in lf:
                    v = row.split()
                    if len(v) == 5:
                        boxes.append((float(v[3]) * nw, float(v[4]) * nh))
    if len(boxes) < k:
        sys.exit("kmeans_anchors: %s: only %d boxes for %d anchors" % (lst, len(boxes), k))
    cent = [boxes[rng.randrange(len(boxes))]]
    while len(cent) < k:
        d = [min(1 - iou_wh(b, c) for c in cent) ** 2 for b in boxes]
        cent.append(boxes[rng.choices(range(len(boxes)), weights=d)[0]])
    assign = None
    for _ in range(1000):
        new = [max(range(k), key=lambda j: iou_wh(b, cent[j])) for b in boxes]
        if new == assign:
            break
        assign = new
        for j in range(k):
            mem = [b for b, a in zip(boxes, assign) if a == j]
            if mem:
                cent[j] = (sum(b[0] for b in mem) / len(mem), sum(b[1] for b in mem) / len(mem))
    cent.sort(key=lambda c: c[0] * c[1])
    miou = sum(max(iou_wh(b, c) for c in cent) for b in boxes) / len(boxes)
    print("anchors = " + ",  ".join("%d,%d" % (round(c[0]), round(c[1])) for c in cent))
    sys.stdout.flush()  # the anchors line first, then this one, in a terminal too
    print("boxes %d, mean best IoU %.4f" % (len(boxes), miou), file=sys.stderr)


if __name__ == "__main__":
    main()
