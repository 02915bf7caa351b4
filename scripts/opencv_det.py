#!/usr/bin/python3
"""OpenCV DNN float and int8 on a Darknet YOLO detector, as `detector valid` runs it.

    opencv_det.py CFG WEIGHTS LIST NAMES CALIB_LIST OUTDIR [N_CALIB]

Writes `detector valid`'s VOC result files for both nets,
OUTDIR/opencv-float/comp4_det_test_NAME.txt and OUTDIR/opencv-int8/..., so
that one scorer (scripts/det_ap.py) scores them beside Darknet's and
darknet-fxq's. Same pipeline as validate_detector: the image as RGB / 255,
letterboxed into the network's size with Darknet's own bilinear resize and
0.5 grey borders; boxes with objectness > 0.005, class score objectness x
class probability kept where > 0.005; the letterbox undone; Darknet's
do_nms_sort at IoU 0.45 per class; corners written 1-based and clipped
to [1, w] x [1, h] like print_detector_detections. OpenCV's importer zeroes
class scores below the [yolo] section's `thresh` key (default 0.2), so the
net is read from a copy of CFG with thresh=0.005 in every [yolo] section
(Darknet ignores the key). The int8 net is net.quantize() (OpenCV 4.6:
calibData, float in, float out) calibrated on the first N_CALIB (default
1000) images of CALIB_LIST, letterboxed the same way; the layers it left in
float are listed on stdout. Prints one line per net:
    opencv-float|opencv-int8 <images> images <seconds> s
or `opencv-int8 failed: <reason>` (exit status 0: the comparison goes on).
Only Debian packages: python3-opencv, python3-numpy.
"""
import os
import sys
import time

from fxq_cfg_net import net_input

try:
    import cv2
    import numpy as np
except ImportError as e:  # one line naming what is missing, not a traceback
    sys.exit("opencv_det: %s (make compare-deps installs python3-opencv and python3-numpy)" % e)

THRESH, NMS = 0.005, 0.45


def die(msg):
    sys.exit("opencv_det: " + msg)


def net_size(cfg):
    _, h, w = net_input(cfg)
    if not w or not h:
        die("%s: no width/height in [net]" % cfg)
    return w, h


def cfg_with_thresh(cfg, out):
    lines = []
    with open(cfg) as f:
        for line in f:
            if line.split("=")[0].strip() == "thresh":
                continue
            lines.append(line)
            if line.strip() == "[yolo]":
                lines.append("thresh=%g\n" % THRESH)
    with open(out, "w") as f:
        f.writelines(lines)


def darknet_resize(im, w, h):
    """resize_image(): bilinear on corner-aligned grids, columns then rows (im: h x w x c)."""
    ih, iw = im.shape[:2]
    if (iw, ih) == (w, h):
        return im.copy()
    ws = (iw - 1) / (w - 1) if w > 1 else 0
    hs = (ih - 1) / (h - 1) if h > 1 else 0
    sx = np.arange(w) * ws
    ix = np.minimum(sx.astype(int), iw - 1)
    dx = (sx - ix).astype(np.float32)
    ix1 = np.minimum(ix + 1, iw - 1)
    part = im[:, ix] * (1 - dx)[None, :, None] + im[:, ix1] * dx[None, :, None]
    if iw == 1:
        part = np.repeat(im[:, -1:], w, axis=1)
    else:
        part[:, w - 1] = im[:, iw - 1]
    sy = np.arange(h) * hs
    iy = np.minimum(sy.astype(int), ih - 1)
    dy = (sy - iy).astype(np.float32)
    out = part[iy] * (1 - dy)[:, None, None]
    last = (np.arange(h) == h - 1) | (ih == 1)
    iy1 = np.minimum(iy + 1, ih - 1)
    out += np.where(last[:, None, None], 0, part[iy1] * dy[:, None, None])
    return out.astype(np.float32)


def letterbox(path, w, h):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        die("%s: cannot decode" % path)
    im = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    ih, iw = im.shape[:2]
    if w / iw < h / ih:
        nw, nh = w, (ih * w) // iw
    else:
        nw, nh = (iw * h) // ih, h
    boxed = np.full((h, w, 3), 0.5, np.float32)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    boxed[y0:y0 + nh, x0:x0 + nw] = darknet_resize(im, nw, nh)
    return boxed.transpose(2, 0, 1), iw, ih


def iou_matrix(b):
    """box_iou() of every pair of centre-size boxes (n x 4)."""
    x0, x1 = b[:, 0] - b[:, 2] / 2, b[:, 0] + b[:, 2] / 2
    y0, y1 = b[:, 1] - b[:, 3] / 2, b[:, 1] + b[:, 3] / 2
    iw = np.minimum(x1[:, None], x1[None]) - np.maximum(x0[:, None], x0[None])
    ih = np.minimum(y1[:, None], y1[None]) - np.maximum(y0[:, None], y0[None])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0)
    area = b[:, 2] * b[:, 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inter > 0, inter / (area[:, None] + area[None] - inter), 0)


def detections(outs, k, iw, ih, w, h):
    """Image k's boxes as get_network_boxes(relative=0) + do_nms_sort give them: (boxes, probs)."""
    nw, nh = (w, (ih * w) // iw) if w / iw < h / ih else ((iw * h) // ih, h)
    rows = np.concatenate([o[k][o[k][:, 4] > THRESH] for o in outs]).astype(np.float64)
    boxes = np.stack([(rows[:, 0] - (w - nw) / 2.0 / w) / (nw / w) * iw,
                      (rows[:, 1] - (h - nh) / 2.0 / h) / (nh / h) * ih,
                      rows[:, 2] * w / nw * iw, rows[:, 3] * h / nh * ih], axis=1)
    probs = np.where(rows[:, 5:] > THRESH, rows[:, 5:], 0)
    over = iou_matrix(boxes) > NMS
    for c in range(probs.shape[1]):
        order = np.argsort(-probs[:, c], kind="stable")
        alive = probs[order, c] > 0
        for i in range(len(order)):
            if alive[i]:
                later = over[order[i], order[i + 1:]]
                alive[i + 1:] &= ~later
        probs[order[~alive], c] = 0
    return boxes, probs


def run(net, paths, w, h, fps, batch=50):
    names = net.getUnconnectedOutLayersNames()
    t0 = time.perf_counter()
    for s in range(0, len(paths), batch):
        ims = [letterbox(p, w, h) for p in paths[s:s + batch]]
        net.setInput(np.stack([i[0] for i in ims]))
        outs = [np.asarray(o) for o in net.forward(names)]
        n = len(ims)
        outs = [o.reshape(n, -1, o.shape[-1]) for o in outs]
        for k, (p, (_, iw, ih)) in enumerate(zip(paths[s:s + batch], ims)):
            ident = os.path.basename(p).split(".")[0]
            boxes, probs = detections(outs, k, iw, ih, w, h)
            for box, pr_row in zip(boxes, probs):
                x0, x1 = box[0] - box[2] / 2 + 1, box[0] + box[2] / 2 + 1
                y0, y1 = box[1] - box[3] / 2 + 1, box[1] + box[3] / 2 + 1
                x0, y0, x1, y1 = max(x0, 1), max(y0, 1), min(x1, iw), min(y1, ih)
                for c in np.flatnonzero(pr_row):
                    fps[c].write("%s %f %f %f %f %f\n" % (ident, pr_row[c], x0, y0, x1, y1))
    return time.perf_counter() - t0


def write_all(net, tag, paths, names, w, h, outdir):
    d = os.path.join(outdir, tag)
    os.makedirs(d, exist_ok=True)
    fps = [open(os.path.join(d, "comp4_det_test_%s.txt" % n), "w") for n in names]
    try:
        secs = run(net, paths, w, h, fps)
    finally:
        for f in fps:
            f.close()
    print("%s %d images %.1f s" % (tag, len(paths), secs))


def main(argv):
    if len(argv) not in (7, 8):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    cfg, weights, lst, names_f, calib_f, outdir = argv[1:7]
    ncal = int(argv[7]) if len(argv) == 8 else 1000
    with open(names_f) as f:
        names = [l.strip() for l in f if l.strip()]
    with open(lst) as f:
        paths = [l.strip() for l in f if l.strip()]
    with open(calib_f) as f:
        calib = [l.strip() for l in f if l.strip()][:ncal]
    os.makedirs(outdir, exist_ok=True)
    tcfg = os.path.join(outdir, "opencv-thresh.cfg")
    cfg_with_thresh(cfg, tcfg)
    w, h = net_size(cfg)
    net = cv2.dnn.readNetFromDarknet(tcfg, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    write_all(net, "opencv-float", paths, names, w, h, outdir)
    try:
        blob = np.stack([letterbox(p, w, h)[0] for p in calib])
        qnet = net.quantize([blob], cv2.CV_32F, cv2.CV_32F)
        qnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    except (cv2.error, AttributeError) as e:
        print("opencv-int8 failed: quantize: %s" % str(e).strip().splitlines()[-1])
        return
    kinds = {}
    for ln in qnet.getLayerNames():
        t = qnet.getLayer(qnet.getLayerId(ln)).type
        kinds.setdefault(t, []).append(ln)
    print("opencv-int8 layers: " + ", ".join("%s %d" % (t, len(v)) for t, v in sorted(kinds.items())))
    write_all(qnet, "opencv-int8", paths, names, w, h, outdir)


if __name__ == "__main__":
    main(sys.argv)
