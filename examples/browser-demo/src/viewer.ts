import { Niivue, SLICE_TYPE } from '@niivue/niivue';

export type PanelName = 'original' | 'corrected' | 'artefact';

/**
 * Three NiiVue viewers side by side whose crosshairs and slices follow each other: moving
 * the slice in one moves it in the other two.
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
      });
    const viewers = { original: make(), corrected: make(), artefact: make() };
    this.viewers = viewers;
    this.ready = (async () => {
      const names = Object.keys(viewers) as PanelName[];
      for (const name of names) await viewers[name].attachToCanvas(canvases[name]);
      for (const name of names) {
        const others = names.filter((n) => n !== name).map((n) => viewers[n]);
        viewers[name].broadcastTo(others, { '2d': true, '3d': true });
      }
    })();
  }

  /** Shows a NIfTI file (its bytes) in one panel, replacing what was there. */
  async show(name: PanelName, nifti: ArrayBuffer, colormap = 'gray'): Promise<void> {
    await this.ready;
    const nv = this.viewers[name];
    for (const volume of [...nv.volumes]) nv.removeVolume(volume);
    await nv.loadFromArrayBuffer(nifti, `${name}.nii`);
    const volume = nv.volumes[0];
    if (volume !== undefined && colormap !== 'gray') nv.setColormap(volume.id, colormap);
    nv.setSliceType(SLICE_TYPE.AXIAL);
  }

  /** Empties one panel. */
  async clear(name: PanelName): Promise<void> {
    await this.ready;
    const nv = this.viewers[name];
    for (const volume of [...nv.volumes]) nv.removeVolume(volume);
    nv.drawScene();
  }
}
