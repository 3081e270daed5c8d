"""UQI (universal image quality index) reference: numpy transcription of Zhou
Wang's MATLAB ``img_qi.m`` (Z. Wang and A. C. Bovik, "A Universal Image
Quality Index", IEEE Signal Processing Letters 9(3):81-84, 2002; code (c) 2001
The University of Texas at Austin, LIVE).  With block_size = 8:

    N = block_size.^2;  sum2_filter = ones(block_size);
    img1_sum = filter2(sum2_filter, img1, 'valid');        (etc.)
    img12_sum_mul    = img1_sum.*img2_sum;
    img12_sq_sum_mul = img1_sum.*img1_sum + img2_sum.*img2_sum;
    numerator    = 4*(N*img12_sum - img12_sum_mul).*img12_sum_mul;
    denominator1 = N*(img1_sq_sum + img2_sq_sum) - img12_sq_sum_mul;
    denominator  = denominator1.*img12_sq_sum_mul;
    quality_map = ones(size(denominator));
    index = (denominator1 == 0) & (img12_sq_sum_mul ~= 0);
    quality_map(index) = 2*img12_sum_mul(index)./img12_sq_sum_mul(index);
    index = (denominator ~= 0);
    quality_map(index) = numerator(index)./denominator(index);
    quality = mean2(quality_map);

Project-defined additions (duncan-mri):
  * masked UQI: mean of quality_map over the windows whose pixel at offset
    (+3, +3) (0-based, in y and x) from the window's top-left corner is in the
    mask -- the pixel to which MATLAB's filter2(ones(8), x, 'same') assigns
    that window.
  * 3-D volumes (nz, ny, nx): mean over z of the 2-D value of each slice;
    masked: all selected windows of all slices pooled into one mean.
"""

import numpy as np

from matlab_filters import filter2_valid

BLOCK = 8
MASK_OFFSET = 3  # (BLOCK - 1) // 2


def img_qi_map(img1, img2, block_size=BLOCK):
    img1 = np.asarray(img1, dtype=np.float64)
    img2 = np.asarray(img2, dtype=np.float64)
    N = block_size ** 2
    sum2_filter = np.ones((block_size, block_size))
    img1_sq = img1 * img1
    img2_sq = img2 * img2
    img12 = img1 * img2
    img1_sum = filter2_valid(sum2_filter, img1)
    img2_sum = filter2_valid(sum2_filter, img2)
    img1_sq_sum = filter2_valid(sum2_filter, img1_sq)
    img2_sq_sum = filter2_valid(sum2_filter, img2_sq)
    img12_sum = filter2_valid(sum2_filter, img12)
    img12_sum_mul = img1_sum * img2_sum
    img12_sq_sum_mul = img1_sum * img1_sum + img2_sum * img2_sum
    numerator = 4 * (N * img12_sum - img12_sum_mul) * img12_sum_mul
    denominator1 = N * (img1_sq_sum + img2_sq_sum) - img12_sq_sum_mul
    denominator = denominator1 * img12_sq_sum_mul
    quality_map = np.ones(denominator.shape)
    index = (denominator1 == 0) & (img12_sq_sum_mul != 0)
    quality_map[index] = 2 * img12_sum_mul[index] / img12_sq_sum_mul[index]
    index = denominator != 0
    quality_map[index] = numerator[index] / denominator[index]
    return quality_map


def window_mask(mask2d, block_size=BLOCK):
    mask2d = np.asarray(mask2d).astype(bool)
    oh = mask2d.shape[0] - block_size + 1
    ow = mask2d.shape[1] - block_size + 1
    o = MASK_OFFSET
    return mask2d[o:o + oh, o:o + ow]


def uqi(img1, img2):
    img1 = np.asarray(img1, dtype=np.float64)
    img2 = np.asarray(img2, dtype=np.float64)
    if img1.ndim == 2:
        return float(img_qi_map(img1, img2).mean())
    assert img1.ndim == 3
    return float(np.mean([img_qi_map(img1[z], img2[z]).mean() for z in range(img1.shape[0])]))


def uqi_masked(img1, img2, mask):
    img1 = np.asarray(img1, dtype=np.float64)
    img2 = np.asarray(img2, dtype=np.float64)
    mask = np.asarray(mask).astype(bool)
    if img1.ndim == 2:
        q = img_qi_map(img1, img2)
        sel = window_mask(mask)
        assert sel.any()
        return float(q[sel].mean())
    assert img1.ndim == 3
    vals = []
    for z in range(img1.shape[0]):
        q = img_qi_map(img1[z], img2[z])
        vals.append(q[window_mask(mask[z])])
    pooled = np.concatenate(vals)
    assert pooled.size > 0
    return float(pooled.mean())
