"""Numpy transcriptions of the two MATLAB Image Processing Toolbox primitives
that the published MATLAB reference metrics (msssim.m, ssim_index_new.m,
vifp_mscale.m, img_qi.m) are built on.

* ``fspecial_gaussian(n, sigma)`` == MATLAB ``fspecial('gaussian', n, sigma)``:
      siz = (n-1)/2; [x,y] = meshgrid(-siz:siz);
      h = exp(-(x.*x + y.*y)/(2*sigma*sigma));
      h(h < eps*max(h(:))) = 0;  h = h/sum(h(:));
* ``filter2_valid(h, x)`` == MATLAB ``filter2(h, x, 'valid')``: 2-D
  correlation (the kernel is NOT rotated), output size
  (M-kh+1) x (N-kw+1); an input smaller than the kernel gives an empty
  array (MATLAB returns a 0-by-n / m-by-0 matrix as well).

The sum is formed as an explicit loop over kernel taps in row-major order
(no BLAS, no FFT), so results are bit-for-bit deterministic on a given
machine whatever the thread count.
"""

import numpy as np


def fspecial_gaussian(n, sigma):
    siz = (n - 1) / 2.0
    ax = np.arange(-siz, siz + 1, dtype=np.float64)
    x, y = np.meshgrid(ax, ax)
    h = np.exp(-(x * x + y * y) / (2.0 * sigma * sigma))
    h[h < np.finfo(np.float64).eps * h.max()] = 0.0
    s = h.sum()
    if s != 0:
        h = h / s
    return h


def filter2_valid(h, x):
    h = np.asarray(h, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    kh, kw = h.shape
    oh = x.shape[0] - kh + 1
    ow = x.shape[1] - kw + 1
    if oh <= 0 or ow <= 0:
        return np.zeros((max(oh, 0), max(ow, 0)), dtype=np.float64)
    out = np.zeros((oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            w = h[i, j]
            if w != 0.0:
                out += w * x[i:i + oh, j:j + ow]
    return out
