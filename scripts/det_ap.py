#!/usr/bin/env python3
"""Average precision from `darknet detector valid`'s result files, written
independently of `darknet fxq map` (plain Python, no numpy) so the two can be
checked against each other.

    scripts/det_ap.py <image.list> <names> <results_dir> [--prefix comp4_det_test_] [-n N] [--per-class]

Reads <results_dir>/<prefix><class name>.txt (VOC format, one line per
detection: `image_id score xmin ymin xmax ymax`, 1-based pixel corners as
detector valid writes them), the ground truth from Darknet's label files
(images -> labels, `class cx cy w h` normalized; image sizes from the PNG or
JPEG header) and prints

    map50 <VOC all-point AP at IoU .5, mean over classes with objects>
    map50_95 <COCO 101-point AP at IoU .50:.05:.95, same mean>
    (with --per-class: ap50 <class> <value> / ap50_95 <class> <value>)

Conventions (docs/detect.md): ground truth corners (cx -+ w/2) * W + 1
clipped to [1, W] like the detections; IoU is the plain area ratio (no +1);
VOC matching (the highest-IoU box of the class in the image; taken -> false
positive) for AP50, COCO matching (the highest-IoU free box) and the first
100 detections per image and class for AP50:95; a match needs IoU >= the
threshold; ties in score keep file order; classes with no object are left
out of the means.
"""
import struct
import sys


def image_size(path):
    with open(path, 'rb') as f:
        head = f.read(26)
        if head[:8] == b'\x89PNG\r\n\x1a\n':
            w, h = struct.unpack('>II', head[16:24])
            return w, h
        if head[:2] == b'\xff\xd8':
            f.seek(2)
            while True:
                marker = f.read(2)
                if len(marker) < 2 or marker[0] != 0xff:
                    break
                seglen = struct.unpack('>H', f.read(2))[0]
                if marker[1] in (0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf):
                    f.read(1)
                    h, w = struct.unpack('>HH', f.read(4))
                    return w, h
                f.seek(seglen - 2, 1)
    sys.exit('%s: cannot read the image size (PNG or JPEG only)' % path)


def label_path(image):
    p = image
    for a, b in (('images', 'labels'), ('JPEGImages', 'labels'), ('.jpg', '.txt'), ('.png', '.txt'),
                 ('.JPG', '.txt'), ('.JPEG', '.txt')):
        p = p.replace(a, b, 1)
    return p


def image_id(path):
    # Darknet's basecfg: the file name up to its first '.'
    return path.rsplit('/', 1)[-1].split('.', 1)[0]


def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def voc_ap(tp, npos):
    """voc_eval.py's all-point interpolation."""
    ctp = cfp = 0
    rec, prec = [], []
    for t in tp:
        ctp += t
        cfp += 1 - t
        rec.append(ctp / npos)
        prec.append(ctp / (ctp + cfp))
    mrec = [0.0] + rec + [1.0]
    mpre = [0.0] + prec + [0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum((mrec[i + 1] - mrec[i]) * mpre[i + 1] for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i])


def coco_ap(tp, npos):
    """pycocotools accumulate: 101 recall thresholds, envelope precision."""
    ctp = 0
    rc, pr = [], []
    for i, t in enumerate(tp):
        ctp += t
        rc.append(ctp / npos)
        pr.append(ctp / (i + 1))
    for i in range(len(pr) - 1, 0, -1):
        if pr[i] > pr[i - 1]:
            pr[i - 1] = pr[i]
    q = []
    for k in range(101):
        thr = k * 0.01
        j = next((j for j, r in enumerate(rc) if r >= thr), None)
        q.append(pr[j] if j is not None else 0.0)
    return sum(q) / 101


def main(argv):
    args, prefix, limit, per_class = [], 'comp4_det_test_', 0, False
    i = 0
    while i < len(argv):
        if argv[i] == '--prefix':
            prefix = argv[i + 1]; i += 2
        elif argv[i] == '-n':
            limit = int(argv[i + 1]); i += 2
        elif argv[i] == '--per-class':
            per_class = True; i += 1
        else:
            args.append(argv[i]); i += 1
    if len(args) != 3:
        sys.exit(__doc__)
    list_path, names_path, results = args
    images = [l.strip() for l in open(list_path) if l.strip()]
    if limit:
        images = images[:limit]
    names = [l.strip() for l in open(names_path) if l.strip()]
    index = {image_id(p): k for k, p in enumerate(images)}
    gt = {}  # (class, image index) -> list of boxes
    npos = [0] * len(names)
    for k, p in enumerate(images):
        w, h = image_size(p)
        for line in open(label_path(p)):
            f = line.split()
            if not f:
                continue
            c, cx, cy, bw, bh = int(f[0]), float(f[1]), float(f[2]), float(f[3]), float(f[4])
            box = [(cx - bw / 2) * w + 1, (cy - bh / 2) * h + 1, (cx + bw / 2) * w + 1, (cy + bh / 2) * h + 1]
            box = [max(box[0], 1), max(box[1], 1), min(box[2], w), min(box[3], h)]
            gt.setdefault((c, k), []).append(box)
            npos[c] += 1
    ap50, ap5095 = {}, {}
    for c, name in enumerate(names):
        dets = []
        for line in open('%s/%s%s.txt' % (results, prefix, name)):
            f = line.split()
            if f and f[0] in index:
                dets.append((index[f[0]], float(f[1]), [float(v) for v in f[2:6]]))
        if not npos[c]:
            continue
        # image order first (the file's order), then a stable sort by score
        dets.sort(key=lambda d: d[0])
        dets.sort(key=lambda d: -d[1])
        # VOC matching at .5
        taken = {key: [False] * len(v) for key, v in gt.items() if key[0] == c}
        tp = []
        for k, _, box in dets:
            boxes = gt.get((c, k), [])
            ious = [iou(box, g) for g in boxes]
            if ious and max(ious) >= 0.5:
                j = ious.index(max(ious))
                if not taken[(c, k)][j]:
                    taken[(c, k)][j] = True
                    tp.append(1)
                    continue
            tp.append(0)
        ap50[name] = voc_ap(tp, npos[c])
        # COCO matching, first 100 per image, ten thresholds
        aps = []
        for t in range(10):
            thr = 0.5 + 0.05 * t
            taken = {key: [False] * len(v) for key, v in gt.items() if key[0] == c}
            seen = {}
            tp = []
            for k, _, box in dets:
                seen[k] = seen.get(k, 0) + 1
                if seen[k] > 100:
                    continue
                best, m = min(thr, 1 - 1e-10), -1
                for j, g in enumerate(gt.get((c, k), [])):
                    if taken[(c, k)][j]:
                        continue
                    o = iou(box, g)
                    if o >= best:
                        best, m = o, j
                if m >= 0:
                    taken[(c, k)][m] = True
                tp.append(1 if m >= 0 else 0)
            aps.append(coco_ap(tp, npos[c]))
        ap5095[name] = sum(aps) / 10
    scored = [n for n in names if n in ap50]
    print('map50 %.6f' % (sum(ap50[n] for n in scored) / len(scored)))
    print('map50_95 %.6f' % (sum(ap5095[n] for n in scored) / len(scored)))
    if per_class:
        for n in scored:
            print('ap50 %s %.6f' % (n, ap50[n]))
            print('ap50_95 %s %.6f' % (n, ap5095[n]))


if __name__ == '__main__':
    main(sys.argv[1:])
