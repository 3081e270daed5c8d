import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MriError } from '@duncan-mri/volume';
import type { Config, Spec } from 'vega-typings';
import { FIGURE_FONT_FAMILY, figureFonts, textWidth } from './figure-font.js';

/** A figure as SVG (vector, for the web and for editing) and as PNG (for reports). */
export interface RenderedFigure {
  readonly svg: string;
  readonly png: Uint8Array;
  /** The PNG's size in pixels (the SVG's size times the scale). */
  readonly width: number;
  readonly height: number;
  /** What Vega warned about while laying the figure out (none for a sound spec). */
  readonly warnings: readonly string[];
}

/** The CSS font family of every text in a figure; `sans-serif` is the same face in the renderer. */
export const FIGURE_FONT = `${FIGURE_FONT_FAMILY}, sans-serif`;

/** Sizes (pixels) and colours shared by every figure. */
export const FIGURE_STYLE = {
  titleSize: 15,
  subtitleSize: 12,
  labelSize: 11,
  axisTitleSize: 12,
  text: '#222222',
  muted: '#555555',
} as const;

/** The texts of axes and legends: labels and titles in the figure font, never truncated. */
const GUIDE_TEXT = {
  labelFont: FIGURE_FONT,
  titleFont: FIGURE_FONT,
  labelFontSize: FIGURE_STYLE.labelSize,
  titleFontSize: FIGURE_STYLE.axisTitleSize,
  labelColor: FIGURE_STYLE.text,
  titleColor: FIGURE_STYLE.text,
  labelLimit: 0,
} as const;

/** The look of every figure: one font, no renderer-side truncation (texts are fitted first). */
const CONFIG: Config = {
  background: 'white',
  text: { font: FIGURE_FONT, fill: FIGURE_STYLE.text },
  title: {
    font: FIGURE_FONT,
    subtitleFont: FIGURE_FONT,
    fontSize: FIGURE_STYLE.titleSize,
    subtitleFontSize: FIGURE_STYLE.subtitleSize,
    color: FIGURE_STYLE.text,
    subtitleColor: FIGURE_STYLE.muted,
    anchor: 'start',
    limit: 0,
  },
  axis: GUIDE_TEXT,
  legend: { ...GUIDE_TEXT, titleLimit: 0 },
};

interface VegaRuntime {
  readonly parse: typeof import('vega-parser').parse;
  readonly View: typeof import('vega-view').View;
}

let vega: Promise<VegaRuntime> | undefined;

/**
 * Vega's headless runtime, imported on first use (commands that draw no figure never load it):
 * the parser, the view, and the transforms a chart needs registered with the dataflow, as the
 * `vega` bundle registers them. Text is measured with the figure font's own advance widths
 * (instead of Vega's estimate of 0.8 em per character, or a canvas with the system's fonts),
 * so the layout fits the text that the renderer draws, on every machine.
 */
function loadVega(): Promise<VegaRuntime> {
  vega ??= (async () => {
    const [dataflow, transforms, viewTransforms, encode, scenegraph, parser, view] =
      await Promise.all([
        import('vega-dataflow'),
        import('vega-transforms'),
        import('vega-view-transforms'),
        import('vega-encode'),
        import('vega-scenegraph'),
        import('vega-parser'),
        import('vega-view'),
      ]);
    Object.assign(dataflow.transforms, transforms, viewTransforms, encode);
    scenegraph.textMetrics.width = (item, text) =>
      textWidth(
        text === null || text === undefined ? '' : String(text).trim(),
        scenegraph.fontSize(item),
        item.fontWeight,
      );
    return { parse: parser.parse, View: view.View };
  })();
  return vega;
}

type ResvgModule = typeof import('@resvg/resvg-wasm');
let resvg: Promise<ResvgModule> | undefined;

/** resvg compiled to WebAssembly (one file for every platform), initialised on first use. */
function loadResvg(): Promise<ResvgModule> {
  resvg ??= (async () => {
    const module = await import('@resvg/resvg-wasm');
    const wasm = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
    await module.initWasm(readFileSync(wasm));
    return module;
  })();
  return resvg;
}

/**
 * Renders a Vega spec headless: Vega lays it out and writes SVG (no canvas, no DOM), resvg
 * rasterises the SVG to PNG with the bundled fonts only (no system fonts), so the same spec gives
 * the same bytes on every machine. `scale` multiplies the PNG's pixels (2 for crisp text);
 * embedded images are drawn nearest-neighbour, so image tiles stay pixel-exact at whole scales.
 * The spec's config is merged over the figures' look ({@link FIGURE_STYLE}).
 */
export async function renderFigure(
  spec: Spec,
  options: { readonly scale?: number } = {},
): Promise<RenderedFigure> {
  const scale = options.scale ?? 1;
  const { parse, View } = await loadVega();
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (values: unknown[]) => values.map(String).join(' ');
  const logger = {
    level(_?: number) {
      return logger;
    },
    error(...values: unknown[]) {
      errors.push(text(values));
      return logger;
    },
    warn(...values: unknown[]) {
      warnings.push(text(values));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  let svg: string;
  try {
    const view = new View(parse({ ...spec, config: { ...CONFIG, ...spec.config } }), {
      renderer: 'none',
      logger: logger as never,
    });
    svg = await view.toSVG();
    view.finalize();
  } catch (error) {
    throw new MriError('INTERNAL', `figures: Vega could not render the figure (${error})`, {
      cause: error,
    });
  }
  if (errors.length > 0)
    throw new MriError('INTERNAL', `figures: Vega could not render the figure (${errors[0]})`);

  const { Resvg } = await loadResvg();
  const fonts = figureFonts();
  const renderer = new Resvg(svg, {
    font: {
      fontBuffers: [fonts.regular.bytes, fonts.bold.bytes],
      defaultFontFamily: FIGURE_FONT_FAMILY,
      sansSerifFamily: FIGURE_FONT_FAMILY,
    },
    fitTo: { mode: 'zoom', value: scale },
    imageRendering: 1,
  });
  try {
    const image = renderer.render();
    const result = { svg, png: image.asPng(), width: image.width, height: image.height, warnings };
    image.free();
    return result;
  } finally {
    renderer.free();
  }
}
