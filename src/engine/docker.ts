/**
 * Docker provider, through testcontainers. testcontainers is a devDependency and most
 * machines this runs on (CI included) have no Docker runtime, so it is loaded only when this
 * provider is asked for, and every way it can be missing becomes one clear error.
 */
import { SigmaEsError } from '../errors';
import type { Flavour } from './client';

export const DOCKER_IMAGES: Record<Flavour, string> = {
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:9.5.0',
  opensearch: 'opensearchproject/opensearch:2.19.3',
};

export interface DockerEngine {
  url: string;
  stop(): Promise<void>;
}

interface StartedContainer {
  getHost(): string;
  getMappedPort(p: number): number;
  stop(): Promise<unknown>;
}
interface GenericContainerLike {
  withEnvironment(env: Record<string, string>): GenericContainerLike;
  withExposedPorts(...ports: number[]): GenericContainerLike;
  withWaitStrategy(w: unknown): GenericContainerLike;
  withStartupTimeout(ms: number): GenericContainerLike;
  start(): Promise<StartedContainer>;
}
interface TestcontainersModule {
  GenericContainer: new (image: string) => GenericContainerLike;
  Wait: { forHttp(path: string, port: number): { forStatusCode(c: number): unknown } };
  getContainerRuntimeClient(): Promise<unknown>;
}

async function loadTestcontainers(): Promise<TestcontainersModule> {
  try {
    // A variable specifier keeps tsc from requiring the module's types at build time.
    const name = 'testcontainers';
    return (await import(name)) as TestcontainersModule;
  } catch (e) {
    throw new SigmaEsError(
      'ENGINE_START_FAILED',
      `the docker engine needs the 'testcontainers' package (npm install --save-dev testcontainers@11), which could not be loaded: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

export async function startDocker(flavour: Flavour, image = DOCKER_IMAGES[flavour]): Promise<DockerEngine> {
  const tc = await loadTestcontainers();
  try {
    await tc.getContainerRuntimeClient();
  } catch (e) {
    throw new SigmaEsError(
      'ENGINE_START_FAILED',
      `no Docker runtime found (${(e as Error).message.split('\n')[0]}); use the embedded engine (the default) or an existing cluster (--url or ES_URL) instead`,
    );
  }
  const env: Record<string, string> =
    flavour === 'elasticsearch'
      ? {
          'discovery.type': 'single-node',
          'xpack.security.enabled': 'false',
          'cluster.routing.allocation.disk.threshold_enabled': 'false',
          ES_JAVA_OPTS: '-Xms512m -Xmx512m',
        }
      : {
          'discovery.type': 'single-node',
          DISABLE_SECURITY_PLUGIN: 'true',
          DISABLE_INSTALL_DEMO_CONFIG: 'true',
          'cluster.routing.allocation.disk.threshold_enabled': 'false',
          OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
        };
  try {
    const container = await new tc.GenericContainer(image)
      .withEnvironment(env)
      .withExposedPorts(9200)
      .withWaitStrategy(tc.Wait.forHttp('/_cluster/health?wait_for_status=yellow&timeout=1s', 9200).forStatusCode(200))
      .withStartupTimeout(240_000)
      .start();
    return {
      url: `http://${container.getHost()}:${container.getMappedPort(9200)}`,
      stop: async () => {
        await container.stop();
      },
    };
  } catch (e) {
    throw new SigmaEsError('ENGINE_START_FAILED', `could not start ${image} in Docker: ${(e as Error).message.split('\n')[0]}`);
  }
}
