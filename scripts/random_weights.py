#!/usr/bin/env python3
"""Random .weights for a Darknet cfg whose values stay finite through the
whole network, for measuring what quantizing costs on a network nobody
trained here (yolov3-tiny at 416x416, darknet.cfg).

    random_weights.py <cfg> <out.weights> [seed]

`darknet partial <cfg> "" out 100000` writes Darknet's own initialisation,
but its batch-norm rolling variances are 0: every such layer multiplies by
1/sqrt(0.000001) = 1000 and a deep network overflows to Inf/NaN, which the
statistics refuse. Here every [convolutional] gets Darknet's scale of
initial weights (uniform in +-sqrt(2 / (size*size*c))), biases 0, and
batch norm as the identity (scales 1, mean 0, variance 1); [connected]
likewise with +-sqrt(2 / inputs). Other layer types carry no weights.
Supported: [convolutional] (groups=1), [connected], [maxpool], [avgpool],
[route], [shortcut], [upsample], [yolo], [region], [softmax], [dropout].
"""
import random
import struct
import sys


def sections(path):
    secs = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('['):
                secs.append((line, {}))
            elif '=' in line and secs:
                k, v = line.split('=', 1)
                secs[-1][1][k.strip()] = v.strip()
    return secs


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split('\n\n')[1])
    cfg, out = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    secs = sections(cfg)
    if not secs or secs[0][0] not in ('[net]', '[network]'):
        sys.exit('random_weights: %s: no [net] section first' % cfg)
    net = secs[0][1]
    h, w, c = int(net.get('height', 0)), int(net.get('width', 0)), int(net.get('channels', 0))
    shapes = []  # (h, w, c) of every layer's output
    blob = []
    for i, (kind, o) in enumerate(secs[1:]):
        where = '%s: layer %d %s' % (cfg, i, kind)
        if kind in ('[convolutional]', '[conv]'):
            if int(o.get('groups', 1)) != 1:
                sys.exit(where + ': groups are not supported')
            n, k, s = int(o['filters']), int(o.get('size', 1)), int(o.get('stride', 1))
            pad = k // 2 if int(o.get('pad', 0)) else int(o.get('padding', 0))
            scale = (2.0 / (k * k * c)) ** 0.5
            blob += [0.0] * n  # biases
            if int(o.get('batch_normalize', 0)):
                blob += [1.0] * n + [0.0] * n + [1.0] * n  # scales, rolling mean, rolling variance
            blob += [rng.uniform(-scale, scale) for _ in range(n * c * k * k)]
            h, w, c = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1, n
        elif kind == '[connected]':
            n, inputs = int(o['output']), h * w * c
            scale = (2.0 / inputs) ** 0.5
            blob += [0.0] * n
            blob += [rng.uniform(-scale, scale) for _ in range(n * inputs)]
            if int(o.get('batch_normalize', 0)):
                blob += [1.0] * n + [0.0] * n + [1.0] * n
            h, w, c = 1, 1, n
        elif kind in ('[maxpool]', '[max]'):
            s, k = int(o.get('stride', 1)), int(o.get('size', o.get('stride', 1)))
            pad = int(o.get('padding', k - 1))
            h, w = (h + pad - k) // s + 1, (w + pad - k) // s + 1
        elif kind in ('[avgpool]', '[avg]'):
            h, w = 1, 1
        elif kind == '[route]':
            idx = [int(x) for x in o['layers'].split(',')]
            idx = [j if j >= 0 else i + j for j in idx]
            h, w = shapes[idx[0]][0], shapes[idx[0]][1]
            c = sum(shapes[j][2] for j in idx)
        elif kind == '[upsample]':
            s = int(o.get('stride', 2))
            h, w = h * s, w * s
        elif kind in ('[shortcut]', '[yolo]', '[region]', '[softmax]', '[dropout]'):
            pass
        else:
            sys.exit(where + ': not supported')
        shapes.append((h, w, c))
    tmp = out + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<iiiQ', 0, 2, 0, 0))  # major, minor, revision, images seen
        f.write(struct.pack('<%df' % len(blob), *blob))
    import os
    os.replace(tmp, out)


if __name__ == '__main__':
    main()
