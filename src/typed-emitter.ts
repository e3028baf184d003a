/**
 * Compile-time event typing for the EventEmitter subclasses (`Client`,
 * `FtpServer`, the control channel): each event name has one listener
 * signature, so `client.on("progress", (p) => …)` infers `p` and a
 * misspelled event name is a type error. Types only: at run time these
 * classes are plain `node:events` EventEmitters.
 *
 * Kept here instead of depending on the `typed-emitter` package, whose
 * optional dependency (rxjs, about 12 MB) npm installs with it by default,
 * for no use in ftpwire.
 *
 * Use: `class X extends (EventEmitter as new () => TypedEmitter<XEvents>)`.
 */

/**
 * The widest listener: `never[]` rather than `any[]` parameters, so that every
 * concrete signature fits it without `any` reaching the public types.
 */
type AnyListener = (...args: never[]) => void;

/** Event name → listener signature. An interface or a type alias both fit. */
export type EventMap<Events> = { readonly [Name in keyof Events]: AnyListener };

/** The event names Node accepts (an EventEmitter takes strings and symbols). */
type EventName<Events> = keyof Events & (string | symbol);

/** The EventEmitter methods, each narrowed to the event map. */
export interface TypedEmitter<Events extends EventMap<Events>> {
  on<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  addListener<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  prependListener<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  once<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  prependOnceListener<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  off<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  removeListener<E extends EventName<Events>>(event: E, listener: Events[E]): this;
  removeAllListeners<E extends EventName<Events>>(event?: E): this;

  emit<E extends EventName<Events>>(event: E, ...args: Parameters<Events[E]>): boolean;

  listeners<E extends EventName<Events>>(event: E): Array<Events[E]>;
  rawListeners<E extends EventName<Events>>(event: E): Array<Events[E]>;
  listenerCount<E extends EventName<Events>>(event: E, listener?: Events[E]): number;
  eventNames(): Array<string | symbol>;

  getMaxListeners(): number;
  setMaxListeners(count: number): this;
}
