/**
 * @module
 * Silero v5 for the one way the edge runs it, made at load time from the shipped model: its
 * `sr` input becomes a constant (16000) and its `input` a fixed [1, 576] tensor. onnxruntime
 * then folds the model's sample-rate test away and inlines the 16 kHz branch (the model is an
 * `If` on `sr == 16000` around everything), and knows the window's shape in advance: the same
 * kernels on the same weights give the same probabilities, in less time per window.
 *
 * Pure: it edits the model's protobuf bytes (the graph's inputs and initializers) and leaves
 * the rest as it was. A model that is not laid out as Silero v5 is refused with an error, so
 * the caller can run it unchanged.
 */

/** ONNX `TensorProto.DataType` values used here. */
const FLOAT = 1;
const INT64 = 7;

/** Field numbers of the ONNX protobuf messages that are read or written. */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_ELEM = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;

const LENGTH_DELIMITED = 2;

export class ModelLayoutError extends Error {
  override name = "ModelLayoutError";
}

interface Field {
  field: number;
  wire: number;
  /** The whole field, tag included. */
  start: number;
  end: number;
  /** Its payload (a length-delimited field's bytes). */
  dataStart: number;
  dataEnd: number;
}

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let pos = at; pos < bytes.length && pos < at + 10; pos++) {
    const byte = bytes[pos]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos + 1];
    scale *= 128;
  }
  throw new ModelLayoutError(`Cannot read the model: a truncated number at byte ${at}`);
}

/** The fields of one protobuf message, in order. */
function fieldsOf(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    const wire = tag & 7;
    let dataStart = afterTag;
    let dataEnd: number;
    if (wire === 0) dataEnd = readVarint(bytes, afterTag)[1];
    else if (wire === 1) dataEnd = afterTag + 8;
    else if (wire === 5) dataEnd = afterTag + 4;
    else if (wire === LENGTH_DELIMITED) {
      const [length, afterLength] = readVarint(bytes, afterTag);
      dataStart = afterLength;
      dataEnd = afterLength + length;
    } else throw new ModelLayoutError(`Cannot read the model: wire type ${wire} at byte ${pos}`);
    if (dataEnd > bytes.length) {
      throw new ModelLayoutError(`Cannot read the model: a field at byte ${pos} runs past its end`);
    }
    fields.push({ field: Math.floor(tag / 8), wire, start, end: dataEnd, dataStart, dataEnd });
    pos = dataEnd;
  }
  return fields;
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A length-delimited field. */
function message(field: number, ...body: Uint8Array[]): Uint8Array {
  const payload = concat(body);
  return concat([
    new Uint8Array([...varint(field * 8 + LENGTH_DELIMITED), ...varint(payload.length)]),
    payload,
  ]);
}

function number(field: number, value: number): Uint8Array {
  return new Uint8Array([...varint(field * 8), ...varint(value)]);
}

const text = (s: string) => new TextEncoder().encode(s);

/** A graph input of type float with the given fixed dimensions. */
function floatInput(name: string, dims: readonly number[]): Uint8Array {
  const shape = message(
    TENSOR_TYPE_SHAPE,
    ...dims.map((d) => message(SHAPE_DIM, number(DIM_VALUE, d))),
  );
  const tensorType = message(TYPE_TENSOR, number(TENSOR_TYPE_ELEM, FLOAT), shape);
  return message(
    GRAPH_INPUT,
    message(VALUE_INFO_NAME, text(name)),
    message(VALUE_INFO_TYPE, tensorType),
  );
}

/** A scalar int64 constant. */
function int64Initializer(name: string, value: number): Uint8Array {
  const raw = new Uint8Array(8);
  new DataView(raw.buffer).setBigInt64(0, BigInt(value), true);
  return message(
    GRAPH_INITIALIZER,
    number(TENSOR_DATA_TYPE, INT64),
    message(TENSOR_NAME, text(name)),
    message(TENSOR_RAW_DATA, raw),
  );
}

export interface SileroBinding {
  /** The rate `sr` is fixed to. */
  sampleRate: number;
  /** Samples per run (context and window), the fixed second dimension of `input`. */
  samples: number;
}

/**
 * The model with `sr` made a constant and `input` fixed to [1, samples]. Throws a
 * {@linkcode ModelLayoutError} unless the graph's inputs are exactly `input`, `state`, `sr`.
 */
export function bindSileroInputs(model: Uint8Array, binding: SileroBinding): Uint8Array {
  const top = fieldsOf(model);
  const graphs = top.filter((f) => f.field === MODEL_GRAPH && f.wire === LENGTH_DELIMITED);
  if (graphs.length !== 1) {
    throw new ModelLayoutError(`Cannot bind the model's inputs: it has ${graphs.length} graphs`);
  }
  const graphField = graphs[0]!;
  const graph = model.subarray(graphField.dataStart, graphField.dataEnd);
  const parts: Uint8Array[] = [];
  const names: string[] = [];
  for (const f of fieldsOf(graph)) {
    if (f.field !== GRAPH_INPUT) {
      parts.push(graph.subarray(f.start, f.end));
      continue;
    }
    const info = graph.subarray(f.dataStart, f.dataEnd);
    const nameField = fieldsOf(info).find((x) => x.field === VALUE_INFO_NAME);
    const name = nameField
      ? new TextDecoder().decode(info.subarray(nameField.dataStart, nameField.dataEnd))
      : "";
    names.push(name);
    if (name === "input") parts.push(floatInput(name, [1, binding.samples]));
    else if (name !== "sr") parts.push(graph.subarray(f.start, f.end));
  }
  if (names.join(",") !== "input,state,sr") {
    throw new ModelLayoutError(
      `Cannot bind the model's inputs: Silero v5 has inputs input, state, sr; this one has ${
        names.join(", ") || "none"
      }`,
    );
  }
  parts.push(int64Initializer("sr", binding.sampleRate));
  return concat([
    model.subarray(0, graphField.start),
    message(MODEL_GRAPH, ...parts),
    model.subarray(graphField.end),
  ]);
}

/** The names and fixed dimensions (-1 where unknown) of a model's graph inputs (for tests). */
export function graphInputs(model: Uint8Array): { name: string; dims: number[] }[] {
  const graphField = fieldsOf(model).find((f) => f.field === MODEL_GRAPH)!;
  const graph = model.subarray(graphField.dataStart, graphField.dataEnd);
  const sub = (bytes: Uint8Array, field: number) =>
    fieldsOf(bytes).filter((f) => f.field === field).map((f) =>
      bytes.subarray(f.dataStart, f.dataEnd)
    );
  return sub(graph, GRAPH_INPUT).map((info) => {
    const name = new TextDecoder().decode(sub(info, VALUE_INFO_NAME)[0] ?? new Uint8Array());
    const dims = sub(info, VALUE_INFO_TYPE).flatMap((t) => sub(t, TYPE_TENSOR))
      .flatMap((tt) => sub(tt, TENSOR_TYPE_SHAPE)).flatMap((s) => sub(s, SHAPE_DIM))
      .map((d) => {
        const value = fieldsOf(d).find((f) => f.field === DIM_VALUE && f.wire === 0);
        return value ? readVarint(d, value.dataStart)[0] : -1;
      });
    return { name, dims };
  });
}
