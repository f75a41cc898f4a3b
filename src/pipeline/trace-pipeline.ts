/** The stages after assembly live in the core now (src/core/pipeline); this path stays for imports. */
export * from "../core/pipeline/trace-pipeline.js";
