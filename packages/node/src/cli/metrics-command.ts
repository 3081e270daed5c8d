import { compareVolumeFiles } from '../compare-volume-files.js';
import { intOption, numberOption, parseCommand, positional, readOptions } from './args.js';
import { createContext, formatMetric, toJson } from './context.js';
import { OPTIONS } from './help.js';

export async function metricsCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.metrics);
  if (values.help) return 'help';
  const [referenceArg, testArg] = positional(positionals, 2, '<reference> <test>');
  const dataRange = numberOption(values, 'data-range');
  const frame = intOption(values, 'frame', undefined, 1);
  const reading = readOptions(values);
  const ctx = createContext(values);
  const mask = values.mask as string | undefined;
  const m = await compareVolumeFiles(ctx.path(referenceArg!), ctx.path(testArg!), {
    ...(frame === undefined ? {} : { frame: frame - 1 }),
    referenceOptions: reading,
    testOptions: reading,
    ...(mask === undefined ? {} : { mask: ctx.path(mask) }),
    ...(dataRange === undefined ? {} : { dataRange }),
    ...(values.slicewise === true ? { slicewise: true } : {}),
  });
  for (const w of m.warnings) ctx.warn(`warning: ${w}`);
  if (ctx.json) {
    ctx.out(
      toJson({
        reference: ctx.path(referenceArg!),
        test: ctx.path(testArg!),
        shape: m.shape,
        frame: m.frame === null ? null : m.frame + 1,
        dataRange: m.dataRange,
        dataRangeSource: m.dataRangeSource,
        mask: mask === undefined ? null : ctx.path(mask),
        maskedVoxels: m.maskedVoxels,
        slicewise: m.slicewise,
        ssim: m.ssim,
        msssim: m.msssim,
        vif: m.vif,
        uqi: m.uqi,
        psnr: m.psnr,
      }),
    );
    return 0;
  }
  const source = m.dataRangeSource === 'reference' ? 'reference max - min' : '--data-range';
  const rows: [string, string][] = [
    ['SSIM', formatMetric(m.ssim)],
    ['MS-SSIM', m.msssim === null ? 'n/a (slices under 176x176)' : formatMetric(m.msssim)],
    ['VIF', m.vif === null ? 'n/a (slices under 41x41)' : formatMetric(m.vif)],
    ['UQI', formatMetric(m.uqi)],
    ['PSNR (dB)', formatMetric(m.psnr, 2)],
  ];
  ctx.out(
    [
      `reference ${referenceArg} vs test ${testArg}: ${m.shape.join('x')}${m.frame === null ? '' : `, frame ${m.frame + 1}`}${mask ? `, mask ${mask} (${m.maskedVoxels} voxels)` : ''}`,
      `data range: ${m.dataRange} (${source})${m.slicewise ? '; SSIM slice-wise' : ''}`,
      ...rows.map(([k, v]) => `${k.padEnd(10)} ${v}`),
    ].join('\n'),
  );
  return 0;
}
