import net from "node:net";

/**
 * A TCP port on 127.0.0.1 that is free right now and not in `reserved` (ports this process already
 * handed out whose instance has not bound yet). The instance may still lose a race for it: LS then
 * moves to the next port and announces it, which the backend adopts.
 */
export async function findFreePort(reserved: ReadonlySet<number>, attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const found = typeof address === "object" && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port > 0 && !reserved.has(port)) return port;
  }
  throw new Error("No free TCP port found on 127.0.0.1");
}
