/**
 * A TraceAnomalyDetector document around `spec`: the keys below `spec:`, each line indented two
 * spaces. `name` is metadata.name.
 */
export const detectorConfig = (spec: string, name = "shop"): string => `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: ${name}
spec:
${spec}`;
