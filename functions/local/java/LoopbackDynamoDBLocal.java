import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local with the jar's own options, listening on 127.0.0.1 only and halting when its standard input closes.
 *
 * <p>DynamoDB Local 3.3.0 has no host option: it builds Jetty with {@code new Server(port)}, which binds every interface.
 * The parent holds the only write end of stdin, so the kernel closes it however the parent ends (exit, SIGKILL, abort).
 * Rebuild with {@code npm run build:dynamodb-launcher} (see functions/local/embeddedStore.ts).
 */
public final class LoopbackDynamoDBLocal {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) {
    haltWhenStdinCloses();
    try {
      DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
      bindToLoopback(jettyServer(proxy));
      proxy.start();
    } catch (Exception e) {
      System.err.println("DynamoDB Local launcher: " + e);
      Runtime.getRuntime().halt(1);
    }
  }

  private static void haltWhenStdinCloses() {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent never writes; only the end of the stream matters
        }
      } catch (IOException e) {
        // a broken stdin means the parent is gone as well
      }
      Runtime.getRuntime().halt(1);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** The Jetty server inside DynamoDBProxyServer, found by type: the jar offers no accessor. */
  private static Server jettyServer(DynamoDBProxyServer proxy) throws IllegalAccessException {
    for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
      if (field.getType() == Server.class) {
        field.setAccessible(true);
        return (Server) field.get(proxy);
      }
    }
    throw new IllegalStateException("DynamoDBProxyServer has no Jetty Server field in this DynamoDB Local version");
  }

  private static void bindToLoopback(Server server) {
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector");
    for (Connector connector : connectors) {
      if (!(connector instanceof AbstractNetworkConnector)) {
        throw new IllegalStateException("DynamoDB Local's Jetty connector " + connector + " takes no host");
      }
      ((AbstractNetworkConnector) connector).setHost(HOST);
    }
  }
}
