#!/usr/bin/python3
"""mAP of detection result files in `darknet detector valid`'s VOC format.

    det_map.py LIST NAMES PREFIX [--per-class]

LIST is the image list the detections were made on (one path a line); the
ground truth is Darknet's label file of each image (its images -> labels
path rule, `class cx cy w h` normalized; an empty or missing file has no
object). NAMES is the class names file; the detections of class NAME are
read from PREFIX + NAME + ".txt" (`detector valid` writes
results/comp4_det_test_NAME.txt: `image-id score xmin ymin xmax ymax`, the
corners 1-based and clipped to [1, w] x [1, h]; image-id the file name
without directory and extension).

Conventions (those of `darknet fxq map`, darknet_fxq/quant/fxq_ap.h): the
ground truth is put on the same 1-based grid, (cx - w/2) * W + 1, clipped the
same way; IoU is the continuous area ratio (no +1 pixel); detections are
ranked by score, ties in file order. mAP@0.5: VOC matching (a detection takes
the box of its class and image with the highest IoU; taken already: false
positive), all-point interpolation. mAP@[.5:.95]: COCO matching (the
highest-IoU box not yet taken), the first 100 detections per image and class,
101-point interpolation, mean over IoU .50:.05:.95. Classes without a ground
truth box are left out of the means. Prints `map50 MAP50 map50_95 MAP` in
percent (and one line per class with --per-class). Standard library only.
"""
import os
import struct
import sys

IOUS = [0.5 + 0.05 * i for i in range(10)]


def die(msg):
    sys.exit("det_map: " + msg)


def label_path(path):
    # fill_truth_detection's rule: each pattern's first occurrence, in order
    for a, b in (("images", "labels"), ("JPEGImages", "labels"), ("raw", "labels"), (".jpg", ".txt"),
                 (".png", ".txt"), (".JPG", ".txt"), (".JPEG", ".txt")):
        path = path.replace(a, b, 1)
    return path


def image_size(path):
    try:
        with open(path, "rb") as f:
            head = f.read(26)
            if head[:8] == b"\x89PNG\r\n\x1a\n":
                return struct.unpack(">II", head[16:24])
            if head[:2] == b"\xff\xd8":
                f.seek(2)
                while True:
                    m = f.read(4)
                    if len(m) < 4 or m[0] != 0xFF:
                        break
                    n = struct.unpack(">H", m[2:4])[0]
                    if m[1] in (0xC0, 0xC1, 0xC2):
                        h, w = struct.unpack(">HH", f.read(5)[1:5])
                        return w, h
                    f.seek(n - 2, 1)
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    die("%s: not a PNG or JPEG image (size unknown)" % path)


def read_truth(path, w, h, classes):
    lp = label_path(path)
    boxes = []
    if not os.path.exists(lp):
        return boxes
    with open(lp) as f:
        for n, line in enumerate(f, 1):
            v = line.split()
            if not v:
                continue
            try:
                c, cx, cy, bw, bh = int(v[0]), float(v[1]), float(v[2]), float(v[3]), float(v[4])
            except (ValueError, IndexError):
                die("%s:%d: not `class cx cy w h`" % (lp, n))
            if not 0 <= c < classes:
                die("%s:%d: class %d outside 0..%d" % (lp, n, c, classes - 1))
            x0, x1 = max((cx - bw / 2) * w + 1, 1), min((cx + bw / 2) * w + 1, w)
            y0, y1 = max((cy - bh / 2) * h + 1, 1), min((cy + bh / 2) * h + 1, h)
            boxes.append((c, (x0, y0, x1, y1)))
    return boxes


def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def ap_voc(tp, npos):
    rec, prec, c = [], [], 0
    for i, t in enumerate(tp):
        c += t
        rec.append(c / npos)
        prec.append(c / (i + 1))
    mrec, mpre = [0.0] + rec + [1.0], [0.0] + prec + [0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum((mrec[i + 1] - mrec[i]) * mpre[i + 1] for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i])


def ap_coco(tp, npos):
    rec, prec, c = [], [], 0
    for i, t in enumerate(tp):
        c += t
        rec.append(c / npos)
        prec.append(c / (i + 1))
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    s, j = 0.0, 0
    for k in range(101):
        r = k / 100
        while j < len(rec) and rec[j] < r:
            j += 1
        if j < len(rec):
            s += prec[j]
    return s / 101


def score_class(dets, gts):
    """dets: [(score, image, box)] in file order; gts: {image: [box]}."""
    npos = sum(len(b) for b in gts.values())
    if npos == 0:
        return None
    order = sorted(range(len(dets)), key=lambda i: -dets[i][0])  # stable: ties in file order
    ious = [[iou(d[2], gb) for gb in gts.get(d[1], [])] for d in dets]
    taken, tp = set(), []
    for i in order:
        best, bj = 0.0, -1
        for j, o in enumerate(ious[i]):
            if o > best:
                best, bj = o, j
        hit = bj >= 0 and best >= 0.5 and (dets[i][1], bj) not in taken
        if hit:
            taken.add((dets[i][1], bj))
        tp.append(1 if hit else 0)
    ap50 = ap_voc(tp, npos)
    # COCO: the first 100 per image, matched image by image in score order
    per_im = {}
    for i in order:
        per_im.setdefault(dets[i][1], []).append(i)
    kept = set()
    for idx in per_im.values():
        kept.update(idx[:100])
    ranked = [i for i in order if i in kept]
    coco = []
    for t in IOUS:
        hit = set()
        for im, idx in per_im.items():
            used = set()
            for i in idx[:100]:
                best, bj = min(t, 1 - 1e-10), -1
                for j, o in enumerate(ious[i]):
                    if j not in used and o >= best:
                        best, bj = o, j
                if bj >= 0:
                    used.add(bj)
                    hit.add(i)
        coco.append(ap_coco([1 if i in hit else 0 for i in ranked], npos))
    return npos, len(dets), ap50, sum(coco) / len(coco)


def main(argv):
    args = [a for a in argv[1:] if a != "--per-class"]
    if len(args) != 3:
        die("usage: det_map.py LIST NAMES PREFIX [--per-class]")
    lst, names_f, prefix = args
    with open(names_f) as f:
        names = [l.strip() for l in f if l.strip()]
    with open(lst) as f:
        paths = [l.strip() for l in f if l.strip()]
    ids, gts = {}, [dict() for _ in names]
    for k, p in enumerate(paths):
        i = os.path.basename(p).split(".")[0]
        if i in ids:
            die("%s: two images named %s in the list" % (lst, i))
        ids[i] = k
        w, h = image_size(p)
        for c, b in read_truth(p, w, h, len(names)):
            gts[c].setdefault(k, []).append(b)
    rows = []
    for c, nm in enumerate(names):
        dets = []
        fn = prefix + nm + ".txt"
        if not os.path.exists(fn):
            die("%s: no result file for class %s" % (fn, nm))
        with open(fn) as f:
            for n, line in enumerate(f, 1):
                v = line.split()
                if len(v) != 6 or v[0] not in ids:
                    die("%s:%d: not `image-id score xmin ymin xmax ymax` of an image in %s" % (fn, n, lst))
                dets.append((float(v[1]), ids[v[0]], tuple(float(x) for x in v[2:])))
        rows.append((nm, score_class(dets, gts[c])))
    scored = [r for _, r in rows if r]
    if not scored:
        die("%s: no ground-truth box in any label file" % lst)
    if "--per-class" in argv:
        for nm, r in rows:
            if r:
                print("class %s objects %d detections %d ap50 %.2f ap50_95 %.2f" % (nm, r[0], r[1], 100 * r[2],
                                                                                  100 * r[3]))
            else:
                print("class %s objects 0 (left out)" % nm)
    print("map50 %.2f map50_95 %.2f" % (100 * sum(r[2] for r in scored) / len(scored),
                                         100 * sum(r[3] for r in scored) / len(scored)))


if __name__ == "__main__":
    main(sys.argv)
