import type { Rng } from '@duncan-mri/volume';

/**
 * CycleGAN's history of generated images (Shrivastava et al. 2017; Zhu et al. 2017): the
 * discriminator sees a mix of current and past fakes. Images are plain arrays of one size.
 */
export class ImagePool {
  readonly capacity: number;
  images: Float32Array[] = [];
  /** `[height, width]` of the stored images; a batch of another size clears the pool. */
  size: readonly [number, number] = [0, 0];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /**
   * For each image: while the pool is not full, store it and return it; otherwise, with
   * probability 1/2, return a random stored image and store the new one in its place, else
   * return the new one.
   */
  query(batch: readonly Float32Array[], height: number, width: number, rng: Rng): Float32Array[] {
    if (this.capacity === 0) return [...batch];
    if (this.size[0] !== height || this.size[1] !== width) {
      this.images = [];
      this.size = [height, width];
    }
    return batch.map((image) => {
      if (this.images.length < this.capacity) {
        this.images.push(image);
        return image;
      }
      if (rng.float() < 0.5) {
        const i = rng.int(this.images.length);
        const old = this.images[i]!;
        this.images[i] = image;
        return old;
      }
      return image;
    });
  }
}
