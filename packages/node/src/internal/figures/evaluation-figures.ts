import type { Volume } from '@duncan-mri/volume';
import {
  BASELINE_COLOUR,
  type BoxGroup,
  type BoxPlotOptions,
  CORRECTED_COLOUR,
  renderBoxPlot,
} from './box-plot.js';
import { type PanelTile, type RenderedPanel, renderImagePanel, sliceOf } from './image-panel.js';
import type { RenderedFigure } from './render-figure.js';

/** The two kinds of box of `duncan evaluate`, in the colours its report names. */
const EVALUATION_SERIES: BoxPlotOptions['series'] = [
  { name: 'no correction', colour: BASELINE_COLOUR },
  { name: 'corrected', colour: CORRECTED_COLOUR },
];

const SUBTITLE = [
  'Tukey boxes over every z slice of every case: Q1 to Q3, median (black),',
  'whiskers to the last slice within 1.5 IQR, circles are outliers',
];

/**
 * `duncan evaluate`'s box plots: per-slice SSIM or mean Dice (both unitless, 0 to 1) of the
 * corrupted ("no correction") and the corrected images, one group per artefact and severity.
 */
export function renderEvaluationBoxPlot(
  metric: 'ssim' | 'dice',
  groups: readonly BoxGroup[],
): Promise<RenderedFigure> {
  return renderBoxPlot(groups, {
    title:
      metric === 'ssim'
        ? 'SSIM per slice against the clean image'
        : 'Tissue Dice per slice against the clean image',
    subtitle:
      metric === 'ssim'
        ? SUBTITLE
        : [
            'mean Dice of classes 1-3 (CSF, GM, WM on a T1) in the mask; slices without tissue have none',
            ...SUBTITLE,
          ],
    xTitle: 'artefact, severity',
    yTitle:
      metric === 'ssim' ? 'SSIM (unitless, 1 = identical)' : 'mean Dice (unitless, 1 = identical)',
    legendTitle: 'image',
    series: EVALUATION_SERIES,
    yDomain: [0, 1],
  });
}

/** One image of an evaluation and how it scored against the clean image. */
export interface ScoredImage {
  readonly volume: Volume;
  /** Its 3-class segmentation, or null when there is none. */
  readonly labels: Volume | null;
  /** Whole-volume SSIM against the clean image. */
  readonly ssim: number;
  /** Mean Dice against the clean image's segmentation, or null. */
  readonly dice: number | null;
}

/** What {@link renderEvaluationPanel} shows. */
export interface EvaluationPanelInput {
  readonly caseName: string;
  readonly artefact: string;
  readonly severity: string;
  readonly axis: 0 | 1 | 2;
  /** The slice's index along `axis`. */
  readonly index: number;
  readonly clean: Volume;
  /** The clean image's segmentation, or null when it has none. */
  readonly cleanLabels: Volume | null;
  readonly corrupted: ScoredImage;
  readonly corrected: ScoredImage;
  /** corrupted - corrected. */
  readonly artefactMap: Volume;
  /** The mask the segmentations share (non-zero inside), or null. */
  readonly mask: Volume | null;
}

const score = (value: number | null, digits = 3) =>
  value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);

/**
 * `duncan evaluate`'s example panel of one slice, captioned: top row clean, corrupted, corrected
 * (with their SSIM) and the artefact map; bottom row the three segmentations (with Dice) and the
 * mask. A missing segmentation or mask is a black tile that says so.
 */
export function renderEvaluationPanel(input: EvaluationPanelInput): Promise<RenderedPanel> {
  const { axis, index } = input;
  const shown = sliceOf(input.clean, axis, index);
  const tile = (
    volume: Volume | null,
    kind: PanelTile['kind'],
    title: string,
    subtitle: string,
  ): PanelTile =>
    volume === null
      ? {
          image: { ...shown, data: new Float32Array(shown.data.length) },
          kind: 'blank',
          title,
          subtitle: 'none (see report.md)',
        }
      : { image: sliceOf(volume, axis, index), kind, title, subtitle };
  const { corrupted, corrected } = input;
  return renderImagePanel(
    [
      tile(input.clean, 'image', 'clean', 'the reference'),
      tile(corrupted.volume, 'image', 'corrupted', `SSIM ${score(corrupted.ssim)}`),
      tile(corrected.volume, 'image', 'corrected', `SSIM ${score(corrected.ssim)}`),
      tile(input.artefactMap, 'signed', 'artefact map', 'corrupted − corrected'),
      tile(input.cleanLabels, 'labels', 'tissues: clean', 'segmentTissues'),
      tile(corrupted.labels, 'labels', 'tissues: corrupted', `Dice ${score(corrupted.dice)}`),
      tile(corrected.labels, 'labels', 'tissues: corrected', `Dice ${score(corrected.dice)}`),
      tile(input.mask, 'mask', 'mask', 'white: where Dice is scored'),
    ],
    {
      title: `${input.artefact} (${input.severity}), ${input.caseName}`,
      subtitle: [
        `slice ${index} along ${'xyz'[axis]}, the middle one; SSIM of the whole volume, Dice in the mask`,
      ],
      columns: 4,
      legendTitles: {
        image: 'intensity (a.u.; window of the clean image)',
        signed: 'artefact map (a.u.; mid-grey is 0)',
        labels: 'tissue class (on a T1)',
      },
      labelNames: ['outside the mask', '1 (CSF)', '2 (GM)', '3 (WM)'],
    },
  );
}
