/**
 * The one place that touches the ONNX protobuf schema (onnx-proto). Everything else builds graphs through
 * GraphBuilder and never sees protobuf types.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** ONNX element types the bundle uses. */
export const ElemType = {
  float32: onnxProto.onnx.TensorProto.DataType.FLOAT,
  float16: onnxProto.onnx.TensorProto.DataType.FLOAT16,
  bfloat16: onnxProto.onnx.TensorProto.DataType.BFLOAT16,
  uint8: onnxProto.onnx.TensorProto.DataType.UINT8,
  int64: onnxProto.onnx.TensorProto.DataType.INT64,
  int32: onnxProto.onnx.TensorProto.DataType.INT32,
  bool: onnxProto.onnx.TensorProto.DataType.BOOL,
} as const;
export type ElemTypeName = keyof typeof ElemType;

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export const AttributeType = onnxProto.onnx.AttributeProto.AttributeType;
export const DataLocation = onnxProto.onnx.TensorProto.DataLocation;
