export { encodeOtlpProto } from "./proto-encode.js";
export { encodeOtlpJson } from "./json-encode.js";
export { decodeOtlpProtoSpans } from "./proto-decode.js";
