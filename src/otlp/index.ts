export { encodeOtlpProto } from "./proto-encode.js";
export { encodeOtlpJson, otlpJsonObject } from "./json-encode.js";
export { decodeOtlpProtoSpans } from "./proto-decode.js";
