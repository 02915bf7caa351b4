#!/usr/bin/python3
"""OpenCV DNN float and int8 on a Darknet classifier, next to darknet-fxq.

    opencv_eval.py MODEL CFG WEIGHTS CALIB_LIST PRED_CSV [--cv-pred OUT.csv]

PRED_CSV is written by `darknet fxq valid ... --pred FILE`: image,label,
then the top-1 class of each cfg it ran (the first is Darknet float, the
reference for agreement). The same images go through OpenCV's Darknet
importer in float, and in int8 after net.quantize() calibrated on the images
of CALIB_LIST (one N x 3 x H x W blob, the images fxq calibrates on).
Preprocessing is Darknet's classifier valid: 3 channels (RGB), /255, the
network's size (center crop of an image that already has it). Prints one
markdown table row per system: top-1 and agreement with Darknet float top-1.
Only Debian packages: python3-opencv, python3-numpy.
"""
import csv
import sys

from fxq_cfg_net import net_input

import cv2
import numpy as np


def load(paths, w, h):
    blob = np.empty((len(paths), 3, h, w), np.float32)
    for i, p in enumerate(paths):
        im = cv2.imread(p, cv2.IMREAD_COLOR)
        if im is None:
            sys.exit("opencv_eval: %s: cannot decode" % p)
        if im.shape[0] != h or im.shape[1] != w:
            # Darknet's center_crop_image: crop (or pad with zeros) around the centre
            y0, x0 = (im.shape[0] - h) // 2, (im.shape[1] - w) // 2
            out = np.zeros((h, w, 3), im.dtype)
            for y in range(h):
                for x in range(w):
                    sy, sx = y + y0, x + x0
                    if 0 <= sy < im.shape[0] and 0 <= sx < im.shape[1]:
                        out[y, x] = im[sy, sx]
            im = out
        blob[i] = cv2.cvtColor(im, cv2.COLOR_BGR2RGB).transpose(2, 0, 1) / 255.0
    return blob


def net_size(cfg):
    _, h, w = net_input(cfg)
    if not w or not h:
        sys.exit("opencv_eval: %s: no width/height in [net]" % cfg)
    return w, h


def predict(net, blob, batch=500):
    out = []
    for s in range(0, len(blob), batch):
        net.setInput(blob[s:s + batch])
        out.append(np.asarray(net.forward()).reshape(min(batch, len(blob) - s), -1).argmax(1))
    return np.concatenate(out)


def main(argv):
    if len(argv) not in (6, 8) or (len(argv) == 8 and argv[6] != "--cv-pred"):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    model, cfg, weights, calib_list, pred_csv = argv[1:6]
    with open(pred_csv) as f:
        rows = list(csv.reader(f))
    names, rows = rows[0][2:], rows[1:]
    paths = [r[0] for r in rows]
    labels = np.array([int(r[1]) for r in rows])
    dk = np.array([[int(x) for x in r[2:]] for r in rows])
    w, h = net_size(cfg)
    with open(calib_list) as f:
        calib = [l.strip() for l in f if l.strip()]
    test_blob, calib_blob = load(paths, w, h), load(calib, w, h)

    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    cv_float = predict(net, test_blob)
    # float in/out, int8 inside (OpenCV 4.6: quantize(calibData, inputsDtype, outputsDtype))
    qnet = net.quantize([calib_blob], cv2.CV_32F, cv2.CV_32F)  # one blob per network input
    qnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    cv_int8 = predict(qnet, test_blob)

    ref = dk[:, 0]
    n = len(ref)
    systems = [("Darknet float", ref), ("OpenCV DNN %s float" % cv2.__version__, cv_float),
               ("OpenCV DNN %s int8 (net.quantize, %d calibration images)" % (cv2.__version__, len(calib)), cv_int8)]
    systems += [("darknet-fxq `%s`" % nm, dk[:, k]) for k, nm in enumerate(names) if k > 0]
    for name, p in systems:
        top1 = 100.0 * np.mean(p == labels)
        agree = 100.0 * np.mean(p == ref)
        print("| %s | %s | %.2f %% | %s |" % (model, name, top1, "–" if p is ref else "%.2f %%" % agree))
    if len(argv) == 8:
        with open(argv[7], "w") as f:
            f.write("image,label,opencv_float,opencv_int8\n")
            for i in range(n):
                f.write("%s,%d,%d,%d\n" % (paths[i], labels[i], cv_float[i], cv_int8[i]))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
