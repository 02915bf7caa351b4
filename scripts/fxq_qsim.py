#!/usr/bin/python3
"""fxq_qsim: a numpy simulator of number systems for 8-bit Darknet classifiers.

Runs a Darknet classifier cfg + .weights (the layer kinds of cfg/fmnist*.cfg) in float64, then
with fake quantization under several number systems, and reports for each: top-1, agreement with
the float network's top-1 and mean |logit - float logit| (logits = input of the final softmax).
Implementing a number system in the C kernels is expensive; this tells which one is worth it.

Two pipelines:
  fxq   what the fixed-point layers compute today, read from a cfg written by `fxq quantize`
        (scheme `fxcfg`, `--fxcfg X.cfg`): input codes at in_frac, weights with batch norm folded
        at w_frac (per row when a list), bias at b_frac, exact accumulator, one rounding to the
        pre-activation `out` format, activation on the codes, shortcut in the common format with a
        carry bit, avgpool rounded to its input's format. Rounding half away from zero everywhere.
  post  an int8 runtime's order (gemmlowp/TFLite): the activation acts on the accumulator and
        the tensor handed to the next layer is quantized once, after it, with its own step and
        code window. Every tensor that crosses a layer boundary (the image, each layer's output,
        each shortcut sum) is quantized; bias and accumulator are exact (int32 in a kernel).

Scheme names for `post` are WEIGHTS.ACTIVATIONS[+modifier...]:
  weights      p2t / p2c   power-of-two step, per tensor / per output channel, least squared error
               rt / rc     real-valued step, per tensor / per channel, least squared error
               rcmax       real-valued per channel, max|w|/127, codes -127..127 (OpenCV/TFLite)
  activations  p2sym       power-of-two step, signed -128..127, unsigned 0..255 if never negative
               p2win       power-of-two step, 256-code window [z, z+255] (a zero point), z and
                           the step chosen together by least squared error
               rsym        real-valued step, signed/unsigned as p2sym, least squared error
               rwin        real-valued step and window (asymmetric, zero point), least error
               rminmax     real-valued asymmetric min/max (TFLite/OpenCV calibration)
  modifiers    bc          bias correction: per output channel, the mean shift of the quantized
                           pre-activation against float removed, layer by layer (calibration set)
               flog        the last layer's output and the pooled logits stay unquantized
               achan       per-input-channel activation steps for layers that only feed
                           convolutions (folded into the weight columns before they are quantized)
               aN / wN     N-bit activations / weights (default 8)
Statistics (and bias correction) come from the float network on --calib images only.
"""
import argparse
import os
import re
import sys
import time

import numpy as np

from fxq_darknet_io import build_net, load_list, load_weights, parse_cfg, read_darknet_pred, to_input


# --------------------------------------------------------------------------- arithmetic

def rha(x):
    """Round half away from zero (the number system's rounding; numpy's round is half-even)."""
    if np.ndim(x) == 0:
        return float(np.copysign(np.floor(abs(x) + 0.5), x))
    r = np.abs(x)
    r += 0.5
    np.floor(r, out=r)
    return np.copysign(r, x, out=r)


def im2col(x, size, stride, pad):
    """N,C,H,W -> (N*Ho*Wo) x (C*size*size), columns in Darknet's weight order (c, ky, kx)."""
    N, C, H, W = x.shape
    if size == 1 and stride == 1 and pad == 0:
        return x.transpose(0, 2, 3, 1).reshape(-1, C), H, W
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    Ho, Wo = (H + 2 * pad - size) // stride + 1, (W + 2 * pad - size) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    win = win[:, :, :Ho, :Wo]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * size * size), Ho, Wo


def linear_acc(L, x, w, b, chunk=256):
    """Accumulator (pre-activation) of a conv/connected layer: w (M x K) . im2col(x) + b.
    float64: with integer codes on power-of-two steps every partial sum is exact."""
    N = x.shape[0]
    wt = np.ascontiguousarray(w.T)  # the reference BLAS is ~2x faster on a contiguous K x M
    if L['type'] == 'fc':
        return x.reshape(N, -1) @ wt + b
    outs = []
    for s in range(0, N, chunk):
        cols, Ho, Wo = im2col(x[s:s + chunk], L['size'], L['stride'], L['pad'])
        y = cols @ wt + b
        outs.append(y.reshape(-1, Ho, Wo, w.shape[0]).transpose(0, 3, 1, 2))
    return np.concatenate(outs)


def act_float(y, act):
    if act == 'leaky':
        return np.where(y > 0, y, 0.1 * y)
    if act == 'relu':
        return np.maximum(y, 0)
    return y


def act_codes(q, act):
    """fxq_act_ref on integer codes: leaky's 0.1 is 13107 / 2^17 with rounding half away."""
    if act == 'leaky':
        return np.where(q >= 0, q, -np.floor((-q * 13107 + 65536) / 131072))
    if act == 'relu':
        return np.maximum(q, 0)
    return q


def maxpool(L, x):
    # Darknet pads with -FLT_MAX (a window position outside the image never wins)
    s, st, p = L['size'], L['stride'], L['pad']
    N, C, H, W = x.shape
    Ho, Wo = L['out'][1], L['out'][2]
    xp = np.full((N, C, H + p + s, W + p + s), -np.inf)
    xp[:, :, p // 2:p // 2 + H, p // 2:p // 2 + W] = x
    win = np.lib.stride_tricks.sliding_window_view(xp, (s, s), axis=(2, 3))[:, :, ::st, ::st][:, :, :Ho, :Wo]
    return win.max(axis=(4, 5))


# --------------------------------------------------------------------------- quantizers

class Q:
    """x -> clamp(rha(x / step), lo, hi) * step; step and lo/hi scalars or per-channel arrays
    (shape C x 1 x 1 for activations, M x 1 for weight rows). lo <= 0 <= hi keeps zero exact."""

    def __init__(self, step, lo, hi, desc=''):
        self.step, self.lo, self.hi, self.desc = step, lo, hi, desc

    def __call__(self, x):
        r = rha(x / self.step)
        np.clip(r, self.lo, self.hi, out=r)
        r *= self.step
        return r


def window_errors(xs, step, ncodes, zlo, zhi):
    """Squared error of clamp(rha(x/step), z, z+ncodes-1)*step summed over the sorted values
    xs, for every integer z in [zlo, zhi] that matters: returns (best error, best z).
    Prefix sums make every window O(1): inside it the rounding error, below/above it the
    clipping error sum (x - t)^2 = sum x^2 - 2 t sum x + n t^2."""
    c = rha(xs / step)
    r2 = np.concatenate(([0.], np.cumsum((xs - c * step) ** 2)))
    px = np.concatenate(([0.], np.cumsum(xs)))
    px2 = np.concatenate(([0.], np.cumsum(xs * xs)))
    z0 = max(zlo, int(c[0]) - ncodes + 1)
    z1 = min(zhi, int(c[-1]))
    if z0 > z1:  # every value clips to one end of the allowed windows
        z0 = z1 = zlo if c[-1] < zlo else zhi
    z = np.arange(z0, z1 + 1, dtype=np.float64)
    top = z + ncodes - 1
    i0 = np.searchsorted(c, z, 'left')
    i1 = np.searchsorted(c, top, 'right')
    tl, th = z * step, top * step
    n = xs.size
    err = (px2[i0] - 2 * tl * px[i0] + i0 * tl * tl) + (r2[i1] - r2[i0]) + \
          (px2[n] - px2[i1] - 2 * th * (px[n] - px[i1]) + (n - i1) * th * th)
    k = int(np.argmin(err))  # first (lowest z) of equal errors
    return float(err[k]), int(z[k])


def choose(xs, kind, mode, bits, signed_fixed=None):
    """Least-squared-error step (and code window) for the values xs (1-D).
    kind p2|real; mode sym (fixed window: signed, or unsigned when min >= 0), win (any
    window containing zero), minmax (real asymmetric from the range), max (|x|max/(2^(b-1)-1)).
    Returns (step, lo, hi)."""
    xs = np.sort(xs.astype(np.float64).ravel())
    nc = 1 << bits
    mx = max(abs(xs[0]), abs(xs[-1]))
    if mx == 0:
        return 1.0, -(nc // 2), nc // 2 - 1
    if mode == 'max':
        hi = nc // 2 - 1
        return mx / hi, -hi, hi
    if mode == 'minmax':
        lo, hi = min(xs[0], 0.), max(xs[-1], 0.)
        step = (hi - lo) / (nc - 1)
        zl = -int(rha(-lo / step))
        return step, zl, zl + nc - 1
    unsigned = xs[0] >= 0 if signed_fixed is None else not signed_fixed
    if mode == 'sym':
        zlo = zhi = 0 if unsigned else -(nc // 2)
    else:  # win: zero stays a code (padding, ReLU zeros, the zero point of int8 runtimes)
        zlo, zhi = -(nc - 1), 0
    if kind == 'p2':
        f0 = -int(np.ceil(np.log2(mx)))
        steps = [2.0 ** -f for f in range(f0 - 2, f0 + bits + 4)]
    else:  # 24 steps per octave from twice the covering step down to 1/32 of it
        s0 = (xs[-1] - xs[0]) / (nc - 1) if mode == 'win' else mx / (nc // 2 - 1 if not unsigned else nc - 1)
        steps = [s0 * 2.0 ** (1 - k / 24.) for k in range(0, 24 * 6)]
    best = None
    for s in steps:  # coarsest first: ties keep the coarser step, as fxq's mse does
        e, z = window_errors(xs, s, nc, zlo, zhi)
        if best is None or e < best[0]:
            best = (e, s, z)
    return best[1], best[2], best[2] + nc - 1


def sample(x, per_channel, cap, rng):
    """Calibration values of one tensor (N,C,H,W or N,K): all, or a fixed random subset of
    positions (the same for every channel) when there are more than cap."""
    if x.ndim == 2:
        x = x[:, :, None, None]
    C = x.shape[1]
    v = x.transpose(1, 0, 2, 3).reshape(C, -1)
    m = max(1, cap // C)
    if v.shape[1] > m:
        v = v[:, np.sort(rng.choice(v.shape[1], size=m, replace=False))]
    return v


# --------------------------------------------------------------------------- forward passes

def forward_float(layers, x, keep=False):
    """Darknet's float forward (batch norm unfolded as forward_batchnorm_layer computes it).
    Returns the logits (the softmax's input) and, with keep, every layer's output and pre-activation."""
    outs, pre = [], {}
    for L in layers:
        t = L['type']
        inp = outs[-1] if outs else x
        if t in ('conv', 'fc'):
            y = linear_acc(L, inp, L['w'].astype(np.float64), 0.)
            if L['bn']:
                sh = (1, -1, 1, 1) if t == 'conv' else (1, -1)
                y = (y - L['mean'].reshape(sh)) / (np.sqrt(L['var'].astype(np.float64)) + 1e-6).reshape(sh)
                y = y * L['scales'].reshape(sh)
            y = y + L['b'].reshape((1, -1, 1, 1) if t == 'conv' else (1, -1))
            if keep:
                pre[L['idx']] = y
            y = act_float(y, L['act'])
        elif t == 'maxpool':
            y = maxpool(L, inp)
        elif t == 'avgpool':
            y = inp.mean(axis=(2, 3), keepdims=True)
        elif t == 'shortcut':
            y = act_float(outs[L['src'][0]] + outs[L['src'][1]], L['act'])
        elif t == 'route':
            y = np.concatenate([outs[s] for s in L['src']], axis=1)
        elif t in ('softmax', 'dropout'):
            y = inp
        outs.append(y)
    logits = outs[-1].reshape(x.shape[0], -1)
    return (logits, outs, pre) if keep else logits


# ---- fxq pipeline: formats from a cfg written by `fxq quantize`

def fx_formats(fxcfg, layers):
    """Per fixed layer: w/b/in/out formats (w_frac may be a per-row list)."""
    secs = parse_cfg(fxcfg)[1:]
    if len(secs) != len(layers):
        sys.exit(f"{fxcfg}: {len(secs)} layers, the cfg has {len(layers)}")
    for L, (kind, o) in zip(layers, secs):
        if kind.startswith('fx'):
            wf = [int(v) for v in o['w_frac'].split(',')]
            L['fx'] = dict(w_bits=int(o['w_bits']), w_frac=np.array(wf if len(wf) > 1 else wf * L['n'])[:, None],
                           b_bits=int(o['b_bits']), b_frac=int(o['b_frac']),
                           in_bits=int(o['in_bits']), in_frac=int(o['in_frac']), in_uns=int(o.get('in_unsigned', 0)),
                           out_bits=int(o['out_bits']), out_frac=int(o['out_frac']), out_uns=int(o.get('out_unsigned', 0)))
        else:
            L.pop('fx', None)


def fxq_q(x, frac, bits, uns=False):
    s = 2.0 ** -frac
    lo, hi = (0, (1 << bits) - 1) if uns else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return np.clip(rha(x / s), lo, hi) * s


def forward_fxq(layers, x, bias_adj=None):
    """The fixed-point network as fxq's integer layers compute it (values = codes * step).
    Each output carries its format (frac, bits, unsigned) for the code layers after it."""
    outs, fmts = [], []
    for L in layers:
        t = L['type']
        inp = outs[-1] if outs else x
        fin = fmts[-1] if fmts else None
        if t in ('conv', 'fc'):
            f = L['fx']
            xq = fxq_q(inp, f['in_frac'], f['in_bits'], f['in_uns'])
            wq = fxq_q(L['wf'].astype(np.float64), f['w_frac'], f['w_bits'])
            bf = L['bf'].astype(np.float64) + (bias_adj[L['idx']] if bias_adj and L['idx'] in bias_adj else 0)
            # the bias is quantized in its own format (b_bits, b_frac <= every row's accumulator frac)
            bq = fxq_q(bf.astype(np.float32).astype(np.float64), f['b_frac'], f['b_bits'])
            acc = linear_acc(L, xq, wq, bq)
            ob = f['out_bits'] + (1 if f['out_uns'] else 0)  # unsigned ReLU output: b+1 signed, then ReLU
            s = 2.0 ** -f['out_frac']
            q = np.clip(rha(acc / s), -(1 << (ob - 1)), (1 << (ob - 1)) - 1)
            y = act_codes(q, L['act']) * s
            fmt = (f['out_frac'], f['out_bits'], f['out_uns'] or L['act'] == 'relu')
        elif t == 'maxpool':
            y, fmt = maxpool(L, inp), fin
        elif t == 'avgpool':
            # int64 sum, one rounding division to the input's format with log2(h*w) more
            # fractional bits as far as 16-bit codes allow (fxq_pipe.c)
            hw, up = inp.shape[2] * inp.shape[3], 0
            while up < 15 and (1 << up) < hw:
                up += 1
            up = max(0, min(up, (15 if fin[2] else 16) - fin[1]))
            fmt = (fin[0] + up, fin[1] + up, fin[2])
            y = fxq_q(inp.mean(axis=(2, 3), keepdims=True), fmt[0], fmt[1], fmt[2])
        elif t == 'shortcut':
            (fa, ba, _), (fb, bb, _) = fmts[L['src'][0]], fmts[L['src'][1]]
            fc = max(fa, fb)  # finest frac at which both ranges fit 16 bits, one carry bit
            while max(ba + fc - fa, bb + fc - fb) > 16:
                fc -= 1
            bc = min(16, max(ba + fc - fa, bb + fc - fb) + 1)
            s = 2.0 ** -fc
            q = np.clip(rha((outs[L['src'][0]] + outs[L['src'][1]]) / s), -(1 << (bc - 1)), (1 << (bc - 1)) - 1)
            y, fmt = act_codes(q, L['act']) * s, (fc, bc, False)
        elif t == 'route':
            if len({fmts[s] for s in L['src']}) != 1:
                sys.exit("fxq pipeline: [route] with differing input formats not simulated")
            y, fmt = np.concatenate([outs[s] for s in L['src']], axis=1), fmts[L['src'][0]]
        else:
            y, fmt = inp, fin
        outs.append(y)
        fmts.append(fmt)
    return outs[-1].reshape(x.shape[0], -1)


# ---- post pipeline: one quantizer per tensor after the activation

class Scheme:
    W = {'p2t': ('p2', 't', 'sym'), 'p2c': ('p2', 'c', 'sym'), 'rt': ('real', 't', 'sym'),
         'rc': ('real', 'c', 'sym'), 'rcmax': ('real', 'c', 'max')}
    A = {'p2sym': ('p2', 'sym'), 'p2win': ('p2', 'win'), 'rsym': ('real', 'sym'),
         'rwin': ('real', 'win'), 'rminmax': ('real', 'minmax')}

    def __init__(self, name):
        self.name = name
        parts = name.split('+')
        try:
            w, a = parts[0].split('.')
            self.wkind, self.wgran, self.wmode = self.W[w]
            self.akind, self.amode = self.A[a]
        except (ValueError, KeyError):
            sys.exit(f"fxq_qsim: unknown scheme '{name}' (see --help)")
        self.bc = self.flog = self.achan = False
        self.abits = self.wbits = 8
        self.abits_at = {}
        for m in parts[1:]:
            if m == 'bc':
                self.bc = True
            elif m == 'flog':
                self.flog = True
            elif m == 'achan':
                self.achan = True
            elif re.fullmatch(r'a\d+', m):
                self.abits = int(m[1:])
            elif re.fullmatch(r'w\d+', m):
                self.wbits = int(m[1:])
            elif re.fullmatch(r'a\d+@[\d,]+', m):  # aN@i,j: N-bit outputs on layers i, j only
                b, at = m[1:].split('@')
                for i in at.split(','):
                    self.abits_at[int(i)] = int(b)
            else:
                sys.exit(f"fxq_qsim: unknown modifier '+{m}' in '{name}'")


def consumers(layers):
    cons = {i: [] for i in range(-1, len(layers))}
    for L in layers:
        i = L['idx']
        src = L.get('src', [i - 1])
        for s in src:
            cons[s].append(i)
    return cons


_CHOICES = {}  # (tensor, kind, mode, bits, per-channel) -> quantizer: schemes share them


def plan_post(layers, sch, calib_x, outs, seed, cap=100000):
    """Quantizers for the post pipeline from the float network's tensors on the calibration
    images (outs): act[i] for the tensor layer i outputs (i = -1: the image), weights per layer."""
    cons = consumers(layers)
    last = len(layers) - 1
    while layers[last]['type'] in ('softmax', 'dropout'):
        last -= 1
    plan = {'act': {}, 'w': {}, 'bias': {}, 'achan': set()}
    for i in range(-1, len(layers)):
        L = layers[i] if i >= 0 else None
        if L is not None and L['type'] in ('softmax', 'dropout', 'maxpool', 'route'):
            continue  # values already on their inputs' grids
        if L is not None and L['type'] == 'avgpool':
            continue  # rounded to its input's quantizer (TFLite keeps the scale of avgpool)
        t = outs[i] if i >= 0 else calib_x
        tail = i >= 0 and all(layers[c]['type'] in ('avgpool', 'softmax') for c in cons[i]) or i == last
        if sch.flog and tail:
            continue
        bits = sch.abits_at.get(i, sch.abits)
        # per-channel steps only where every consumer is a conv/fc that can fold them into its weights
        pc = sch.achan and i >= 0 and layers[i]['type'] == 'conv' and cons[i] \
            and all(layers[c]['type'] in ('conv', 'fc') for c in cons[i])
        key = (i, sch.akind, sch.amode, bits, pc)
        if key in _CHOICES:
            plan['act'][i] = _CHOICES[key]
            if pc:
                plan['achan'].add(i)
            continue
        v = sample(t, pc, cap, np.random.default_rng(seed + 7919 * (i + 1)))
        if pc:
            qs = [choose(v[c], sch.akind, sch.amode, bits) for c in range(v.shape[0])]
            st = np.array([q[0] for q in qs])[:, None, None]
            lo = np.array([q[1] for q in qs])[:, None, None]
            hi = np.array([q[2] for q in qs])[:, None, None]
            plan['act'][i] = Q(st, lo, hi, f'per-channel {bits} bit')
            plan['achan'].add(i)
        else:
            s, lo, hi = choose(v.ravel(), sch.akind, sch.amode, bits)
            plan['act'][i] = Q(s, lo, hi, f'step {s:.5g} codes [{lo},{hi}]')
        _CHOICES[key] = plan['act'][i]
    for L in layers:
        if L['type'] in ('conv', 'fc'):
            key = ('w', L['idx'], sch.wkind, sch.wgran, sch.wmode, sch.wbits)
            if key not in _CHOICES:
                _CHOICES[key] = quant_weights(L['wf'].astype(np.float64), sch)
            plan['w'][L['idx']] = _CHOICES[key]
    return plan


def quant_weights(w, sch):
    if sch.wgran == 'c':
        rows = [choose(r, sch.wkind, sch.wmode, sch.wbits, signed_fixed=True) for r in w]
        st = np.array([r[0] for r in rows])[:, None]
        lo = np.array([r[1] for r in rows])[:, None]
        hi = np.array([r[2] for r in rows])[:, None]
        return Q(st, lo, hi)(w)
    s, lo, hi = choose(w, sch.wkind, sch.wmode, sch.wbits, signed_fixed=True)
    return Q(s, lo, hi)(w)


def fold_in_channels(L, w, q):
    """Per-input-channel activation steps fold into the weight columns before the weights are
    quantized: x_c = s_c * code_c, so w[:, c] * x_c = (w[:, c] * s_c / s_ref) * (code_c * s_ref)."""
    st = q.step.reshape(-1)
    per_col = np.repeat(st / st.max(), w.shape[1] // st.size)
    return w * per_col[None, :], per_col


def forward_post(layers, x, plan, sch, calib_float=None):
    """Quantized network under the post pipeline. With calib_float (the float network's
    pre-activations and outputs on the same images) it also computes bias correction, layer by
    layer in order, each correction applied before the next layer runs (plan['bias'])."""
    A = plan['act']
    x = A[-1](x) if -1 in A else x
    outs = []
    for L in layers:
        t, i = L['type'], L['idx']
        inp = outs[-1] if outs else x
        if t in ('conv', 'fc'):
            src = i - 1
            wq = plan['w'][i]
            if src in plan['achan']:
                # recompute this layer's weights with the input channels' steps folded in
                q = A[src]
                wsc, per_col = fold_in_channels(L, L['wf'].astype(np.float64), q)
                wq = quant_weights(wsc, sch) / per_col[None, :]
            b = L['bf'].astype(np.float64) + plan['bias'].get(i, 0.)
            y = linear_acc(L, inp, wq, b)
            if calib_float is not None and sch.bc:
                f = calib_float['pre'][i]
                mask = np.ones_like(y, dtype=bool) if L['act'] == 'linear' else (y > 0) & (f > 0)
                ax = (0, 2, 3) if t == 'conv' else (0,)
                cnt = np.maximum(mask.sum(axis=ax), 1)
                shift = np.where(mask, y - f, 0).sum(axis=ax) / cnt
                plan['bias'][i] = plan['bias'].get(i, 0.) - shift
                y = y - shift.reshape((1, -1, 1, 1) if t == 'conv' else (1, -1))
            y = act_float(y, L['act'])
        elif t == 'maxpool':
            y = maxpool(L, inp)
        elif t == 'avgpool':
            y = inp.mean(axis=(2, 3), keepdims=True)
            if (i - 1) in A:
                # as fxq: the input's grid with log2(h*w) more fractional bits (a wider code)
                q, up = A[i - 1], int(np.ceil(np.log2(inp.shape[2] * inp.shape[3])))
                y = Q(q.step / 2 ** up, q.lo * 2 ** up, q.hi * 2 ** up)(y)
        elif t == 'shortcut':
            y = act_float(outs[L['src'][0]] + outs[L['src'][1]], L['act'])
        elif t == 'route':
            y = np.concatenate([outs[s] for s in L['src']], axis=1)
        else:
            y = inp
        if i in A and t not in ('avgpool',):
            y = A[i](y)
        outs.append(y)
    return outs[-1].reshape(x.shape[0], -1)


# --------------------------------------------------------------------------- driver

def run_batches(fn, X, bs):
    return np.concatenate([fn(X[s:s + bs]) for s in range(0, X.shape[0], bs)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cfg')
    ap.add_argument('weights')
    ap.add_argument('--list', default='data/fmnist/test.list', help='evaluation images (default: %(default)s)')
    ap.add_argument('--calib', default='data/fmnist/calib1k.list', help='calibration images (default: %(default)s)')
    ap.add_argument('--labels', default='data/fmnist/labels.txt')
    ap.add_argument('-n', type=int, default=0, help='first N evaluation images only')
    ap.add_argument('--schemes', default='', help='comma list of schemes (fxcfg needs --fxcfg)')
    ap.add_argument('--fxcfg', action='append', default=[], help='cfg written by fxq quantize (scheme fxcfg; repeatable: fxcfg:1, ...)')
    ap.add_argument('--darknet-pred', help='`fxq valid --pred` CSV of the same images: per-image agreement of '
                    'the float forward with its first cfg column, and of each fxcfg with the next columns')
    ap.add_argument('--pred-out', help='write per-image top-1 (image,float,<scheme>...) as CSV')
    ap.add_argument('--logits-out', help='write the float logits (N x classes, .npy)')
    ap.add_argument('--probs', type=int, default=0, metavar='K',
                    help="print each image's top-K probabilities per network as `darknet classifier predict` does")
    ap.add_argument('--cache', default='build/qsim-cache', help='decoded-image cache folder (default: %(default)s)')
    ap.add_argument('--batch', type=int, default=1000, help='images per forward (memory; default %(default)s)')
    ap.add_argument('--seed', type=int, default=1, help='calibration subsample seed')
    ap.add_argument('-v', action='store_true', help='print each scheme\'s activation quantizers')
    a = ap.parse_args()

    t0 = time.time()
    layers = build_net(a.cfg)
    load_weights(layers, a.weights)
    imgs, paths = load_list(a.list, a.n or None, a.cache)
    X = to_input(imgs, layers)
    with open(a.labels) as f:
        labels = [s.strip() for s in f if s.strip()]
    # Darknet's label: the first label string found in the path (strstr)
    truth = np.array([next((j for j, s in enumerate(labels) if s in p), -1) for p in paths])
    log = lambda *m: print(*m, file=sys.stderr, flush=True)
    log(f"fxq_qsim: {len(layers)} layers, {X.shape[0]} images ({time.time() - t0:.1f} s)")

    ref = run_batches(lambda b: forward_float(layers, b), X, a.batch)
    top_f = ref.argmax(1)  # first of equal maxima, as Darknet's top_k
    if a.logits_out:
        np.save(a.logits_out, ref)
    res = [('float', top_f, ref)]

    def row(r):
        label, top, lg = r
        return (f"{label:<44} {(top == truth).mean() * 100:7.2f}% {(top == top_f).mean() * 100:7.2f}% "
                f"{np.abs(lg - ref).mean():9.4f}")
    dn = None
    if a.darknet_pred:
        head, dl, dn = read_darknet_pred(a.darknet_pred, X.shape[0])
        if dn.shape[0] != X.shape[0]:
            sys.exit(f"{a.darknet_pred}: {dn.shape[0]} rows, {X.shape[0]} images")
        agree = (dn[:, 0] == top_f).mean()
        print(f"darknet float ({head[2]}) vs simulated float: top-1 agrees on {agree * 100:.2f} % "
              f"({int((dn[:, 0] != top_f).sum())} of {X.shape[0]} differ); labels agree: {(dl == truth).mean() * 100:.2f} %")

    schemes = [s for s in a.schemes.split(',') if s]
    calib = None
    fxk = 0
    for name in schemes:
        t1 = time.time()
        if name.startswith('fxcfg'):
            k = int(name.split(':')[1]) if ':' in name else fxk
            fxk = k + 1
            if k >= len(a.fxcfg):
                sys.exit(f"fxq_qsim: scheme {name} needs --fxcfg number {k + 1}")
            fx_formats(a.fxcfg[k], layers)
            lg = run_batches(lambda b: forward_fxq(layers, b), X, a.batch)
            label = f"{name} ({os.path.basename(a.fxcfg[k])})"
            if dn is not None and dn.shape[1] > 1 + k:
                print(f"{label} vs darknet fxq valid ({head[3 + k]}): top-1 agrees on "
                      f"{(dn[:, 1 + k] == lg.argmax(1)).mean() * 100:.2f} %")
        else:
            sch = Scheme(name)
            if calib is None:
                cimgs, _ = load_list(a.calib, None, a.cache)
                calib = to_input(cimgs, layers)
                _, couts, cpre = forward_float(layers, calib, keep=True)
            plan = plan_post(layers, sch, calib, couts, a.seed)
            if sch.bc:
                forward_post(layers, calib, plan, sch, calib_float={'pre': cpre})
            if a.v:
                for i, q in sorted(plan['act'].items()):
                    log(f"  {name}: tensor {i}: {q.desc}")
            lg = run_batches(lambda b: forward_post(layers, b, plan, sch), X, a.batch)
            label = name
        res.append((label, lg.argmax(1), lg))
        log(f"fxq_qsim: {label}: {time.time() - t1:.1f} s")
        log("fxq_qsim: row: " + row(res[-1]))

    for label, _top, lg in res if a.probs else []:
        p = np.exp(lg - lg.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        for j in range(X.shape[0]):
            print(f"{label}: {paths[j]}")
            for k in np.argsort(-p[j], kind='stable')[:a.probs]:
                print(f"{p[j, k] * 100:5.2f}%: {labels[k]}")  # Darknet's "%5.2f%%: %s"
    print(f"{'scheme':<44} {'top-1':>8} {'agree':>8} {'|dlogit|':>9}")
    for r in res:
        print(row(r))
    if a.pred_out:
        with open(a.pred_out + '.tmp', 'w') as f:
            f.write('image,label,' + ','.join(r[0] for r in res) + '\n')
            for j in range(X.shape[0]):
                f.write(f"{j},{truth[j]}," + ','.join(str(r[1][j]) for r in res) + '\n')
        os.replace(a.pred_out + '.tmp', a.pred_out)


if __name__ == '__main__':
    main()
