package dev.serverfleet.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 in front of one upstream host:port, which can be taken down and
 * brought back on the same port. Bytes pass untouched, so TLS runs end to end between the client
 * and the upstream (the client must name a host the upstream's certificate holds: 127.0.0.1 here).
 *
 * <p>Modes: {@link Mode#REFUSE} does not listen (connection refused); {@link Mode#RESET} accepts
 * and closes at once (the client reads EOF mid-handshake); {@link Mode#FORWARD} pipes both ways.
 * Leaving {@code FORWARD} cuts every connection it was piping. Every method is thread-safe.
 */
public final class TcpForwarder implements AutoCloseable {
  public enum Mode {
    REFUSE,
    RESET,
    FORWARD
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final InetSocketAddress upstream;
  private final int port;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tcp-forwarder-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Mode mode;
  private ServerSocket server; // null while REFUSE; guarded by this

  private TcpForwarder(InetSocketAddress upstream, int port, Mode mode) {
    this.upstream = upstream;
    this.port = port;
    mode(mode);
  }

  /** A forwarder to {@code host:upstreamPort} on 127.0.0.1 and a free port, in the given mode. */
  public static TcpForwarder start(String host, int upstreamPort, Mode mode) throws IOException {
    return new TcpForwarder(
        new InetSocketAddress(host, upstreamPort), OperatorProcess.freePort(), mode);
  }

  public int port() {
    return port;
  }

  /** Connections accepted so far, in any mode: proof that a client kept trying. */
  public int accepted() {
    return accepted.get();
  }

  public synchronized void mode(Mode next) {
    Mode previous = mode;
    mode = next;
    if (next == Mode.REFUSE && server != null) {
      closeQuietly(server);
      server = null;
    } else if (next != Mode.REFUSE && server == null) {
      server = listen();
      ServerSocket s = server;
      threads.execute(() -> acceptLoop(s));
    }
    if (previous == Mode.FORWARD && next != Mode.FORWARD) {
      open.forEach(TcpForwarder::closeQuietly);
      open.clear();
    }
  }

  @Override
  public void close() {
    mode(Mode.REFUSE);
    threads.shutdownNow();
  }

  private ServerSocket listen() {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // closed by mode(REFUSE) or close()
      }
      accepted.incrementAndGet();
      if (mode != Mode.FORWARD) {
        closeQuietly(client);
        continue;
      }
      threads.execute(() -> forward(client));
    }
  }

  private void forward(Socket client) {
    Socket server = new Socket();
    try {
      server.connect(upstream, 5_000);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(server);
      return;
    }
    open.add(client);
    open.add(server);
    if (mode != Mode.FORWARD) { // went down while we connected
      closeQuietly(client);
      closeQuietly(server);
      return;
    }
    AtomicInteger ended = new AtomicInteger();
    threads.execute(() -> pipe(client, server, ended));
    pipe(server, client, ended);
  }

  /**
   * Copies until EOF, then half-closes {@code to} (TLS close_notify and HTTP keep-alive need both
   * directions to end on their own); on an error, or once both directions ended, closes both.
   */
  private void pipe(Socket from, Socket to, AtomicInteger ended) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream(); // closing a socket's stream would close the socket
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      ended.set(1);
    }
    if (ended.incrementAndGet() >= 2) {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }
}
