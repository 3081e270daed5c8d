"""Numpy transcriptions of the two MATLAB Image Processing Toolbox primitives
that the published MATLAB reference metrics (msssim.m, ssim_index_new.m,
vifp_mscale.m, img_qi.m) are built on, and of the windowed statistics that
ssim_index_new.m and vifp_mscale.m compute from them with the same statements.

* ``fspecial_gaussian(n, sigma)`` == MATLAB ``fspecial('gaussian', n, sigma)``:
      siz = (n-1)/2; [x,y] = meshgrid(-siz:siz);
      h = exp(-(x.*x + y.*y)/(2*sigma*sigma));
      h(h < eps*max(h(:))) = 0;  h = h/sum(h(:));
* ``filter2_valid(h, x)`` == MATLAB ``filter2(h, x, 'valid')``: 2-D
  correlation (the kernel is NOT rotated), output size
  (M-kh+1) x (N-kw+1); an input smaller than the kernel gives an empty
  array (MATLAB returns a 0-by-n / m-by-0 matrix as well).
* ``local_moments(w, x, y)``: the windowed means and (co)variances
      mu1=filter2(w,x,'valid'); mu2=filter2(w,y,'valid');
      mu1_sq=mu1.*mu1; mu2_sq=mu2.*mu2; mu1_mu2=mu1.*mu2;
      sigma1_sq=filter2(w,x.*x,'valid')-mu1_sq;
      sigma2_sq=filter2(w,y.*y,'valid')-mu2_sq;
      sigma12=filter2(w,x.*y,'valid')-mu1_mu2;

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


def local_moments(w, x, y):
    """(mu1_sq, mu2_sq, mu1_mu2, sigma1_sq, sigma2_sq, sigma12) of x and y under the window w."""
    mu1 = filter2_valid(w, x)
    mu2 = filter2_valid(w, y)
    mu1_sq = mu1 * mu1
    mu2_sq = mu2 * mu2
    mu1_mu2 = mu1 * mu2
    sigma1_sq = filter2_valid(w, x * x) - mu1_sq
    sigma2_sq = filter2_valid(w, y * y) - mu2_sq
    sigma12 = filter2_valid(w, x * y) - mu1_mu2
    return mu1_sq, mu2_sq, mu1_mu2, sigma1_sq, sigma2_sq, sigma12
