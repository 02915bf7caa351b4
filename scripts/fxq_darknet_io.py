"""Darknet's files as fxq_qsim.py reads them: classifier cfgs (the layer kinds of cfg/fmnist*.cfg),
.weights records, the PNG images of a list (decoded with zlib, no image library: Debian's python3
with numpy is all the simulator needs) and `fxq valid --pred` CSVs."""
import os
import re
import struct
import sys
import zlib

import numpy as np

BN_EPS = np.float32(1e-6)  # Darknet's normalize_cpu: (x - mean) / (sqrt(var) + .000001f)


# --------------------------------------------------------------------------- cfg and weights

def parse_cfg(path):
    """[section] key=value lists, in order (comments and blank lines dropped)."""
    secs = []
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('['):
                secs.append([line.strip('[]'), {}])
            elif '=' in line and secs:
                k, v = line.split('=', 1)
                secs[-1][1][k.strip()] = v.strip()
            else:
                sys.exit(f"{path}:{ln}: cannot parse '{line}'")
    if not secs or secs[0][0] not in ('net', 'network'):
        sys.exit(f"{path}: first section is not [net]")
    return secs


def build_net(cfg_path):
    """Layers with their shapes, as Darknet's parser sizes them."""
    secs = parse_cfg(cfg_path)
    net = secs[0][1]
    c, h, w = int(net.get('channels', 3)), int(net['height']), int(net['width'])
    layers = []
    for i, (kind, o) in enumerate(secs[1:]):
        L = {'kind': kind, 'opt': o, 'in': (c, h, w), 'idx': i}
        if kind in ('convolutional', 'fxconvolutional'):
            size, stride = int(o.get('size', 1)), int(o.get('stride', 1))
            pad = size // 2 if int(o.get('pad', 0)) else int(o.get('padding', 0))
            n = int(o['filters'])
            L.update(type='conv', n=n, size=size, stride=stride, pad=pad,
                     bn=int(o.get('batch_normalize', 0)), act=o.get('activation', 'logistic'))
            h, w = (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1
            c = n
        elif kind in ('connected', 'fxconnected'):
            n = int(o['output'])
            L.update(type='fc', n=n, bn=int(o.get('batch_normalize', 0)), act=o.get('activation', 'logistic'))
            c, h, w = n, 1, 1
        elif kind == 'maxpool':
            size, stride = int(o.get('size', 2)), int(o.get('stride', 2))
            pad = int(o.get('padding', size - 1))
            L.update(type='maxpool', size=size, stride=stride, pad=pad)
            h, w = (h + pad - size) // stride + 1, (w + pad - size) // stride + 1
        elif kind == 'avgpool':
            L.update(type='avgpool')
            h, w = 1, 1
        elif kind == 'shortcut':
            frm = int(o['from'])
            L.update(type='shortcut', src=[i - 1, frm if frm >= 0 else i + frm], act=o.get('activation', 'linear'))
            if layers[L['src'][1]]['out'] != (c, h, w):
                sys.exit(f"{cfg_path}: layer {i} [shortcut]: shapes differ (not simulated)")
            if float(o.get('alpha', 1)) != 1 or float(o.get('beta', 1)) != 1:
                sys.exit(f"{cfg_path}: layer {i} [shortcut]: alpha/beta not simulated")
        elif kind == 'route':
            src = [int(s) for s in o['layers'].split(',')]
            src = [s if s >= 0 else i + s for s in src]
            L.update(type='route', src=src)
            shapes = [layers[s]['out'] for s in src]
            if any(s[1:] != shapes[0][1:] for s in shapes):
                sys.exit(f"{cfg_path}: layer {i} [route]: spatial sizes differ")
            c, h, w = sum(s[0] for s in shapes), shapes[0][1], shapes[0][2]
        elif kind == 'softmax':
            L.update(type='softmax')
        elif kind == 'dropout':
            L.update(type='dropout')  # identity at inference
        else:
            sys.exit(f"{cfg_path}: layer {i} [{kind}] is not simulated")
        if L['type'] in ('conv', 'fc', 'shortcut') and L['act'] not in ('linear', 'relu', 'leaky'):
            sys.exit(f"{cfg_path}: layer {i}: activation={L['act']} not simulated (linear, relu, leaky)")
        L['out'] = (c, h, w)
        layers.append(L)
    return layers


def load_weights(layers, path):
    """Darknet .weights: header, then per conv/connected layer biases, [bn], weights (fc: bn last)."""
    with open(path, 'rb') as f:
        data = f.read()
    major, minor, _rev = struct.unpack_from('<3i', data, 0)
    off = 12 + (8 if major * 10 + minor >= 2 else 4)  # `seen` is int64 from version 0.2 on
    if major > 1000 or minor > 1000:
        sys.exit(f"{path}: transposed weights not simulated")
    floats = np.frombuffer(data, dtype='<f4', offset=off)
    pos = 0

    def take(n, what, i):
        nonlocal pos
        if pos + n > floats.size:
            sys.exit(f"{path}: too short for layer {i} {what}")
        a = floats[pos:pos + n].copy()
        pos += n
        return a

    for L in layers:
        i = L['idx']
        if L['type'] == 'conv':
            n, k = L['n'], L['in'][0] * L['size'] ** 2
            L['b'] = take(n, 'biases', i)
            if L['bn']:
                L['scales'], L['mean'], L['var'] = take(n, 'scales', i), take(n, 'mean', i), take(n, 'variance', i)
            L['w'] = take(n * k, 'weights', i).reshape(n, k)
        elif L['type'] == 'fc':
            n, k = L['n'], int(np.prod(L['in']))
            L['b'] = take(n, 'biases', i)
            L['w'] = take(n * k, 'weights', i).reshape(n, k)
            if L['bn']:
                L['scales'], L['mean'], L['var'] = take(n, 'scales', i), take(n, 'mean', i), take(n, 'variance', i)
    if pos != floats.size:
        print(f"fxq_qsim: note: {path} has {floats.size - pos} floats beyond the cfg's layers", file=sys.stderr)
    for L in layers:
        if L['type'] in ('conv', 'fc'):
            # batch norm folded in float32 exactly as fxq_fold_bn does, so quantized weights match fxq's
            if L['bn']:
                g = (L['scales'] / (np.sqrt(L['var']) + BN_EPS)).astype(np.float32)
                L['wf'] = (L['w'] * g[:, None]).astype(np.float32)
                L['bf'] = (L['b'] + (-L['mean'] * g)).astype(np.float32)
            else:
                L['wf'], L['bf'] = L['w'], L['b']


# --------------------------------------------------------------------------- images

def png_gray(path):
    """8-bit PNG (stb_image_write's) -> uint8 H x W x C; zlib + the five row filters."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit(f"{path}: not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, typ = struct.unpack_from('>I4s', data, pos)
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b'IHDR':
            w, h, depth, ctype, _c, _f, inter = struct.unpack('>IIBBBBB', body)
            ch = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
            if depth != 8 or ch is None or inter:
                sys.exit(f"{path}: only 8-bit non-interlaced gray/RGB PNGs are read")
        elif typ == b'IDAT':
            idat.append(body)
        elif typ == b'IEND':
            break
    raw = np.frombuffer(zlib.decompress(b''.join(idat)), dtype=np.uint8)
    stride = w * ch
    raw = raw.reshape(h, stride + 1)
    out = np.zeros((h, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(h):
        ft, row = raw[y, 0], raw[y, 1:].astype(np.int32)
        if ft == 0:
            cur = row
        elif ft == 2:
            cur = (row + prev) & 255
        else:  # sub / average / paeth depend on the left neighbour: per byte
            cur = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = cur[x - ch] if x >= ch else 0
                b, c = prev[x], (prev[x - ch] if x >= ch else 0)
                if ft == 1:
                    p = a
                elif ft == 3:
                    p = (a + b) >> 1
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (row[x] + p) & 255
        out[y] = cur
        prev = cur
    return out.reshape(h, w, ch).astype(np.uint8)


def load_list(list_path, n=None, cache_dir='build/qsim-cache'):
    """The list's images as uint8 N x H x W (gray), cached as .npy beside the build."""
    with open(list_path) as f:
        paths = [p.strip() for p in f if p.strip()]
    if n:
        paths = paths[:n]
    st = os.stat(list_path)
    key = re.sub(r'[^A-Za-z0-9]', '_', list_path) + f"-{len(paths)}-{int(st.st_mtime)}-{st.st_size}.npy"
    cpath = os.path.join(cache_dir, key)
    if os.path.exists(cpath):
        return np.load(cpath), paths
    imgs = []
    for p in paths:
        im = png_gray(p)
        if im.shape[2] != 1 and not (im[:, :, :1] == im[:, :, :3]).all():
            sys.exit(f"{p}: colour image: only grey images are simulated")
        imgs.append(im[:, :, 0])
    imgs = np.stack(imgs)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(cpath + '.tmp.npy', imgs)
    os.replace(cpath + '.tmp.npy', cpath)
    return imgs, paths


def to_input(imgs, layers):
    """Darknet's loading: stbi_load with 3 channels repeats the grey value, then /255 in
    double rounded to float; center_crop_image at the network's own size is the identity."""
    c, h, w = layers[0]['in']
    if imgs.shape[1:] != (h, w):
        sys.exit(f"images are {imgs.shape[1]}x{imgs.shape[2]}, the network wants {h}x{w}: resizing not simulated")
    x = (imgs.astype(np.float64) / 255.).astype(np.float32).astype(np.float64)
    return np.repeat(x[:, None], c, axis=1)


def read_darknet_pred(path, n):
    """`fxq valid --pred` CSV: image,label,<cfg>,<fx.cfg>... -> header, label, columns of top-1."""
    with open(path) as f:
        head = f.readline().strip().split(',')
        rows = [ln.strip().split(',') for ln in f if ln.strip()]
    rows = rows[:n]
    return head, np.array([int(r[1]) for r in rows]), np.array([[int(v) for v in r[2:]] for r in rows])
