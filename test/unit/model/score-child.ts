// Child process of store.test.ts: trains a model, saves it to the store at argv[2] and prints the
// scores of the probe traces as JSON.
import { loadModel } from "../../../src/core/model/model.js";
import { ModelStore } from "../../../src/model/store.js";
import { probes, trainedArtifact } from "./fixture.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: score-child.ts <dir>");
const a = trainedArtifact();
await new ModelStore({ dir }).save(a);
const m = loadModel(a);
process.stdout.write(
  JSON.stringify({ version: a.version, scores: probes().map((f) => m.score(f).anomalyScore) }),
);
