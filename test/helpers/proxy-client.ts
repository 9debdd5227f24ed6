import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { connect as tlsConnect } from "node:tls";

export interface ProxiedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The subject of the certificate the client was shown. */
  peer: string;
}

/**
 * What an agent in the sandbox does: a CONNECT to `authority` through gaffer's proxy socket, TLS
 * trusting `ca` only (no name check when `insecure`), then one HTTP request.
 */
export function proxiedRequest(
  socketPath: string,
  authority: string,
  options: {
    ca: string;
    insecure?: boolean;
    method?: string;
    path?: string;
    headers?: OutgoingHttpHeaders;
    body?: string;
  },
): Promise<ProxiedAnswer> {
  return new Promise((resolve, reject) => {
    const connect = httpRequest({ socketPath, method: "CONNECT", path: authority });
    connect.on("error", reject);
    connect.on("connect", (answer, socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        return reject(new Error(`CONNECT ${authority}: ${answer.statusCode}`));
      }
      const host = authority.replace(/:\d+$/, "");
      const secure = tlsConnect({
        socket,
        host,
        ca: options.ca,
        ...(/^[\d.]+$/.test(host) ? {} : { servername: host }),
        ...(options.insecure && { rejectUnauthorized: false }),
      });
      secure.on("error", reject);
      secure.on("secureConnect", () => {
        const peer = JSON.stringify(secure.getPeerCertificate().subject ?? {});
        const req = httpRequest(
          {
            createConnection: () => secure,
            method: options.method ?? "POST",
            path: options.path ?? "/",
            headers: { host: authority, ...options.headers },
          },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () => {
              secure.end();
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer });
            });
          },
        );
        req.on("error", reject);
        req.end(options.body);
      });
    });
    connect.end();
  });
}
