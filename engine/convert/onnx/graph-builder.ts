/**
 * A small builder for ONNX graphs. Nodes are named by scope like onnxruntime-genai's builder
 * (`/vision/layers.0/attn/MatMul`), large weights are recorded as references into the checkpoint and written later
 * as external data, small constants are embedded.
 *
 * Graphs are built in float32 terms: `weight()` always yields a float32 value. A bundle's weight format is applied
 * afterwards by `applyWeightPolicy()`, which decides per checkpoint tensor and per use how it is stored:
 *   - a Linear (`Gemm` with transB = 1 over a weight) whose weight is block-quantized becomes com.microsoft
 *     `MatMulNBits` (K = in, N = out, the bias as its bias input);
 *   - an embedding table (`Gather` over a weight) stored in 16 bits is gathered as is and the gathered rows are Cast
 *     to float32, so the session keeps the 16-bit table; a block-quantized table becomes com.microsoft
 *     `GatherBlockQuantized` over the very bytes a MatMulNBits reads (OPT's tied embedding / lm_head: stored once);
 *   - any other use of a 16-bit weight reads it through a Cast to float32, which onnxruntime folds at session creation.
 * One checkpoint tensor may be stored in several encodings (e.g. a float16 table whose rows do not split into
 * blocks, read as int4 by an lm_head): stored tensors are keyed by checkpoint name + encoding.
 */
import {
  AttributeType,
  DataLocation,
  ElemType,
  type AttributeProto,
  type ElemTypeName,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.ts';
import type { WeightLocation } from './weight-file.ts';

export type Dim = number | string;

/** Element types of graph inputs and outputs. */
export type IoElemType = Exclude<ElemTypeName, 'bfloat16' | 'uint8'>;

export interface TensorSpec {
  name: string;
  dtype: IoElemType;
  dims: Dim[];
}

/** A weight the graph needs from the checkpoint, by its checkpoint tensor name and expected shape. */
export interface WeightRef {
  checkpointName: string;
  shape: number[];
}

/** How one stored tensor is encoded in the weight file. */
export type WeightEncoding =
  | { kind: 'float32' }
  | { kind: 'float16' }
  | { kind: 'bfloat16' }
  | { kind: 'nbits'; bits: 4 | 8; blockSize: number };

/** How a graph uses a weight: as a Linear's [out, in] matrix, as a table rows are gathered from, or otherwise. */
export type WeightUse = 'linear' | 'gather' | 'other';

/** The part of a weight format the graphs see: an encoding per (checkpoint tensor, use). */
export interface WeightPolicy {
  encoding(checkpointName: string, use: WeightUse, shape: readonly number[]): WeightEncoding;
  /** MatMulNBits' accuracy_level (0 = float32 compute, 4 = int8 activations). */
  accuracyLevel: number;
}

/** One tensor of the weight file: a checkpoint tensor in one encoding. */
export interface StoredWeight {
  key: string;
  checkpointName: string;
  /** the checkpoint tensor's shape */
  shape: number[];
  encoding: WeightEncoding;
}

/** The weight file's parts of a stored weight: one for float encodings, three (codes, scales, zero points) for nbits. */
export type WeightPart = 'data' | 'scales' | 'zero_points';

const ENCODING_SUFFIX = { float32: '', float16: '_fp16', bfloat16: '_bf16' } as const;

export function encodingSuffix(encoding: WeightEncoding): string {
  return encoding.kind === 'nbits' ? `_q${encoding.bits}` : ENCODING_SUFFIX[encoding.kind];
}

/** `name` + encoding, e.g. `…fc1.weight#q4b32`; float32 keeps the bare name. */
export function storageKey(checkpointName: string, encoding: WeightEncoding): string {
  switch (encoding.kind) {
    case 'float32':
      return checkpointName;
    case 'nbits':
      return `${checkpointName}#q${encoding.bits}b${encoding.blockSize}`;
    default:
      return `${checkpointName}#${encoding.kind}`;
  }
}

export function partKey(key: string, part: WeightPart): string {
  return part === 'data' ? key : `${key}/${part}`;
}

/**
 * How an op reads a block-quantized tensor: MatMulNBits wants B [N, kBlocks, blob], scales [N·kBlocks] and zero points
 * [N·zpBytes]; GatherBlockQuantized the same bytes as 2-D [N, K·bits/8], [N, kBlocks], [N, zpBytes]. Both views of
 * one stored tensor are initializers over the same bytes of the weight file.
 */
export type NbitsView = 'matmul' | 'gather';

/** The stored tensor's parts as initializers: names (from `base`), ONNX element types and dims. */
export function storedParts(stored: StoredWeight, base: string, view: NbitsView = 'matmul'): { part: WeightPart; name: string; dataType: number; dims: number[] }[] {
  const e = stored.encoding;
  if (e.kind !== 'nbits') return [{ part: 'data', name: base, dataType: ElemType[e.kind], dims: stored.shape }];
  const [n, k] = stored.shape;
  const kBlocks = Math.ceil(k / e.blockSize);
  const blob = (e.blockSize * e.bits) / 8;
  const zpBytes = Math.ceil((kBlocks * e.bits) / 8);
  const name = view === 'matmul' ? base : `${base}_rows`;
  return [
    { part: 'data', name, dataType: ElemType.uint8, dims: view === 'matmul' ? [n, kBlocks, blob] : [n, kBlocks * blob] },
    { part: 'scales', name: `${name}_scales`, dataType: ElemType.float32, dims: view === 'matmul' ? [n * kBlocks] : [n, kBlocks] },
    { part: 'zero_points', name: `${name}_zero_points`, dataType: ElemType.uint8, dims: view === 'matmul' ? [n * zpBytes] : [n, zpBytes] },
  ];
}

const isFloat32 = (encoding: WeightEncoding) => encoding.kind === 'float32';

/** Marks a float attribute (plain numbers are integer attributes). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export const float = (value: number): FloatAttr => new FloatAttr(value);
export type AttrValue = number | number[] | string | FloatAttr | FloatAttr[];

export interface OpOptions {
  outputs?: number;
  domain?: string;
}

export const MS_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  readonly name: string;
  readonly inputs: TensorSpec[] = [];
  readonly outputs: TensorSpec[] = [];
  /** checkpoint tensor name → the tensor (float32 view: what the graph reads before a weight policy is applied) */
  readonly weights = new Map<string, WeightRef>();
  /** storage key → stored tensor, set by applyWeightPolicy (float32 for every weight until then) */
  #stored: Map<string, StoredWeight> | undefined;
  /** storage key → the views of a block-quantized tensor this graph reads */
  readonly #views = new Map<string, Set<NbitsView>>();
  #nodes: NodeProto[] = [];
  readonly #constants: TensorProto[] = [];
  readonly #scope: string[] = [];
  readonly #used = new Map<string, number>();
  #constCount = 0;

  constructor(name: string) {
    this.name = name;
  }

  input(name: string, dtype: IoElemType, dims: Dim[]): string {
    this.inputs.push({ name, dtype, dims });
    return name;
  }

  /** Declares a graph output named `name` carrying `value`. */
  output(value: string, name: string, dtype: IoElemType, dims: Dim[]): void {
    this.#nodes.push({ opType: 'Identity', name: `/outputs/${name}`, input: [value], output: [name], domain: '' });
    this.outputs.push({ name, dtype, dims });
  }

  /** A checkpoint tensor used as an initializer; the same tensor used twice is stored once. */
  weight(checkpointName: string, shape: number[]): string {
    const existing = this.weights.get(checkpointName);
    if (existing && existing.shape.join(',') !== shape.join(',')) {
      throw new Error(`weight ${checkpointName} requested with shapes ${existing.shape} and ${shape}`);
    }
    this.weights.set(checkpointName, { checkpointName, shape });
    return checkpointName;
  }

  /** A small embedded constant. */
  constant(values: ArrayLike<number>, dtype: 'float32' | 'int64', dims: number[] = [values.length]): string {
    const name = `/constants/${this.#scope.join('/') || 'root'}/c${this.#constCount++}`;
    const raw =
      dtype === 'float32'
        ? new Uint8Array(Float32Array.from(values).buffer)
        : new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    this.#constants.push({ name, dims, dataType: ElemType[dtype], rawData: raw });
    return name;
  }

  scoped<T>(scope: string, build: () => T): T {
    this.#scope.push(scope);
    try {
      return build();
    } finally {
      this.#scope.pop();
    }
  }

  /** Adds one node and returns its first output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): string {
    return this.opMulti(opType, inputs, attrs, options)[0];
  }

  /** Adds one node and returns all its outputs. */
  opMulti(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): string[] {
    const base = `/${[...this.#scope, opType].join('/')}`;
    const count = this.#used.get(base) ?? 0;
    this.#used.set(base, count + 1);
    const nodeName = count === 0 ? base : `${base}_${count}`;
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `${nodeName}/output_${i}`);
    this.#nodes.push({
      opType,
      name: nodeName,
      input: inputs,
      output: outputs,
      domain: options.domain ?? '',
      attribute: Object.entries(attrs).map(([name, value]) => toAttribute(name, value)),
    });
    return outputs;
  }

  /** The tensors the weight file must hold for this graph (every weight as float32 unless a policy was applied). */
  storedWeights(): StoredWeight[] {
    if (this.#stored) return [...this.#stored.values()];
    return [...this.weights.values()].map((ref) => ({ key: storageKey(ref.checkpointName, { kind: 'float32' }), ...ref, encoding: { kind: 'float32' } }));
  }

  /**
   * Rewrites the graph for a weight format (see the header): Linears over block-quantized weights become
   * MatMulNBits, 16-bit tables are gathered then Cast, other 16-bit weights are read through a Cast. Call once, after
   * the graph is complete; a policy that keeps everything float32 changes nothing.
   */
  applyWeightPolicy(policy: WeightPolicy): void {
    if (this.#stored) throw new Error(`a weight policy was already applied to ${this.name}`);
    const stored = new Map<string, StoredWeight>();
    const store = (checkpointName: string, encoding: WeightEncoding): StoredWeight => {
      const key = storageKey(checkpointName, encoding);
      let entry = stored.get(key);
      if (!entry) {
        entry = { key, checkpointName, shape: this.weights.get(checkpointName)!.shape, encoding };
        stored.set(key, entry);
      }
      return entry;
    };
    const casts: NodeProto[] = [];
    const castOutputs = new Map<string, string>();
    /** The float32 value of a weight used `use`-wise: the initializer itself, or the output of one shared Cast. */
    const floatValue = (name: string, use: WeightUse): string => {
      const encoding = policy.encoding(name, use, this.weights.get(name)!.shape);
      if (encoding.kind === 'nbits') throw new Error(`${name}: only a Linear's weight can be block-quantized`);
      const entry = store(name, encoding);
      if (isFloat32(encoding)) return entry.checkpointName;
      let output = castOutputs.get(entry.key);
      if (!output) {
        output = `${initializerName(entry)}/float32`;
        casts.push({ opType: 'Cast', name: `/weights/${initializerName(entry)}/Cast`, input: [initializerName(entry)], output: [output], domain: '', attribute: [toAttribute('to', ElemType.float32)] });
        castOutputs.set(entry.key, output);
      }
      return output;
    };
    const nodes: NodeProto[] = [];
    for (const node of this.#nodes) {
      const inputs = node.input ?? [];
      const isWeight = (i: number) => inputs[i] !== undefined && this.weights.has(inputs[i]);
      if (node.opType === 'Gemm' && node.domain === '' && isLinearGemm(node) && isWeight(1)) {
        const name = inputs[1];
        const shape = this.weights.get(name)!.shape;
        const encoding = policy.encoding(name, 'linear', shape);
        if (encoding.kind === 'nbits') {
          const entry = store(name, encoding);
          this.#addView(entry.key, 'matmul');
          const [data, scales, zeroPoints] = storedParts(entry, initializerName(entry), 'matmul').map((p) => p.name);
          const [n, k] = shape;
          const bias = inputs[2] === undefined ? [] : ['', isWeight(2) ? floatValue(inputs[2], 'other') : inputs[2]];
          if (inputs[2] !== undefined && !(isWeight(2) && this.weights.get(inputs[2])!.shape.join() === String(n))) {
            throw new Error(`${node.name}: MatMulNBits takes a bias of shape [${n}] only`);
          }
          nodes.push({
            opType: 'MatMulNBits',
            domain: MS_DOMAIN,
            name: `${node.name}/MatMulNBits`,
            input: [inputs[0], data, scales, zeroPoints, ...bias],
            output: node.output,
            attribute: [
              toAttribute('K', k),
              toAttribute('N', n),
              toAttribute('bits', encoding.bits),
              toAttribute('block_size', encoding.blockSize),
              toAttribute('accuracy_level', policy.accuracyLevel),
            ],
          });
          continue;
        }
        nodes.push({ ...node, input: inputs.map((input, i) => (isWeight(i) ? floatValue(input, i === 1 ? 'linear' : 'other') : input)) });
        continue;
      }
      if (node.opType === 'Gather' && node.domain === '' && isWeight(0)) {
        const name = inputs[0];
        const shape = this.weights.get(name)!.shape;
        const encoding = policy.encoding(name, 'gather', shape);
        if (encoding.kind === 'nbits') {
          const axis = Number((node.attribute ?? []).find((a) => a.name === 'axis')?.i ?? 0);
          if (shape.length !== 2 || axis !== 0 || shape[1] % encoding.blockSize !== 0) {
            throw new Error(`${node.name}: a block-quantized table must be 2-D, gathered on axis 0, with rows a multiple of the block size`);
          }
          const entry = store(name, encoding);
          this.#addView(entry.key, 'gather');
          const [data, scales, zeroPoints] = storedParts(entry, initializerName(entry), 'gather').map((p) => p.name);
          nodes.push({
            opType: 'GatherBlockQuantized',
            domain: MS_DOMAIN,
            name: `${node.name}/GatherBlockQuantized`,
            input: [data, inputs[1], scales, zeroPoints],
            output: node.output,
            attribute: [toAttribute('gather_axis', 0), toAttribute('quantize_axis', 1), toAttribute('block_size', encoding.blockSize), toAttribute('bits', encoding.bits)],
          });
          continue;
        }
        if (encoding.kind === 'float16' || encoding.kind === 'bfloat16') {
          const table = initializerName(store(name, encoding));
          const gathered = `${node.name}/output_16bit`;
          nodes.push({ ...node, input: [table, ...inputs.slice(1)], output: [gathered] });
          nodes.push({ opType: 'Cast', name: `${node.name}/Cast`, input: [gathered], output: node.output, domain: '', attribute: [toAttribute('to', ElemType.float32)] });
          continue;
        }
      }
      nodes.push({ ...node, input: inputs.map((input, i) => (isWeight(i) ? floatValue(input, node.opType === 'Gather' && i === 0 ? 'gather' : 'other') : input)) });
    }
    this.#nodes = [...casts, ...nodes];
    this.#stored = stored;
  }

  #addView(key: string, view: NbitsView): void {
    const views = this.#views.get(key) ?? new Set<NbitsView>();
    views.add(view);
    this.#views.set(key, views);
  }

  /** Serialisable model with weights pointing into the external weight file (locations by `partKey`). */
  build(locations: ReadonlyMap<string, WeightLocation>, weightFileName: string, opset: number): ModelProto {
    const parts = this.storedWeights().flatMap((entry) =>
      [...(this.#views.get(entry.key) ?? ['matmul' as const])].flatMap((view) => storedParts(entry, initializerName(entry), view).map((p) => ({ entry, ...p }))),
    );
    const initializers: TensorProto[] = parts.map(({ entry, part, name, dataType, dims }) => {
        const location = locations.get(partKey(entry.key, part));
        if (!location) throw new Error(`no weight data written for ${partKey(entry.key, part)}`);
        return {
          name,
          dims,
          dataType,
          dataLocation: DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: weightFileName },
            { key: 'offset', value: String(location.offset) },
            { key: 'length', value: String(location.length) },
          ],
        };
      });
    const usesMs = this.#nodes.some((node) => node.domain === MS_DOMAIN);
    return {
      irVersion: 8,
      producerName: 'glance',
      opsetImport: [{ domain: '', version: opset }, ...(usesMs ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer: [...this.#constants, ...initializers],
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
  }
}

/** The initializer's name in the graph: the checkpoint name, plus `_fp16` / `_bf16` / `_q4` / `_q8` when re-encoded. */
function initializerName(entry: StoredWeight): string {
  return `${entry.checkpointName}${encodingSuffix(entry.encoding)}`;
}

/** A Gemm that is a plain Linear: y = x · Wᵀ (+ c), no alpha/beta/transA. */
function isLinearGemm(node: NodeProto): boolean {
  const attrs = new Map((node.attribute ?? []).map((a) => [a.name, a]));
  if (Number(attrs.get('transB')?.i ?? 0) !== 1 || Number(attrs.get('transA')?.i ?? 0) !== 0) return false;
  return (attrs.get('alpha')?.f ?? 1) === 1 && (attrs.get('beta')?.f ?? 1) === 1;
}

function valueInfo(spec: TensorSpec): ValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: ElemType[spec.dtype],
        shape: { dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function toAttribute(name: string, value: AttrValue): AttributeProto {
  if (value instanceof FloatAttr) return { name, type: AttributeType.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (value.length > 0 && value[0] instanceof FloatAttr) {
    return { name, type: AttributeType.FLOATS, floats: (value as FloatAttr[]).map((v) => v.value) };
  }
  return { name, type: AttributeType.INTS, ints: value as number[] };
}
