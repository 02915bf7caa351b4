"""OpenCV DNN columns of `make bench` (scripts/bench.sh).

usage: fxq_opencv_bench.py MODEL CFG WEIGHTS RUNS THREADS [WARM_MS]

Loads the Darknet cfg/weights with cv2.dnn.readNetFromDarknet, makes an
int8 copy with Net.quantize (calibrated on a few random inputs of the
network's size, float in / float out, so both nets take the same float blob
as fxq does), and times batch-1 forward passes of the two nets interleaved
(so drift in machine load hits both alike) on cv2.setNumThreads(THREADS),
each timed forward right after WARM_MS (default 10) milliseconds of untimed
forwards of the same net (at least one) -- the steady state `fxq bench
--warm-ms` gives every cfg.
Prints, per net that works:
    opencv <model> float|int8 <mean ms> <min ms>
or one line `opencv <model> skipped: <reason>` (and exit status 0: the bench
goes on without these columns).
"""
import sys
import time

from fxq_cfg_net import net_input


def main():
    if len(sys.argv) not in (6, 7):
        sys.stderr.write(__doc__)
        return 2
    model, cfg, weights, runs, threads = sys.argv[1:6]
    runs, threads = int(runs), int(threads)
    warm_s = (float(sys.argv[6]) if len(sys.argv) == 7 else 10.0) / 1e3
    try:
        import cv2
        import numpy as np
    except ImportError as e:
        print("opencv %s skipped: %s" % (model, e))
        return 0
    cv2.setNumThreads(threads)
    c, h, w = net_input(cfg)
    rng = np.random.default_rng(1)
    blob = rng.random((1, c, h, w), dtype=np.float32)
    nets = {}
    try:
        fnet = cv2.dnn.readNetFromDarknet(cfg, weights)
        fnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        fnet.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        nets["float"] = fnet
    except cv2.error as e:
        print("opencv %s skipped: readNetFromDarknet: %s" % (model, str(e).strip().splitlines()[-1]))
        return 0
    try:
        # one calibration blob per network input (4.6 asserts the count)
        calib = [rng.random((4, c, h, w), dtype=np.float32)]
        qnet = fnet.quantize(calib, cv2.CV_32F, cv2.CV_32F)
        qnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        qnet.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        nets["int8"] = qnet
    except (cv2.error, AttributeError) as e:
        print("opencv %s int8 skipped: quantize: %s" % (model, str(e).strip().splitlines()[-1]))
    outs = {k: n.getUnconnectedOutLayersNames() for k, n in nets.items()}
    times = {k: [] for k in nets}
    for k, n in nets.items():  # warm-up: allocation, int8 weight packing
        for _ in range(2):
            n.setInput(blob)
            n.forward(outs[k])
    for _ in range(runs):
        for k, n in nets.items():
            w0 = time.perf_counter()
            while warm_s > 0 and time.perf_counter() - w0 < warm_s:
                n.setInput(blob)
                n.forward(outs[k])
            n.setInput(blob)
            t0 = time.perf_counter()
            n.forward(outs[k])
            times[k].append(time.perf_counter() - t0)
    for k, t in times.items():
        print("opencv %s %s %.3f %.3f" % (model, k, 1e3 * sum(t) / len(t), 1e3 * min(t)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
