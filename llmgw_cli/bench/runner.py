"""Run a benchmark end to end: preflight, warm-up, the measured load with resource sampling,
then samples and metrics. ``run`` owns its event loop (a ``PhaseLoop``, so TCP and TLS are
timed apart); ``run_async`` runs inside a caller's loop (TLS then folds into TCP).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llmgw_cli.bench import metrics, phases
from llmgw_cli.bench.load import Generator, ProgressFn, new_session, preflight
from llmgw_cli.bench.record import Record, Sample, to_sample
from llmgw_cli.bench.resources import Sampler, listener_pid
from llmgw_cli.bench.stats import Slo
from llmgw_cli.bench.target import Options, Target, label_targets


@dataclass
class Result:
    options: Options
    slo: Slo | None
    targets: list[Target]
    samples: list[list[Sample]]  # per run, in order of issue
    runs: list[dict[str, Any]]  # per run, the --json shape
    # Per run, the warm-up requests (left out of ``runs``; the report draws them before 0).
    warmup: list[list[Sample]] = field(default_factory=list)
    finished_at: float = field(default_factory=time.time)  # wall clock, for the report

    @property
    def document(self) -> dict[str, Any]:
        return metrics.document(self.options, self.slo, self.runs)

    def failures(self) -> list[str]:
        """Why the benchmark failed (exit 1): a run where every request failed, a missed SLO."""
        out: list[str] = []
        for run in self.runs:
            if run["requests"] and not run["ok"]:
                errors = ", ".join(f"{k}×{v}" for k, v in run["errors"].items())
                out.append(f"{run['label']}: every request failed ({errors})")
            good = run["goodput"]
            if good is not None and not good["passed"]:
                out.append(
                    f"{run['label']}: SLO missed: {100 * good['fraction']:.1f}% of requests "
                    f"met it, {good['slo']['p']:g}% needed"
                )
        return out


def run(
    targets: list[Target],
    options: Options,
    slo: Slo | None = None,
    on_progress: ProgressFn | None = None,
) -> Result:
    """Run on a fresh ``PhaseLoop`` in this thread (which must not be running a loop)."""
    loop = phases.new_loop()
    asyncio.set_event_loop(loop)
    main = loop.create_task(run_async(targets, options, slo, on_progress))
    try:
        return loop.run_until_complete(main)
    except BaseException:
        main.cancel()
        loop.run_until_complete(asyncio.gather(main, return_exceptions=True))
        raise
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()


async def run_async(
    targets: list[Target],
    options: Options,
    slo: Slo | None = None,
    on_progress: ProgressFn | None = None,
) -> Result:
    options.validate()
    label_targets(targets)
    await asyncio.gather(*(preflight(t) for t in targets))
    pids = {t.label: listener_pid(t.host, t.port) for t in targets}
    pool = options.open_loop_connections if options.rate is not None else options.concurrency
    sessions = [new_session(t, pool, options.timeout_s) for t in targets]
    try:
        gen = Generator(targets, options, sessions)
        reporter = asyncio.create_task(gen.report(on_progress)) if on_progress else None
        try:
            warm: list[list[Record]] = []
            if options.warmup:
                await gen.run(options.warmup, None, warmup=True)
                warm = gen.records
            sampler = Sampler(pids)
            sampler.start()
            try:
                origin = await gen.run(options.requests, options.duration_s, warmup=False)
            finally:
                sampler.stop()
        finally:
            if reporter is not None and on_progress is not None:
                reporter.cancel()
                await asyncio.gather(reporter, return_exceptions=True)
                on_progress(gen.progress())  # the last word: every request counted
        records = gen.records
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    result = finish(targets, options, slo, records, origin, sampler)
    result.warmup = [sorted((to_sample(r, origin) for r in recs), key=_seq) for recs in warm]
    return result


def _seq(sample: Sample) -> int:
    return sample.seq


def finish(
    targets: list[Target],
    options: Options,
    slo: Slo | None,
    records: list[list[Record]],
    origin: float,
    sampler: Sampler,
) -> Result:
    samples: list[list[Sample]] = []
    runs: list[dict[str, Any]] = []
    for target, recs in zip(targets, records, strict=True):
        counter: list[Callable[[str], int]] = []

        def estimate(
            text: str, model: str = target.model, counter: list[Callable[[str], int]] = counter
        ) -> int:
            if not counter:  # loading a tokenizer costs a second: only when usage is missing
                counter.append(metrics.make_estimator(model))
            return counter[0](text)

        recs.sort(key=lambda r: r.seq)
        run_samples = [to_sample(r, origin, estimate) for r in recs]
        samples.append(run_samples)
        examples = error_examples(recs, target.secret)
        tokens_by = metrics.estimator_label(target.model)
        usage = sampler.usage(target.label)
        runs.append(metrics.run_metrics(target, run_samples, slo, usage, tokens_by, examples))
    return Result(options, slo, targets, samples, runs)


def error_examples(records: list[Record], secret: str | None) -> dict[str, str]:
    """The first error body or message for each error key, the secret masked out."""
    from llmgw_cli.config.secretref import redact

    out: dict[str, str] = {}
    for rec in records:
        if rec.error is not None and rec.error not in out:
            detail = " ".join((rec.detail or "").split())[:200]
            out[rec.error] = redact(detail, secret)
    return dict(sorted(out.items()))
