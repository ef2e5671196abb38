/**
 * The sandbox controls one server holds: its clock, request journal, fault rules, signature
 * mode and partners-cache lag. Everything the admin API and `tcdeals admin` change lives here.
 */
import { Clock } from './clock.js';
import { Faults } from './faults.js';
import { Journal } from './journal.js';
import { Progression } from './progression.js';

/** strict: refuse bad signatures (default). soft: verify, log a failure, answer anyway. off: only identify the caller by SecretId. */
export type SignatureMode = 'strict' | 'soft' | 'off';
export const SIGNATURE_MODES: readonly SignatureMode[] = ['strict', 'soft', 'off'];

export interface SandboxOptions {
  clock?: Clock;
  journalSize?: number;
  signatureMode?: SignatureMode;
  faultSeed?: number;
}

export class Sandbox {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly faults: Faults;
  /** Automatic lifecycle progression (off by default). */
  readonly progression = new Progression();
  signatureMode: SignatureMode;

  constructor(options: SandboxOptions = {}) {
    this.clock = options.clock ?? new Clock();
    this.journal = new Journal(options.journalSize ?? 1000);
    this.faults = new Faults(options.faultSeed ?? 1);
    this.signatureMode = options.signatureMode ?? 'strict';
  }

  /**
   * Back to the start, as after a reset or a snapshot load: journal and fault rules emptied, the
   * clock real again, lifecycle progression off. The signature mode is a server setting and stays.
   */
  reset(): void {
    this.journal.clear();
    this.faults.clear();
    this.clock.reset();
    this.progression.set({ mode: 'off' }, this.clock.now());
  }
}
