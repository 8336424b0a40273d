/** The decoded image handed between preprocessing steps: 8-bit RGB, interleaved, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, R G B interleaved. */
  data: Uint8Array;
}
