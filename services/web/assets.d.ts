/** Absolute path of the built web workspace (`index.html` and `assets/`), served by the API. */
export declare const webAssetsDirectory: string;
