/**
 * A small builder for ONNX graphs. Nodes are named by scope like onnxruntime-genai's builder
 * (`/vision/layers.0/attn/MatMul`), large weights are recorded as references into the checkpoint and written later
 * as external data, small constants are embedded.
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

export interface TensorSpec {
  name: string;
  dtype: ElemTypeName;
  dims: Dim[];
}

/** A weight the graph needs from the checkpoint, by its checkpoint tensor name and expected shape. */
export interface WeightRef {
  checkpointName: string;
  shape: number[];
}

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
  /** initializer name → checkpoint tensor */
  readonly weights = new Map<string, WeightRef>();
  readonly #nodes: NodeProto[] = [];
  readonly #constants: TensorProto[] = [];
  readonly #scope: string[] = [];
  readonly #used = new Map<string, number>();
  #constCount = 0;

  constructor(name: string) {
    this.name = name;
  }

  input(name: string, dtype: ElemTypeName, dims: Dim[]): string {
    this.inputs.push({ name, dtype, dims });
    return name;
  }

  /** Declares a graph output named `name` carrying `value`. */
  output(value: string, name: string, dtype: ElemTypeName, dims: Dim[]): void {
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

  /** Serialisable model with weights pointing into the external weight file. */
  build(locations: ReadonlyMap<string, WeightLocation>, weightFileName: string, opset: number): ModelProto {
    const initializers: TensorProto[] = [...this.weights.values()].map((ref) => {
      const location = locations.get(ref.checkpointName);
      if (!location) throw new Error(`no weight data written for ${ref.checkpointName}`);
      return {
        name: ref.checkpointName,
        dims: ref.shape,
        dataType: ElemType.float32,
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
