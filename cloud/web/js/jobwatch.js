/**
 * Follows the jobs the page created: polls GET /jobs while any is pending, announces each
 * outcome once, and tells listeners ("change") so views can refresh what the job changed.
 */

import { reason, t } from "./i18n.js";
import { FAILED_JOB, PENDING_JOB } from "./model.js";
import { toast } from "./ui.js";

const POLL_MS = 1500;

export class JobWatcher extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.tracked = new Map(); // job id → {label, target}
    this.jobs = [];
    this.timer = null;
  }

  /** Start following a job this page created; ``target`` is e.g. "alert:41" or "event:7". */
  track(jobId, label, target = "") {
    if (!jobId) return;
    this.tracked.set(jobId, { label, target });
    this.#emit();
    this.poll();
  }

  /** Targets with a change still pending, for "pending" marks in views. */
  pendingTargets() {
    return new Set([...this.tracked.values()].map((t) => t.target).filter(Boolean));
  }

  get pending() {
    return this.jobs.some((job) => PENDING_JOB.has(job.status)) || this.tracked.size > 0;
  }

  async poll() {
    clearTimeout(this.timer);
    try {
      this.jobs = await this.api.jobs();
      this.#settle();
    } catch {
      // keep polling; the views show API errors themselves
    }
    this.#emit();
    if (this.pending) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  stop() {
    clearTimeout(this.timer);
    this.tracked.clear();
  }

  #settle() {
    for (const job of this.jobs) {
      const mine = this.tracked.get(job.job_id);
      if (!mine || PENDING_JOB.has(job.status)) continue;
      this.tracked.delete(job.job_id);
      if (FAILED_JOB.has(job.status)) {
        toast(job.reason ? t("toast.failedBecause", { label: mine.label, reason: reason(job.reason) })
          : t("toast.failed", { label: mine.label }), "bad");
      } else {
        toast(t("toast.done", { label: mine.label }), "ok");
      }
      this.dispatchEvent(new CustomEvent("finished", { detail: job }));
    }
  }

  #emit() {
    this.dispatchEvent(new CustomEvent("change"));
  }
}
