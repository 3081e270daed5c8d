"""VIF (pixel domain) reference: numpy transcription of the authors' MATLAB
``vifp_mscale.m`` (H. R. Sheikh and A. C. Bovik, "Image Information and Visual
Quality", IEEE Transactions on Image Processing 15(2):430-444, 2006;
code: Laboratory for Image and Video Engineering (LIVE), The University of
Texas at Austin, (c) 2005).  The MATLAB statements are reproduced in order:

    sigma_nsq=2; num=0; den=0;
    for scale=1:4
        N=2^(4-scale+1)+1;  win=fspecial('gaussian',N,N/5);
        if (scale >1)
            ref=filter2(win,ref,'valid');  dist=filter2(win,dist,'valid');
            ref=ref(1:2:end,1:2:end);      dist=dist(1:2:end,1:2:end);
        end
        mu1=filter2(win,ref,'valid');  mu2=filter2(win,dist,'valid');
        mu1_sq=mu1.*mu1; mu2_sq=mu2.*mu2; mu1_mu2=mu1.*mu2;
        sigma1_sq=filter2(win,ref.*ref,'valid')-mu1_sq;
        sigma2_sq=filter2(win,dist.*dist,'valid')-mu2_sq;
        sigma12=filter2(win,ref.*dist,'valid')-mu1_mu2;
        sigma1_sq(sigma1_sq<0)=0;
        sigma2_sq(sigma2_sq<0)=0;
        g=sigma12./(sigma1_sq+1e-10);
        sv_sq=sigma2_sq-g.*sigma12;
        g(sigma1_sq<1e-10)=0;
        sv_sq(sigma1_sq<1e-10)=sigma2_sq(sigma1_sq<1e-10);
        sigma1_sq(sigma1_sq<1e-10)=0;
        g(sigma2_sq<1e-10)=0;
        sv_sq(sigma2_sq<1e-10)=0;
        sv_sq(g<0)=sigma2_sq(g<0);
        g(g<0)=0;
        sv_sq(sv_sq<=1e-10)=1e-10;
        num=num+sum(sum(log10(1+g.^2.*sigma1_sq./(sv_sq+sigma_nsq))));
        den=den+sum(sum(log10(1+sigma1_sq./sigma_nsq)));
    end
    vifp=num/den;

Project-defined additions (duncan-mri):
  * both inputs are first multiplied by (255 / dataRange) (the MATLAB code
    assumes a 0-255 dynamic range); for dataRange == 255 this is a no-op.
  * 3-D volumes (nz, ny, nx): num and den are summed over all z slices, then
    vif = num / den (not a mean of per-slice ratios).
  * den == 0 (e.g. constant reference, or an image too small for the 17x17
    scale-1 window so that every scale is empty) -> NaN.
"""

import numpy as np

from matlab_filters import fspecial_gaussian, filter2_valid, local_moments

SIGMA_NSQ = 2.0


def vifp_num_den(ref, dist):
    ref = np.asarray(ref, dtype=np.float64)
    dist = np.asarray(dist, dtype=np.float64)
    sigma_nsq = SIGMA_NSQ
    num = 0.0
    den = 0.0
    for scale in range(1, 5):
        N = 2 ** (4 - scale + 1) + 1
        win = fspecial_gaussian(N, N / 5.0)
        if scale > 1:
            ref = filter2_valid(win, ref)
            dist = filter2_valid(win, dist)
            ref = ref[0::2, 0::2]
            dist = dist[0::2, 0::2]
        _, _, _, sigma1_sq, sigma2_sq, sigma12 = local_moments(win, ref, dist)

        sigma1_sq[sigma1_sq < 0] = 0
        sigma2_sq[sigma2_sq < 0] = 0

        g = sigma12 / (sigma1_sq + 1e-10)
        sv_sq = sigma2_sq - g * sigma12

        m = sigma1_sq < 1e-10
        g[m] = 0
        sv_sq[m] = sigma2_sq[m]
        sigma1_sq[m] = 0

        m = sigma2_sq < 1e-10
        g[m] = 0
        sv_sq[m] = 0

        m = g < 0
        sv_sq[m] = sigma2_sq[m]
        g[m] = 0
        sv_sq[sv_sq <= 1e-10] = 1e-10

        num = num + float(np.sum(np.log10(1 + g ** 2 * sigma1_sq / (sv_sq + sigma_nsq))))
        den = den + float(np.sum(np.log10(1 + sigma1_sq / sigma_nsq)))
    return num, den


def vifp(ref, dist, data_range, return_num_den=False):
    scale = 255.0 / data_range
    ref = np.asarray(ref, dtype=np.float64) * scale
    dist = np.asarray(dist, dtype=np.float64) * scale
    if ref.ndim == 2:
        num, den = vifp_num_den(ref, dist)
    else:
        assert ref.ndim == 3
        num = 0.0
        den = 0.0
        for z in range(ref.shape[0]):
            n, d = vifp_num_den(ref[z], dist[z])
            num += n
            den += d
    value = float("nan") if den == 0 else num / den
    if return_num_den:
        return value, num, den
    return value
