/**
 * What reaches the API other than plain HTTP on the main port: proxy mode (absolute-form requests
 * and CONNECT tunnels on the main port) and the TLS port. Both end in the same `http.Server` —
 * a decrypted TLS socket, or a tunnel's own socket, is handed to it as a new connection — so every
 * call goes through the one Fastify app and its pipeline (journal, metrics, rate limit, signature).
 *
 * Proxy mode, for clients that keep the production endpoints:
 *  - `CONNECT <api name>:443` — a Tencent Cloud API name (tencentcloudapi.com or under it): the
 *    tunnel's TLS is terminated with a leaf for that name from the local CA and the requests
 *    inside are served as the API. `:80` tunnels plain HTTP the same way (https-proxy-agent
 *    CONNECTs for http:// URLs too). Other ports are refused (403).
 *  - `CONNECT` to this server's own address and port: served the same way, TLS or plain.
 *  - `CONNECT` anywhere else: a plain byte tunnel, so the rest of an application keeps working —
 *    unless passthrough is off (403).
 *  - Absolute-form requests (`POST http://billing.tencentcloudapi.com/ HTTP/1.1`): served as the
 *    API for API names and this server; forwarded for other hosts when passthrough is on.
 * The proxy's own refusals are plain HTTP (400, 403, 502, 504), as proxies answer; everything
 * on the API path keeps the JSON envelope.
 *
 * Nothing waits forever: a tunnel's first byte and a TLS handshake get `handshakeMs`, a
 * passthrough connection `connectMs`; a client that vanishes takes its tunnel with it.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { lingerThenClose, type BodyBounds } from '../protocol/body.js';
import { tagRequest, tagSocket, type Arrival } from './arrival.js';
import type { LocalCa } from './ca.js';
import { LeafCache, type ReadyLeaf } from './leaves.js';
import { API_DOMAIN, formatAuthority, isApiName, isLoopbackHost, NameNotPermittedError, normalizeHost, parseAuthority, permitted } from './names.js';

export type CaSource = LocalCa | (() => Promise<LocalCa>);

export interface ProxyOptions {
  /** Tunnel CONNECTs to, and forward requests for, hosts that are not the API (default true). */
  readonly passthrough?: boolean;
  /** Time for a tunnel's first byte and for a TLS handshake, in ms (default 10 000). */
  readonly handshakeMs?: number;
  /** Time to connect to a passthrough host, in ms (default 10 000). */
  readonly connectMs?: number;
}

export interface FrontEvents {
  /** A CONNECT or absolute-form request, by what it reached and how it ended. */
  proxy(target: 'api' | 'passthrough', outcome: 'ok' | 'refused' | 'failed'): void;
  /** A TLS handshake that failed or never finished. */
  handshakeFailed(via: 'tls' | 'proxy'): void;
  /** A leaf certificate was minted. */
  minted(): void;
}

export interface FrontOptions {
  readonly ca?: CaSource;
  /** Proxy mode; absent: CONNECT and absolute-form requests are left to the API (which refuses them). */
  readonly proxy?: ProxyOptions;
  readonly log?: Logger;
  readonly events: FrontEvents;
  readonly bounds: BodyBounds;
  readonly lingering: Set<Socket>;
  /** The answer in flight on the socket, if any (closing then waits for it). */
  readonly answering: (socket: Socket) => ServerResponse | undefined;
}

export interface TlsListenOptions {
  readonly port: number;
  readonly host: string;
  /** Extra names for the local CA's certificate (besides localhost, loopback and *.tencentcloudapi.com). */
  readonly names?: readonly string[];
  /** PEM files of a certificate (chain) and key the operator brings; then the local CA is not used. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** The names of the TLS port's certificate from the local CA. */
export const DEFAULT_TLS_NAMES = ['localhost', '127.0.0.1', '::1', API_DOMAIN, `*.${API_DOMAIN}`] as const;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

const noop = () => {};

export class Front {
  private leaves: Promise<LeafCache> | undefined;
  private tlsServer: NetServer | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  /** Sockets this module owns or handed over: tunnels, handshakes, decrypted connections. */
  private readonly sockets = new Set<Socket>();
  private closing = false;
  readonly passthrough: boolean;
  private readonly handshakeMs: number;
  private readonly connectMs: number;

  constructor(
    private readonly server: HttpServer,
    private readonly o: FrontOptions,
  ) {
    this.passthrough = o.proxy?.passthrough ?? true;
    this.handshakeMs = o.proxy?.handshakeMs ?? 10_000;
    this.connectMs = o.proxy?.connectMs ?? 10_000;
  }

  get proxying(): boolean {
    return this.o.proxy !== undefined;
  }

  /** Sockets the proxy or the TLS port hold open right now (tests check none is left). */
  get openSockets(): number {
    return this.sockets.size;
  }

  private leafCache(): Promise<LeafCache> {
    if (!this.o.ca) return Promise.reject(new Error('no local CA configured'));
    const source = this.o.ca;
    this.leaves ??= (typeof source === 'function' ? source() : Promise.resolve(source)).then(
      (ca) => new LeafCache(ca.signer, { onMint: () => this.o.events.minted() }),
    );
    // A failure to load the CA is reported to this caller and tried again by the next.
    this.leaves.catch(() => (this.leaves = undefined));
    return this.leaves;
  }

  private track(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** A decrypted (or plain tunnelled) connection, handed to the HTTP server like a new one. */
  private handOver(socket: Socket): void {
    this.track(socket);
    this.server.emit('connection', socket);
  }

  // ---------------------------------------------------------------- proxy: plain responses

  private refuse(socket: Socket, status: number, text: string, target: 'api' | 'passthrough', log: Record<string, unknown>): void {
    const reason = { 400: 'Bad Request', 403: 'Forbidden', 502: 'Bad Gateway', 504: 'Gateway Timeout' }[status] ?? 'Error';
    const body = `${text}\n`;
    socket.on('error', noop);
    if (!socket.destroyed && socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    this.o.events.proxy(target, status >= 500 ? 'failed' : 'refused');
    this.o.log?.info({ ...log, status }, 'proxy request refused');
    lingerThenClose(socket, undefined, this.o.bounds, this.o.lingering);
  }

  private refuseResponse(res: ServerResponse, status: number, text: string, target: 'api' | 'passthrough', log: Record<string, unknown>): void {
    const body = `${text}\n`;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
    this.o.events.proxy(target, status >= 500 ? 'failed' : 'refused');
    this.o.log?.info({ ...log, status }, 'proxy request refused');
  }

  // ---------------------------------------------------------------- proxy: what is "this server"

  /** This server's own address and port (the main or the TLS port), as a client may name it. */
  private isSelf(host: string, port: number): boolean {
    const candidates = [this.server.address(), this.tlsServer?.address()].filter((a): a is AddressInfo => typeof a === 'object' && a !== null);
    return candidates.some((a) => {
      if (a.port !== port) return false;
      const bound = normalizeHost(a.address);
      if (bound === '0.0.0.0' || bound === '::') {
        if (isLoopbackHost(host)) return true;
        return Object.values(networkInterfaces()).some((list) => list?.some((i) => normalizeHost(i.address) === host));
      }
      return host === bound || (host === 'localhost' && isLoopbackHost(bound));
    });
  }

  // ---------------------------------------------------------------- proxy: absolute-form

  /**
   * An absolute-form request (`POST http://host/ HTTP/1.1`). For the API (an API name or this
   * server) the URL becomes origin-form and the request goes on to the app: returns false. For
   * other hosts it is forwarded or refused here: returns true.
   */
  intercept(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    if (!this.proxying || url.startsWith('/')) return false;
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)/.exec(url);
    if (!m) return false;
    const scheme = m[1]!.toLowerCase();
    const authority = m[2]!;
    const target = parseAuthority(authority, scheme === 'https' ? 443 : 80);
    if (!target || (scheme !== 'http' && scheme !== 'https')) return false; // the API answers: InvalidAction
    const path = m[3] === '' ? '/' : m[3]!.startsWith('/') ? m[3]! : `/${m[3]}`;
    if (isApiName(target.host) || this.isSelf(target.host, target.port)) {
      req.url = path;
      if (req.headers.host === undefined) req.headers.host = authority;
      tagRequest(req, { via: 'proxy', target: formatAuthority(target.host, target.port), tls: false });
      this.o.events.proxy('api', 'ok');
      return false;
    }
    const log = { target: formatAuthority(target.host, target.port), method: req.method };
    req.on('error', noop);
    if (!this.passthrough) {
      req.resume();
      this.refuseResponse(res, 403, `tcdeals proxies only Tencent Cloud API hosts (*.${API_DOMAIN}); passthrough to ${log.target} is off.`, 'passthrough', log);
      return true;
    }
    if (scheme !== 'http') {
      req.resume();
      this.refuseResponse(res, 400, `Send https:// requests to ${log.target} through a CONNECT tunnel.`, 'passthrough', log);
      return true;
    }
    this.forward(req, res, target, path, log);
    return true;
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: { host: string; port: number }, path: string, log: Record<string, unknown>): void {
    const named = new Set((req.headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()));
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      const lower = name.toLowerCase();
      if (!HOP_BY_HOP.has(lower) && !named.has(lower)) headers.push([name, req.rawHeaders[i + 1]!]);
    }
    if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.push(['Host', formatAuthority(target.host, target.port)]);
    if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path, headers: headers.flat() as unknown as OutgoingHttpHeaders, setHost: false, agent: false });
    // Only connecting is bounded: once connected, the origin takes the time it takes (long polls).
    const connectTimer = setTimeout(() => upstream.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), this.connectMs);
    upstream.once('socket', (s: Socket) => s.once('connect', () => clearTimeout(connectTimer)));
    upstream.once('close', () => clearTimeout(connectTimer));
    upstream.on('response', (answer) => {
      const out: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const lower = answer.rawHeaders[i]!.toLowerCase();
        if (!HOP_BY_HOP.has(lower)) out.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      this.o.events.proxy('passthrough', 'ok');
      this.o.log?.debug({ ...log, status: answer.statusCode }, 'proxy request forwarded');
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      const timedOut = err.code === 'ETIMEDOUT';
      this.refuseResponse(res, timedOut ? 504 : 502, `tcdeals could not reach ${String(log.target)}: ${err.code ?? err.message}`, 'passthrough', { ...log, err: err.code ?? err.message });
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  // ---------------------------------------------------------------- proxy: CONNECT

  /** The server's `connect` event. */
  connect(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', noop);
    this.track(socket);
    const raw = req.url ?? '';
    const target = parseAuthority(raw);
    const shown = JSON.stringify(raw.slice(0, 100));
    if (!target) {
      return this.refuse(socket, 400, `CONNECT needs a target of the form host:port (port 1-65535), not ${shown}.`, 'passthrough', { target: raw.slice(0, 100) });
    }
    const authority = formatAuthority(target.host, target.port);
    const log = { target: authority };
    if (this.closing) return this.refuse(socket, 502, 'tcdeals is shutting down.', 'passthrough', log);
    if (isApiName(target.host)) {
      if (target.port !== 443 && target.port !== 80) {
        return this.refuse(socket, 403, `tcdeals serves ${target.host} on ports 443 (HTTPS) and 80 (HTTP) only, not ${target.port}.`, 'api', log);
      }
      return void this.serveTunnel(socket, head, target, target.port === 443 ? 'tls' : 'plain', authority);
    }
    if (this.isSelf(target.host, target.port)) return void this.serveTunnel(socket, head, target, 'either', authority);
    if (!this.passthrough) {
      return this.refuse(socket, 403, `tcdeals proxies only Tencent Cloud API hosts (*.${API_DOMAIN}); passthrough to ${authority} is off.`, 'passthrough', log);
    }
    this.tunnel(socket, head, target, authority);
  }

  /** Waits for the tunnel's first bytes (they may have come with the CONNECT), up to the handshake time. */
  private firstBytes(socket: Socket, head: Buffer): Promise<Buffer | undefined> {
    if (head.length > 0) return Promise.resolve(head);
    return new Promise((resolve) => {
      const done = (b: Buffer | undefined) => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        resolve(b);
      };
      const onData = (b: Buffer) => {
        socket.pause();
        done(b);
      };
      const onEnd = () => done(undefined);
      const timer = setTimeout(() => done(undefined), this.handshakeMs);
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
    });
  }

  /** A tunnel into the API: TLS terminated with a leaf for the target (or its SNI name), or plain HTTP. */
  private async serveTunnel(socket: Socket, head: Buffer, target: { host: string; port: number }, mode: 'tls' | 'plain' | 'either', authority: string): Promise<void> {
    const log = { target: authority };
    // The leaf is minted (or found) while the client starts its handshake.
    const leaf = mode !== 'plain' && permitted(target.host) ? this.leafCache().then((c) => c.context(target.host)) : undefined;
    leaf?.catch(noop);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const first = await this.firstBytes(socket, head);
    if (!first) {
      this.o.log?.info(log, first === undefined && !socket.destroyed ? 'proxy tunnel closed: the client sent nothing' : 'proxy tunnel closed by the client');
      this.o.events.proxy('api', 'failed');
      return void socket.destroy();
    }
    socket.pause();
    socket.unshift(first);
    const isTls = first[0] === 0x16;
    if (mode === 'tls' && !isTls) {
      return this.refuse(socket, 400, `This tunnel leads to ${authority}, a TLS port, but the client sent plain HTTP: use https:// (or CONNECT to port 80 for plain HTTP).`, 'api', log);
    }
    if (!isTls) {
      if (mode === 'plain' || mode === 'either') {
        tagSocket(socket, { via: 'proxy', target: authority, tls: false });
        this.o.events.proxy('api', 'ok');
        this.handOver(socket);
        // The HTTP server reads a socket it did not accept through 'data' events: let them flow.
        socket.resume();
        return;
      }
    }
    if (mode === 'plain' || !leaf) {
      this.o.log?.info(log, mode === 'plain' ? 'proxy tunnel closed: TLS sent to a plain HTTP port' : 'proxy tunnel closed: the CA may not sign this name');
      this.o.events.proxy('api', 'refused');
      return void socket.destroy();
    }
    let context: SecureContext;
    try {
      context = await leaf;
    } catch (err) {
      this.o.log?.warn({ ...log, err: (err as Error).message }, 'proxy tunnel closed: no certificate for the target');
      this.o.events.proxy('api', 'failed');
      return void socket.destroy();
    }
    if (socket.destroyed) return;
    const sni = (name: string) => (name === target.host || !(isApiName(name) || isLoopbackHost(name)) || !permitted(name) ? undefined : this.leafCache().then((c) => c.context(name)));
    this.terminate(socket, context, sni, () => ({ via: 'proxy', target: authority, tls: true }), 'proxy', log);
  }

  /**
   * TLS termination on a raw socket (a tunnel's, or one accepted on the TLS port): the decrypted
   * socket goes to the HTTP server once the handshake is done. `sni` picks the certificate for a
   * server name (undefined: the default one).
   */
  private terminate(
    raw: Socket,
    context: SecureContext,
    sni: ((name: string) => Promise<SecureContext> | undefined) | undefined,
    arrival: (socket: TLSSocket) => Arrival,
    via: 'tls' | 'proxy',
    log: Record<string, unknown>,
  ): void {
    const tlsSocket = new TLSSocket(raw, {
      isServer: true,
      secureContext: context,
      ALPNProtocols: ['http/1.1'],
      ...(sni
        ? {
            SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
              const chosen = sni(normalizeHost(servername));
              if (!chosen) return cb(null, context);
              chosen.then((ctx) => cb(null, ctx), () => cb(null, context));
            },
          }
        : {}),
    });
    // From here on the TLS socket stands for the connection (it is the one an answer is in flight on).
    this.sockets.delete(raw);
    this.track(tlsSocket);
    let secure = false;
    const timer = setTimeout(() => {
      this.o.log?.info(log, 'connection closed: the TLS handshake did not finish');
      this.o.events.handshakeFailed(via);
      tlsSocket.destroy();
    }, this.handshakeMs);
    tlsSocket.on('error', (err: NodeJS.ErrnoException) => {
      if (!secure) {
        clearTimeout(timer);
        this.o.events.handshakeFailed(via);
        this.o.log?.info({ ...log, err: err.code ?? err.message }, 'TLS handshake failed');
      }
      tlsSocket.destroy();
    });
    tlsSocket.once('close', () => {
      clearTimeout(timer);
      raw.destroy();
    });
    raw.once('close', () => tlsSocket.destroy());
    tlsSocket.once('secure', () => {
      secure = true;
      clearTimeout(timer);
      tagSocket(tlsSocket, arrival(tlsSocket));
      if (via === 'proxy') this.o.events.proxy('api', 'ok');
      this.handOver(tlsSocket);
    });
  }

  /** A passthrough tunnel: bytes both ways, unchanged. */
  private tunnel(socket: Socket, head: Buffer, target: { host: string; port: number }, authority: string): void {
    const log = { target: authority };
    const upstream = netConnect({ host: target.host, port: target.port });
    this.track(upstream);
    upstream.on('error', noop);
    let connected = false;
    const timer = setTimeout(() => {
      upstream.destroy();
      this.refuse(socket, 504, `tcdeals could not connect to ${authority} within ${this.connectMs / 1000} s.`, 'passthrough', log);
    }, this.connectMs);
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (connected) return void socket.destroy();
      this.refuse(socket, 502, `tcdeals could not connect to ${authority}: ${err.code ?? err.message}.`, 'passthrough', { ...log, err: err.code ?? err.message });
    });
    // A client gone before the upstream answers takes the attempt with it.
    const abandon = () => {
      if (!connected) {
        clearTimeout(timer);
        upstream.destroy();
      }
    };
    socket.once('close', abandon);
    upstream.once('connect', () => {
      clearTimeout(timer);
      socket.off('close', abandon);
      if (socket.destroyed) return void upstream.destroy();
      connected = true;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
      // Either side closing ends the other: gently (what is buffered is still delivered), then for sure.
      const follow = (from: Socket, to: Socket) =>
        from.once('close', () => {
          if (to.destroyed) return;
          to.end();
          setTimeout(() => to.destroy(), this.o.bounds.drainMs).unref();
        });
      follow(socket, upstream);
      follow(upstream, socket);
      socket.once('error', () => upstream.destroy());
      upstream.once('error', () => socket.destroy());
      this.o.events.proxy('passthrough', 'ok');
      this.o.log?.debug(log, 'proxy tunnel opened');
    });
  }

  // ---------------------------------------------------------------- the TLS port

  /**
   * Serves the API over TLS on a port of its own: with the operator's certificate, or with a
   * leaf from the local CA for localhost, loopback, tencentcloudapi.com and *.tencentcloudapi.com
   * (plus `names`) — and, for a server name outside those that the CA may sign, a leaf of its own.
   */
  async listenTls(o: TlsListenOptions): Promise<AddressInfo> {
    if (this.tlsServer) throw new Error('the TLS port is already listening');
    let context: () => SecureContext;
    let sni: ((name: string) => Promise<SecureContext> | undefined) | undefined;
    if (o.certFile || o.keyFile) {
      if (!o.certFile || !o.keyFile) throw new Error('--tls-cert and --tls-key go together');
      const own = createSecureContext({ cert: readFileSync(o.certFile), key: readFileSync(o.keyFile), minVersion: 'TLSv1.2' });
      context = () => own;
    } else {
      const names = [...new Set([...DEFAULT_TLS_NAMES, ...(o.names ?? []).map(normalizeHost)])];
      const refused = names.filter((n) => !permitted(n));
      if (refused.length) throw new NameNotPermittedError(refused);
      const cache = await this.leafCache();
      let current: ReadyLeaf = await cache.get(names);
      context = () => current.context;
      const covered = (name: string) => names.includes(name) || names.some((n) => n.startsWith('*.') && name.endsWith(n.slice(1)) && !name.slice(0, name.length - n.length + 1).includes('.'));
      sni = (name) => (covered(name) || !permitted(name) ? undefined : cache.context(name));
      // The default certificate (connections without a server name: IP addresses) is renewed in place.
      this.renewTimer = setInterval(() => {
        cache.get(names).then(
          (leaf) => void (current = leaf),
          (err: Error) => this.o.log?.warn({ err: err.message }, 'TLS certificate renewal failed; the current one stays'),
        );
      }, 60_000);
      this.renewTimer.unref();
    }
    const server = createNetServer((raw: Socket) => {
      raw.on('error', noop);
      this.track(raw);
      if (this.closing) return void raw.destroy();
      this.terminate(raw, context(), sni, (s) => ({ via: 'tls', target: s.servername || undefined, tls: true }), 'tls', { port: o.port, remote: raw.remoteAddress });
    });
    this.tlsServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  get tlsAddress(): AddressInfo | undefined {
    const a = this.tlsServer?.address();
    return typeof a === 'object' && a ? a : undefined;
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Stops the TLS port and ends what this module holds: tunnels, handshakes, and idle decrypted
   * connections at once; a connection with an answer in flight right after that answer, which
   * says `Connection: close` (`force`: everything at once). The HTTP server does not count these
   * connections, so nothing else would end a keep-alive one before its timeout.
   */
  close(force = false): Promise<void> {
    this.closing = true;
    clearInterval(this.renewTimer);
    const closed = this.tlsServer ? new Promise<void>((resolve) => this.tlsServer!.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) {
      const res = force ? undefined : this.o.answering(socket);
      if (!res) {
        socket.destroy();
        continue;
      }
      if (!res.headersSent) res.setHeader('connection', 'close');
      res.once('finish', () => {
        socket.end();
        setTimeout(() => socket.destroy(), this.o.bounds.drainMs).unref();
      });
      res.once('close', () => {
        if (!res.writableFinished) socket.destroy();
      });
    }
    return force ? closed : Promise.resolve();
  }
}
