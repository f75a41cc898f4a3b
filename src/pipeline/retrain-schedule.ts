/** The retrain schedule lives in the core now (src/core/pipeline); this path stays for imports. */
export * from "../core/pipeline/retrain-schedule.js";
