/**
 * Seedable pseudo-random numbers for sampling: xoshiro128** (Blackman & Vigna) whose 128-bit state is filled by
 * splitmix32 from the seed. The same seed always yields the same stream; without a seed the state comes from
 * `crypto.getRandomValues`. (Token draws can never equal torch.multinomial's, which uses torch's own generator.)
 */
import { getRandomValues } from 'node:crypto';

export interface RandomSource {
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniformly distributed float in [0, 1). */
  nextFloat(): number;
}

const TWO_POW_32 = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** over an explicit state of four 32-bit words (not all zero). */
export class Xoshiro128StarStar implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((word) => word >>> 0) as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }
}

/** One splitmix32 output for `state`; callers advance `state` by the golden-ratio increment themselves. */
function splitmix32(state: number): number {
  let z = state | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Expands a non-negative safe-integer seed into a xoshiro128** generator. */
export function createSeededRandom(seed: number): RandomSource {
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  let state = (low ^ Math.imul(high, 0x85ebca6b)) | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    state = (state + 0x9e3779b9) | 0;
    words.push(splitmix32(state));
  }
  return new Xoshiro128StarStar(words as [number, number, number, number]);
}

/** A generator for `seed`, or one seeded from the OS entropy source when `seed` is undefined. */
export function createRandom(seed: number | undefined): RandomSource {
  if (seed !== undefined) return createSeededRandom(seed);
  const words = getRandomValues(new Uint32Array(4));
  return new Xoshiro128StarStar([words[0], words[1], words[2], words[3]]);
}
