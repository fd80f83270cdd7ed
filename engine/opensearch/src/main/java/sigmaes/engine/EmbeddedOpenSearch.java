package sigmaes.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * One OpenSearch 2.19 node in this JVM, with the modules a packaged distribution would load
 * (HTTP, analysis-common, mapper-extras, painless), so queries behave as on a real cluster.
 *
 * Usage: EmbeddedOpenSearch <home-dir> [http-port-or-range] [transport-port-or-range]
 * Prints "ENGINE_READY http://host:port" on stdout once HTTP is bound; the TypeScript side
 * still waits for yellow health because a bound port does not mean shards can be allocated.
 * SIGTERM closes the node through the shutdown hook so the data directory lock is released.
 */
public final class EmbeddedOpenSearch {
  private EmbeddedOpenSearch() {}

  /** Node's plugin-list constructor is protected: the only public one loads no plugins. */
  static final class ClasspathNode extends Node {
    ClasspathNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
      super(env, plugins, true);
    }

    // Its default registers a listener that needs the full distribution's logging setup.
    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: EmbeddedOpenSearch <home-dir> [http-port] [transport-port]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(home.resolve("data"));
    Files.createDirectories(home.resolve("logs"));
    Settings settings = Settings.builder()
        .put("path.home", home.toString())
        .put("cluster.name", "sigma-es")
        .put("node.name", "sigma-es-1")
        .put("discovery.type", "single-node")
        .put("network.host", "127.0.0.1")
        .put("http.port", args.length > 1 ? args[1] : "9250-9299")
        .put("transport.port", args.length > 2 ? args[2] : "9350-9399")
        // Development machines and CI runners often have nearly full disks; a test engine must
        // not turn indices read-only because of a watermark.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        // OpenSearch 2.x defaults to 1,024 boolean clauses per query; SigmaHQ rules that list
        // thousands of hashes or driver names need more (Elasticsearch 9 sizes its limit from
        // the heap). A cluster with the default refuses those queries with "maxClauseCount".
        .put("indices.query.bool.max_clause_count", 65536)
        // OpenSearch 2.x also caps query_string text at 32,000 characters; the Lucene rendering
        // of a SigmaHQ rule with a thousand values is longer.
        .put("search.query.max_query_string_length", 10_000_000)
        .build();
    LogConfigurator.registerErrorListener();
    LogConfigurator.configureWithoutConfig(settings);
    Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "sigma-es-1");
    Node node = new ClasspathNode(env, List.of(
        org.opensearch.transport.Netty4Plugin.class,
        org.opensearch.analysis.common.CommonAnalysisPlugin.class,
        org.opensearch.index.mapper.MapperExtrasPlugin.class,
        org.opensearch.painless.PainlessPlugin.class));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        System.err.println("error while closing the node: " + e);
      }
    }, "sigma-es-shutdown"));
    node.start();
    var address = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
    System.out.println("ENGINE_READY http://" + address.getAddress() + ":" + address.getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
