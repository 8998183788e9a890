import { fileURLToPath } from 'node:url';

/** Absolute path of the built web workspace (`index.html` and `assets/`), served by the API. */
export const webAssetsDirectory = fileURLToPath(new URL('./dist', import.meta.url));
