/**
 * The node's DICOM C-STORE listener (dcmjs-dimse SCP): the PACS sends to it, every instance goes through
 * de-identification into the node's store. Associations from calling AE titles that are not listed are
 * rejected, as are called AE titles other than ours; presentation contexts are accepted only for the
 * configured storage SOP classes (and Verification, for C-ECHO). The dataset bytes are captured as
 * received and wrapped into a Part 10 file, never decoded on the way.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import type dimseModule from 'dcmjs-dimse';
import type { ResolvedDicomConfig } from './dicom-config.js';
import type { DicomStore, IngestOutcome } from './dicom-store.js';
import { part10File } from './part10.js';
import { PduGate } from './pdu-gate.js';

/** Largest A-ASSOCIATE-RQ accepted (bytes): 128 presentation contexts of 16 transfer syntaxes fit. */
const MAX_ASSOCIATE_RQ_LENGTH = 256 * 1024;

type Association = InstanceType<typeof dimseModule.association.Association>;
type PresentationContext = InstanceType<typeof dimseModule.association.PresentationContext>;
type CStoreRequest = InstanceType<typeof dimseModule.requests.CStoreRequest>;
type CEchoRequest = InstanceType<typeof dimseModule.requests.CEchoRequest>;

/** Transfer syntaxes accepted, best first: the uncompressed ones, then encapsulated pixel data kept as sent. */
export const ACCEPTED_TRANSFER_SYNTAXES: readonly string[] = [
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian (inflated under a size limit)
  '1.2.840.10008.1.2.2', // Explicit VR Big Endian (retired)
  '1.2.840.10008.1.2.5', // RLE Lossless
  '1.2.840.10008.1.2.4.50', // JPEG Baseline
  '1.2.840.10008.1.2.4.51', // JPEG Extended
  '1.2.840.10008.1.2.4.57', // JPEG Lossless
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.4.201', // HTJ2K Lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K Lossless RPCL
  '1.2.840.10008.1.2.4.203', // HTJ2K
];

/** What the listener tells its owner, for logging (no patient values, only de-identified UIDs and codes). */
export type ListenerEvent =
  | { readonly type: 'association-rejected'; readonly callingAeTitle: string; readonly reason: string }
  | { readonly type: 'association'; readonly callingAeTitle: string }
  | { readonly type: 'echo'; readonly callingAeTitle: string }
  | { readonly type: 'stored'; readonly callingAeTitle: string; readonly outcome: IngestOutcome }
  | { readonly type: 'refused'; readonly callingAeTitle: string; readonly reason: string }
  | { readonly type: 'network-error'; readonly message: string }
  | { readonly type: 'aborted'; readonly callingAeTitle: string; readonly reason: string };

/** A running listener. */
export interface CStoreListener {
  /** The port it listens on (the configured one, or the one the system chose for port 0). */
  readonly port: number;
  /** Stops accepting associations, closes open ones, and waits for instances being stored. */
  close(): Promise<void>;
}

/** Options of {@link startCStoreListener}. */
export interface CStoreListenerOptions {
  readonly listener: NonNullable<ResolvedDicomConfig['listener']>;
  readonly store: DicomStore;
  readonly onEvent?: (e: ListenerEvent) => void;
}

/** Collects a C-STORE dataset as it arrives, up to a size limit (beyond it the bytes are dropped). */
class DatasetCollector extends Writable {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  overflow = false;
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.overflow) {
      this.bytes += chunk.length;
      if (this.bytes > this.limit) {
        this.overflow = true;
        this.chunks.length = 0;
      } else this.chunks.push(Buffer.from(chunk));
    }
    cb();
  }
}

function chooseTransferSyntax(proposed: readonly string[]): string | undefined {
  return ACCEPTED_TRANSFER_SYNTAXES.find((ts) => proposed.includes(ts));
}

/** Starts the listener on `listener.host:listener.port`; resolves once it is listening. */
export async function startCStoreListener(opts: CStoreListenerOptions): Promise<CStoreListener> {
  // dcmjs-dimse is loaded when a listener starts: a node without one (and `fedhub simulate`) never loads it
  const dimse = (await import('dcmjs-dimse')).default;
  const { Dataset, Scp, log: dimseLog } = dimse;
  const { CEchoResponse, CStoreResponse } = dimse.responses;
  const { Status, PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass } =
    dimse.constants;
  const { listener: cfg, store } = opts;
  const emit = opts.onEvent ?? (() => {});
  // dcmjs-dimse logs every PDU (and datasets, on request) to the console: the owner logs what matters.
  dimseLog.setLevel('silent');
  const allowed = new Set(cfg.allowedCallingAeTitles);
  const sopClasses = new Set(cfg.acceptedSopClasses);
  const inFlight = new Set<Promise<unknown>>();
  const collectors = new WeakMap<object, DatasetCollector>();

  class NodeScp extends Scp {
    private calling = '';
    private assoc: Association | undefined;

    override associationRequested(association: Association): void {
      this.assoc = association;
      this.calling = association.getCallingAeTitle().trim();
      const called = association.getCalledAeTitle().trim();
      if (!allowed.has(this.calling)) {
        emit({
          type: 'association-rejected',
          callingAeTitle: this.calling,
          reason: 'calling AE title not allowed',
        });
        this.sendAssociationReject(
          RejectResult.Permanent,
          RejectSource.ServiceUser,
          RejectReason.CallingAeNotRecognized,
        );
        return;
      }
      if (called !== cfg.aeTitle) {
        emit({
          type: 'association-rejected',
          callingAeTitle: this.calling,
          reason: `called AE title "${called}" is not ours`,
        });
        this.sendAssociationReject(
          RejectResult.Permanent,
          RejectSource.ServiceUser,
          RejectReason.CalledAeNotRecognized,
        );
        return;
      }
      for (const { id } of association.getPresentationContexts()) {
        const ctx: PresentationContext = association.getPresentationContext(id);
        const abstract = ctx.getAbstractSyntaxUid();
        if (abstract !== SopClass.Verification && !sopClasses.has(abstract)) {
          ctx.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const ts = chooseTransferSyntax(ctx.getTransferSyntaxUids());
        if (ts) ctx.setResult(PresentationContextResult.Accept, ts);
        else ctx.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      emit({ type: 'association', callingAeTitle: this.calling });
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    // The peer aborted (e.g. none of its SOP classes was accepted): the socket is closed in createServer,
    // since a sender like storescu waits for the close before it exits.
    override abort(): void {}

    override cEchoRequest(
      request: CEchoRequest,
      callback: (r: InstanceType<typeof CEchoResponse>) => void,
    ): void {
      emit({ type: 'echo', callingAeTitle: this.calling });
      const response = CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createStoreWritableStream(_ctx: PresentationContext, request: CStoreRequest): Writable {
      const c = new DatasetCollector(cfg.maxInstanceBytes);
      collectors.set(request, c);
      return c;
    }

    override createDatasetFromStoreWritableStream(
      _writable: Writable,
      ctx: PresentationContext,
      callback: (dataset: InstanceType<typeof Dataset>) => void,
    ): void {
      // The bytes stay in the collector; dcmjs-dimse only needs a dataset object to carry on.
      callback(new Dataset({}, ctx.getAcceptedTransferSyntaxUid()));
    }

    override cStoreRequest(
      request: CStoreRequest,
      callback: (r: InstanceType<typeof CStoreResponse>) => void,
    ): void {
      const response = CStoreResponse.fromRequest(request);
      const c = collectors.get(request);
      collectors.delete(request);
      const ts = this.assoc
        ?.getAcceptedPresentationContextFromRequest(request)
        ?.getAcceptedTransferSyntaxUid();
      const calling = this.calling;
      if (!c || !ts) {
        emit({ type: 'refused', callingAeTitle: calling, reason: 'no dataset or presentation context' });
        response.setStatus(Status.ProcessingFailure);
        callback(response);
        return;
      }
      if (c.overflow) {
        emit({
          type: 'refused',
          callingAeTitle: calling,
          reason: `instance larger than maxInstanceBytes (${cfg.maxInstanceBytes})`,
        });
        response.setStatus(0xa700); // Refused: Out of Resources (C-STORE)
        callback(response);
        return;
      }
      const file = part10File({
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid: ts,
        sourceAeTitle: calling,
        dataset: Buffer.concat(c.chunks),
      });
      const p = store.ingest(file, { kind: 'c-store', name: calling }).then(
        (outcome) => {
          emit({ type: 'stored', callingAeTitle: calling, outcome });
          // 0xC000 (cannot understand) for unreadable input, so the sender's operator sees it; a file refused by
          // policy was taken into quarantine, so the sender must not resend it.
          response.setStatus(
            outcome.status === 'quarantined' && outcome.unreadable ? 0xc000 : Status.Success,
          );
          callback(response);
        },
        (err: Error) => {
          emit({ type: 'refused', callingAeTitle: calling, reason: err.message });
          response.setStatus(Status.ProcessingFailure);
          callback(response);
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }

  const sockets = new Set<Socket>();
  const maxAssociations = cfg.maxAssociations ?? 16;
  const onConnection = (socket: Socket) => {
    if (sockets.size >= maxAssociations) {
      emit({
        type: 'network-error',
        message: `more than ${maxAssociations} open associations: connection closed`,
      });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // the gate frames and bounds PDUs and checks AE titles before dcmjs-dimse sees a byte (pdu-gate.ts)
    const gate = new PduGate(socket, {
      aeTitle: cfg.aeTitle,
      allowedCallingAeTitles: allowed,
      maxAssociateRqLength: MAX_ASSOCIATE_RQ_LENGTH,
      onRefusal: (r) =>
        emit(
          r.kind === 'abort'
            ? { type: 'aborted', callingAeTitle: r.callingAeTitle, reason: r.reason }
            : { type: 'association-rejected', callingAeTitle: r.callingAeTitle, reason: r.reason },
        ),
    });
    const scp = new NodeScp(gate as unknown as Socket, {
      associationTimeout: 60_000,
      pduTimeout: 60_000,
    }) as InstanceType<typeof NodeScp> & { connected: boolean };
    scp.connected = true;
    scp.on('abort', () => socket.destroy());
    scp.on('networkError', (e: Error) => {
      emit({ type: 'network-error', message: e.message });
      socket.end();
    });
  };
  // DICOM over TLS (PS3.15 B.1) where configured: the gate then reads the decrypted stream
  const server: Server = cfg.tls
    ? createTlsServer(
        {
          key: cfg.tls.key,
          cert: cfg.tls.cert,
          ...(cfg.tls.ca ? { ca: cfg.tls.ca } : {}),
          requestCert: cfg.tls.requireClientCertificate,
          rejectUnauthorized: cfg.tls.requireClientCertificate,
          minVersion: 'TLSv1.2',
        },
        onConnection,
      ).on('tlsClientError', (e) => emit({ type: 'network-error', message: `TLS: ${e.message}` }))
    : createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => emit({ type: 'network-error', message: e.message }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
