// Types for kafka.mjs, so TypeScript test code (test/helpers/kafka-global-setup.ts) can call it.

/** Kafka version used when TRACEWATCH_KAFKA_VERSION is unset. */
export declare const DEFAULT_KAFKA_VERSION: string;

/** Options shared by the broker functions. */
export interface BrokerOptions {
  /** Environment to read the TRACEWATCH_KAFKA_* settings from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives progress lines (jar resolution, formatting, stopping). Default: discard. */
  log?: (line: string) => void;
}

/** The recorded state of a running broker (.kafka/broker.json). */
export interface BrokerState {
  pid: number;
  version: string;
  /** host:port for clients, always on 127.0.0.1. */
  bootstrap: string;
  config: string;
  owner: "cli" | "test";
  logFile: string;
  dataDir: string;
  /** ISO-8601 time the JVM was launched. */
  startedAt: string;
}

export interface StartResult extends BrokerState {
  alreadyRunning: boolean;
  /** Wall time of the whole call, seconds. */
  seconds: number;
  /** Present when this call launched the JVM: seconds from launch to the first successful metadata request. */
  launchSeconds?: number;
  resolvedJars?: boolean;
}

export declare function startBroker(
  options?: BrokerOptions & { owner?: "cli" | "test" },
): Promise<StartResult>;

export declare function stopBroker(
  options?: BrokerOptions,
): Promise<{ stopped: boolean; pid?: number; version?: string; how?: "gone" | "terminated" | "killed" }>;

export declare function brokerStatus(
  options?: Pick<BrokerOptions, "env">,
): Promise<
  | { running: false; bootstrap: string; home: string }
  | (BrokerState & { running: true; ready: boolean; clusterId?: string })
>;

export declare function resolveJars(
  options?: BrokerOptions,
): Promise<{ jars: string[]; resolved: boolean; seconds: number }>;

/** Take a lease on the broker and start it if needed; pair with releaseTestBroker. */
export declare function acquireTestBroker(
  options?: BrokerOptions,
): Promise<{ lease: string; bootstrap: string; startedHere: boolean; version: string }>;

/**
 * Release a lease; stops the broker only when a test run started it and no other live test run
 * holds a lease. A broker started with `npm run kafka:start` is left running.
 */
export declare function releaseTestBroker(
  lease: string,
  options?: BrokerOptions,
): Promise<{ stopped: boolean; reason?: string; pid?: number; version?: string; how?: string }>;

/** The broker's settings as the TRACEWATCH_KAFKA_* variables of `env` resolve them (the fields tests use). */
export declare function loadSettings(env?: NodeJS.ProcessEnv): Readonly<{
  version: string;
  port: number;
  controllerPort: number;
  /** host:port for clients. */
  bootstrap: string;
  /** TRACEWATCH_KAFKA_HOME: jars, data and logs. */
  home: string;
  /** Jars of this version (a link to another home's jars is followed). */
  libDir: string;
  dataDir: string;
}>;
