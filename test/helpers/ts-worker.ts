/** The training worker run from the TypeScript sources, as tests need it (no build step). */
export const TS_WORKER = {
  url: new URL("../../src/model/train-worker.ts", import.meta.url),
  execArgv: ["--import", new URL("../unit/model/helpers/ts-register.mjs", import.meta.url).pathname],
};
