import { Niivue, SLICE_TYPE } from '@niivue/niivue';
import { DIVERGING, DIVERGING_NAME } from './difference.js';

export type PanelName = 'clean' | 'original' | 'corrected' | 'difference';

/** The plane a panel shows. */
export type Plane = 'axial' | 'coronal' | 'sagittal';

/** How {@link PanelViewer.show} draws a volume. */
export interface ShowOptions {
  /** The plane to show (default axial). */
  readonly plane?: Plane;
  /** Grey window `[min, max]` (default: NiiVue's robust range of the volume). */
  readonly window?: readonly [number, number];
  /**
   * A signed map on the diverging blue – white – red colour map, symmetric about 0:
   * `-range` is blue, 0 white, `+range` red (beyond saturates).
   */
  readonly divergingRange?: number;
}

const SLICE_TYPES = {
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
} as const;

/**
 * The plane across the thinnest voxel axis of a volume (e.g. sagittal for one sagittal slice),
 * from the axis of the world (RAS) that voxel axis mostly runs along; axial when no axis is
 * thinner than the others.
 */
export function planeOf(shape: readonly number[], affine: ArrayLike<number>): Plane {
  const thinnest = [0, 1, 2].reduce((a, b) => (shape[b]! < shape[a]! ? b : a), 2);
  if (![0, 1, 2].some((k) => shape[k]! > shape[thinnest]!)) return 'axial';
  const column = [0, 1, 2].map((row) => Math.abs(affine[4 * row + thinnest]!));
  const world = column.indexOf(Math.max(...column));
  return world === 0 ? 'sagittal' : world === 1 ? 'coronal' : 'axial';
}

/**
 * Four NiiVue viewers side by side whose crosshairs and slices follow each other: moving
 * the slice in one moves it in the others.
 */
export class PanelViewer {
  private readonly viewers: Record<PanelName, Niivue>;
  private readonly ready: Promise<void>;

  constructor(canvases: Record<PanelName, HTMLCanvasElement>) {
    const make = () =>
      new Niivue({
        backColor: [0, 0, 0, 1],
        show3Dcrosshair: false,
        crosshairWidth: 0.5,
        isResizeCanvas: true,
        dragAndDropEnabled: false,
        logLevel: 'error',
        loadingText: '',
        // As the CLI's panel and radiology viewers show a sagittal slice: the face on the left.
        sagittalNoseLeft: true,
      });
    const viewers = { clean: make(), original: make(), corrected: make(), difference: make() };
    this.viewers = viewers;
    this.ready = (async () => {
      const names = Object.keys(viewers) as PanelName[];
      for (const name of names) await viewers[name].attachToCanvas(canvases[name]);
      viewers.difference.addColormap(DIVERGING_NAME, {
        R: [...DIVERGING.R],
        G: [...DIVERGING.G],
        B: [...DIVERGING.B],
        A: [...DIVERGING.A],
        I: [...DIVERGING.I],
      });
      for (const name of names) {
        const others = names.filter((n) => n !== name).map((n) => viewers[n]);
        viewers[name].broadcastTo(others, { '2d': true, '3d': true });
      }
    })();
  }

  /** Shows a NIfTI file (its bytes) in one panel, replacing what was there. */
  async show(name: PanelName, nifti: ArrayBuffer, options: ShowOptions = {}): Promise<void> {
    await this.ready;
    const nv = this.viewers[name];
    for (const volume of [...nv.volumes]) nv.removeVolume(volume);
    await nv.loadFromArrayBuffer(nifti, `${name}.nii`);
    const volume = nv.volumes[0];
    if (volume !== undefined) {
      if (options.divergingRange !== undefined) {
        nv.setColormap(volume.id, DIVERGING_NAME);
        volume.cal_min = -options.divergingRange;
        volume.cal_max = options.divergingRange;
      } else if (options.window !== undefined) {
        volume.cal_min = options.window[0];
        volume.cal_max = options.window[1];
      }
      nv.updateGLVolume();
    }
    nv.setSliceType(SLICE_TYPES[options.plane ?? 'axial']);
  }

  /** Empties one panel. */
  async clear(name: PanelName): Promise<void> {
    await this.ready;
    const nv = this.viewers[name];
    for (const volume of [...nv.volumes]) nv.removeVolume(volume);
    nv.drawScene();
  }
}
