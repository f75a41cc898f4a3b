export { UNKNOWN, extractFeatures, type ExtractOptions } from "./extract.js";
export { GROUP_KEY_STRATEGIES, groupKeyOf, type GroupKeyStrategy } from "./group-key.js";
