package io.jasyncio;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Child JVM of {@code LoopRobustnessTest}: a loop whose first task opens the loop's selector (the
 * moment jasyncio makes the JDK start its poller for virtual threads), then closes; afterwards a
 * virtual thread of the JDK's own scheduler blocks reading a socket, which only the JDK's poller
 * can wake. Prints "read N" when the read returned, so a poller bound to the closed loop shows as
 * a child that never prints it.
 */
public final class PollerChild {
    private PollerChild() {
    }

    public static void main(String[] args) throws Exception {
        Asyncio.run(() -> {
            var srv = Asyncio.getRunningLoop().createServer(() -> new io.jasyncio.net.Protocol() {
            }, "127.0.0.1", 0);
            srv.close();
            srv.waitClosed();
            return null;
        });
        System.out.println("loop closed");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int[] got = new int[1];
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                     InputStream in = s.getInputStream()) {
                    got[0] = in.read(); // parks on the JDK's poller until the byte comes
                } catch (Exception e) {
                    got[0] = -2;
                }
            });
            try (Socket peer = listener.accept(); OutputStream out = peer.getOutputStream()) {
                Thread.sleep(200); // let the reader park first
                out.write(42);
                out.flush();
                reader.join();
            }
            System.out.println("read " + got[0]);
        }
    }
}
