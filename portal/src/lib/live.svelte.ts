/**
 * The live balance: one EventSource on GET /api/v1/events, exposed as reactive
 * state (Svelte 5 runes).
 *
 * - `snapshot` (first event) and `balance` events carry the account's sequence;
 *   state only ever moves forward in sequence, so a late REST answer or a
 *   replayed event can't roll the balance back.
 * - A `balance` event whose sequence skips ahead (sequence > last + 1) means
 *   events were missed: `onResync` refetches balance and transactions
 *   (shared/DESIGN.md, "Live events").
 * - `notification`, `account` and `hold` events carry no sequence: passed to
 *   `onNotice`; a `hold` event also updates held / available.
 * - EventSource reconnects by itself after a dropped connection (status
 *   "reconnecting"). If it gives up (readyState CLOSED, e.g. a 5xx or a proxy
 *   closing the stream), we recreate it with capped, jittered exponential backoff.
 */
import { openEventStream, type BalanceEvent, type LedgerEntry, type NoticeEvent, type SnapshotEvent } from "./api";

/** SSE event names of notices (no sequence; see NoticeEvent). */
const NOTICE_EVENTS = ["notification", "account", "hold"] as const;

export type ConnectionStatus = "connecting" | "live" | "reconnecting";

export interface BalanceState {
  currency: string;
  balance: number;
  held: number;
  available: number;
  sequence: number;
}

export interface LiveBalanceOptions {
  /** A new ledger entry arrived, in sequence order. */
  onEntry?: (entry: LedgerEntry) => void;
  /** Events were missed (sequence gap or a fresh stream after an outage): refetch. */
  onResync?: () => void;
  /** The stream was closed for good; a chance to check the session (401 -> login). */
  onClosed?: () => void;
  /** A notice arrived (auto top-up outcome, suspension, hold change). */
  onNotice?: (notice: NoticeEvent) => void;
  /** Opens the stream; default the session's GET /events (the console passes an account's stream). */
  open?: () => EventSource;
}

/** First retry after the stream closes, doubled per attempt up to the cap. */
const BACKOFF_INITIAL_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export class LiveBalance {
  status = $state<ConnectionStatus>("connecting");
  state = $state<BalanceState | null>(null);

  #options: LiveBalanceOptions;
  #source: EventSource | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #stopped = true;
  #hadSnapshot = false;

  constructor(options: LiveBalanceOptions = {}) {
    this.#options = options;
  }

  /** Opens the stream and listens for network / visibility changes. Idempotent. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    window.addEventListener("online", this.#reconnectNow);
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.#connect();
  }

  /** Closes the stream and cancels any pending reconnect. */
  stop(): void {
    this.#stopped = true;
    window.removeEventListener("online", this.#reconnectNow);
    document.removeEventListener("visibilitychange", this.#onVisibility);
    this.#clearRetry();
    this.#source?.close();
    this.#source = null;
  }

  /**
   * Applies a balance read through REST (GET /balance). Ignored when the stream
   * already delivered a newer sequence.
   */
  applyRest(next: BalanceState): void {
    if (this.state && next.sequence < this.state.sequence) return;
    this.state = next;
  }

  #connect(): void {
    this.#source?.close();
    const source = (this.#options.open ?? openEventStream)();
    this.#source = source;
    if (this.status !== "reconnecting") this.status = "connecting";

    source.addEventListener("open", () => {
      if (this.#source !== source) return;
      this.#attempt = 0;
    });
    source.addEventListener("snapshot", (event) => {
      if (this.#source !== source) return;
      this.#onSnapshot(event as MessageEvent<string>);
    });
    source.addEventListener("balance", (event) => {
      if (this.#source !== source) return;
      this.#onBalance(event as MessageEvent<string>);
    });
    for (const name of NOTICE_EVENTS) {
      source.addEventListener(name, (event) => {
        if (this.#source !== source) return;
        this.#onNotice(event as MessageEvent<string>);
      });
    }
    source.addEventListener("error", () => {
      if (this.#source !== source || this.#stopped) return;
      this.status = "reconnecting";
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up; recreate it ourselves.
        source.close();
        this.#source = null;
        this.#options.onClosed?.();
        this.#scheduleRetry();
      }
    });
  }

  #onSnapshot(event: MessageEvent<string>): void {
    const data = parse<SnapshotEvent>(event.data);
    if (!data) return;
    this.status = "live";
    this.#attempt = 0;
    const previous = this.state;
    // A new stream after an outage: entries may have been committed meanwhile.
    const missed = this.#hadSnapshot && previous !== null && data.sequence !== previous.sequence;
    this.#hadSnapshot = true;
    if (!previous || data.sequence >= previous.sequence) this.state = pick(data);
    if (missed) this.#options.onResync?.();
  }

  #onBalance(event: MessageEvent<string>): void {
    const data = parse<BalanceEvent>(event.data);
    if (!data) return;
    this.status = "live";
    const previous = this.state;
    if (previous && data.sequence <= previous.sequence) return; // replay of something we have
    const gap = previous !== null && data.sequence > previous.sequence + 1;
    this.state = pick(data);
    if (data.entry) this.#options.onEntry?.(data.entry);
    if (gap) this.#options.onResync?.();
  }

  /** Hold changes move `held` without a ledger entry: apply them to the current state. */
  #onNotice(event: MessageEvent<string>): void {
    const notice = parse<NoticeEvent>(event.data);
    if (!notice) return;
    const held = notice.data.held;
    if (notice.event === "hold" && typeof held === "number" && this.state) {
      this.state = { ...this.state, held, available: this.state.balance - held };
    }
    this.#options.onNotice?.(notice);
  }

  #scheduleRetry(): void {
    this.#clearRetry();
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** this.#attempt);
    // Full jitter on the upper half so many tabs don't reconnect in lockstep.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** Back online or tab visible again: skip the remaining backoff. */
  #reconnectNow = (): void => {
    if (this.#stopped || this.status === "live") return;
    if (this.#source && this.#source.readyState !== EventSource.CLOSED) return;
    this.#clearRetry();
    this.#attempt = 0;
    this.#connect();
  };

  #onVisibility = (): void => {
    if (document.visibilityState === "visible") this.#reconnectNow();
  };
}

function pick(data: SnapshotEvent): BalanceState {
  return {
    currency: data.currency,
    balance: data.balance,
    held: data.held,
    available: data.available,
    sequence: data.sequence,
  };
}

function parse<T>(raw: string): T | null {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}
