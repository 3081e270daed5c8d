// The parts of Vega's modules that render-figure.ts uses. The `vega` bundle would bring every
// transform (geo, force, word clouds, ...) and 12 MB; these modules are the headless runtime the
// figures need. Their types are vega-typings' (the `vega` bundle's API, which re-exports them).

declare module 'vega-parser' {
  export { parse } from 'vega-typings';
}

declare module 'vega-view' {
  export { View } from 'vega-typings';
}

declare module 'vega-dataflow' {
  /** The registry of transforms (by name) that a parsed spec may instantiate. */
  export const transforms: Record<string, unknown>;
}

declare module 'vega-scenegraph' {
  /** A text item of the scenegraph, as far as text measurement reads it. */
  export interface TextItem {
    readonly fontSize?: number;
    readonly fontWeight?: string | number;
  }
  /** How the scenegraph measures text (bounds, layout, truncation); `width` may be replaced. */
  export const textMetrics: { width: (item: TextItem, text: unknown) => number };
  /** An item's font size in pixels (Vega's default 11 when unset). */
  export function fontSize(item: TextItem): number;
}

declare module 'vega-transforms';
declare module 'vega-view-transforms';
declare module 'vega-encode';
