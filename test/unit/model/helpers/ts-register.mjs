// Lets a worker thread (or a child process) started by a test run the TypeScript sources directly:
// `node --import <this file> x.ts`. Types are stripped with the project's own TypeScript compiler.
import { register } from "node:module";

register(new URL("./ts-hooks.mjs", import.meta.url));
