/** Directory of the vendored opentelemetry-proto files. */
export const PROTO_DIR: string;
/** Path of the generated constants module. */
export const OUTPUT: string;
/** The vendored .proto files the generator reads, relative to PROTO_DIR. */
export const PROTO_FILES: readonly string[];
/** Source text of the generated constants module for the .proto files under `protoDir`. */
export function generate(protoDir?: string): string;
