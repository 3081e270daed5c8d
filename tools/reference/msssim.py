"""MS-SSIM reference: numpy/scipy transcription of Zhou Wang's published MATLAB
code

  * msssim.m        -- Z. Wang, E. P. Simoncelli and A. C. Bovik,
                       "Multi-scale structural similarity for image quality
                       assessment", Invited Paper, IEEE Asilomar Conference on
                       Signals, Systems and Computers, Nov. 2003.
  * ssim_index_new.m -- the per-scale SSIM / contrast-structure (cs) maps used
                       by msssim.m (Z. Wang, LIVE / NYU).

Transcribed faithfully (method 'product'):

    for l = 1:level
       [mssim(l) ssim_map{l} mcs(l) cs_map{l}] = ssim_index_new(im1, im2, K, win);
       im1 = downsample(im1); im2 = downsample(im2);
    end
    overall = prod(mcs(1:level-1).^weight(1:level-1)) * mssim(level)^weight(level);

    ssim_index_new: C1 = (K1*L)^2, C2 = (K2*L)^2, window = window/sum(window(:));
       mu1 = filter2(window, img1, 'valid'); mu2 = filter2(window, img2, 'valid');
       sigma1_sq = filter2(window, img1.*img1, 'valid') - mu1.*mu1;   (etc.)
       ssim_map = ((2*mu1_mu2 + C1).*(2*sigma12 + C2)) ./
                  ((mu1_sq + mu2_sq + C1).*(sigma1_sq + sigma2_sq + C2));
       cs_map   = (2*sigma12 + C2)./(sigma1_sq + sigma2_sq + C2);
       mssim = mean2(ssim_map); mcs = mean2(cs_map);

Project-defined choices (duncan-mri), which DIFFER from the MATLAB code where
noted:

  * 5 scales, weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], K = [0.01 0.03]
    (same as msssim.m defaults).
  * L = dataRange (ssim_index_new.m hard-codes L = 255).
  * window = fspecial('gaussian', 11, 1.5), filter2 'valid' at every scale
    (same as msssim.m).
  * Downsampling: 2x2 average pooling over rows/columns taken in pairs from the
    start ((0,1), (2,3), ...); an odd trailing row/column is DROPPED.
    msssim.m instead does imfilter(im, ones(2)/4, 'symmetric', 'same') and
    keeps im(1:2:end, 1:2:end), which for odd sizes keeps the last
    row/column (averaged with its own symmetric padding).  For even sizes the
    two are identical.
    Pooling is evaluated as ((x[2i,2j] + x[2i,2j+1]) + x[2i+1,2j]) + x[2i+1,2j+1],
    then multiplied by 0.25.
  * Each per-scale mean is clamped at 0 (max(v, 0)) before being raised to its
    weight (msssim.m would produce a complex number for a negative mean).
  * Image too small (any side < 11 after four halvings) -> error "too small"
    (msssim.m returns -Inf when min(M,N)/2^(level-1) < 11).
  * 3-D volumes (nz, ny, nx): mean over z of the 2-D value of each z slice.
"""

import numpy as np

from matlab_filters import fspecial_gaussian, local_moments

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
K1 = 0.01
K2 = 0.03
WIN_SIZE = 11
WIN_SIGMA = 1.5
LEVELS = 5


class TooSmall(ValueError):
    pass


def ssim_index_new(img1, img2, data_range, window):
    """Returns (mssim, ssim_map, mcs, cs_map) as ssim_index_new.m (C1, C2 > 0 branch)."""
    C1 = (K1 * data_range) ** 2
    C2 = (K2 * data_range) ** 2
    window = window / window.sum()
    mu1_sq, mu2_sq, mu1_mu2, sigma1_sq, sigma2_sq, sigma12 = local_moments(window, img1, img2)
    ssim_map = ((2 * mu1_mu2 + C1) * (2 * sigma12 + C2)) / (
        (mu1_sq + mu2_sq + C1) * (sigma1_sq + sigma2_sq + C2))
    cs_map = (2 * sigma12 + C2) / (sigma1_sq + sigma2_sq + C2)
    return float(ssim_map.mean()), ssim_map, float(cs_map.mean()), cs_map


def downsample2(x):
    h = (x.shape[0] // 2) * 2
    w = (x.shape[1] // 2) * 2
    x = x[:h, :w]
    return (((x[0::2, 0::2] + x[0::2, 1::2]) + x[1::2, 0::2]) + x[1::2, 1::2]) * 0.25


def scale_shapes(shape, levels=LEVELS):
    shapes = [tuple(shape)]
    for _ in range(levels - 1):
        shapes.append((shapes[-1][0] // 2, shapes[-1][1] // 2))
    return shapes


def check_size(shape2d):
    last = scale_shapes(shape2d)[-1]
    if min(last) < WIN_SIZE:
        raise TooSmall(f"too small: {shape2d} -> {last} at scale {LEVELS} (< {WIN_SIZE})")


def msssim_2d(ref, test, data_range, return_details=False):
    ref = np.asarray(ref, dtype=np.float64)
    test = np.asarray(test, dtype=np.float64)
    assert ref.ndim == 2 and ref.shape == test.shape
    check_size(ref.shape)
    win = fspecial_gaussian(WIN_SIZE, WIN_SIGMA)
    mssim = []
    mcs = []
    im1, im2 = ref, test
    for level in range(LEVELS):
        s, _, c, _ = ssim_index_new(im1, im2, data_range, win)
        mssim.append(s)
        mcs.append(c)
        if level < LEVELS - 1:
            im1 = downsample2(im1)
            im2 = downsample2(im2)
    value = 1.0
    for level in range(LEVELS - 1):
        value *= max(mcs[level], 0.0) ** WEIGHTS[level]
    value *= max(mssim[LEVELS - 1], 0.0) ** WEIGHTS[LEVELS - 1]
    if return_details:
        return value, mssim, mcs
    return value


def msssim(ref, test, data_range):
    ref = np.asarray(ref, dtype=np.float64)
    test = np.asarray(test, dtype=np.float64)
    if ref.ndim == 2:
        return msssim_2d(ref, test, data_range)
    assert ref.ndim == 3
    check_size(ref.shape[1:])
    vals = [msssim_2d(ref[z], test[z], data_range) for z in range(ref.shape[0])]
    return float(np.mean(vals))
