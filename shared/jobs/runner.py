"""The job worker: claims a job of one of its kinds under a lease, runs it, records the end.

A kind is an object with a `name` and `async run(job: RunningJob) -> result`. It does its
work in steps, each `job.step(...)`: one transaction holding the step's effects and the new
checkpoint (progress and the state a resumed run starts from). A kind resumes from
`job.state`, which is the state of the last committed step; since the state and the effects
commit together, a worker killed at any point leaves either both or neither, and the next
claim (after the lease runs out) continues with exactly-once effects.

Failures: a PermanentError (a rule refused, a round unknown) ends the job failed at once; any
other error (the database away) lets the job be claimed again after a backoff, up to
`max_attempts` claims; a lease lost to another worker stops this one silently.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from uuid import uuid4

from pymongo.asynchronous.database import AsyncDatabase

from shared.errors import PermanentError
from shared.events.base import EventPayload
from shared.faults import fault_point
from shared.jobs import store
from shared.logging import get_logger
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork
from shared.workers import PollingWorker

log = get_logger(__name__)
T = TypeVar("T")
Clock = Callable[[], datetime]
FinishedEvent = Callable[[Document], EventPayload]


class JobCancelled(Exception):
    """The job was asked to stop and reached a step where its kind allows it."""


class RunningJob:
    """What a kind sees of the job it runs."""

    def __init__(
        self,
        document: Document,
        uow: UnitOfWork,
        owner: str,
        lease: timedelta,
        clock: Clock,
    ) -> None:
        self.id: str = document["_id"]
        self.params: Mapping[str, Any] = document.get("params") or {}
        self.requested_by: Mapping[str, Any] = document.get("requested_by") or {}
        self.state: dict[str, Any] = dict(document.get("state") or {})
        self.progress: dict[str, Any] = dict(document.get("progress") or {})
        self.uow = uow
        self.clock = clock
        self._owner = owner
        self._lease = lease

    @property
    def database(self) -> AsyncDatabase[Document]:
        return self.uow.database

    async def step(
        self,
        work: Callable[[Transaction], Awaitable[T]] | None,
        *,
        done: int | Callable[[T | None], int],
        total: int | None,
        step: str,
        state: Mapping[str, Any] | Callable[[T | None], Mapping[str, Any]],
        cancellable: bool = True,
    ) -> T | None:
        """Run `work` and record the checkpoint in one transaction; `done` and `state` may be
        computed from what `work` returned. After the commit, a cancellation asked for
        meanwhile stops the job here if `cancellable`."""
        progress: dict[str, Any] = {"done": 0, "total": total, "step": step}

        async def in_one_transaction(
            tx: Transaction,
        ) -> tuple[T | None, Document, Mapping[str, Any]]:
            result = None if work is None else await work(tx)
            new_state = state(result) if callable(state) else state
            progress["done"] = done(result) if callable(done) else done
            marked = await store.checkpoint(
                tx,
                self.id,
                self._owner,
                progress=progress,
                state=new_state,
                now=self.clock(),
                lease=self._lease,
            )
            await fault_point("job.before_checkpoint_commit", self.id)
            return result, marked, new_state

        result, marked, new_state = await self.uow.run(in_one_transaction)
        self.state, self.progress = dict(new_state), progress
        await fault_point("job.after_checkpoint", self.id)
        if cancellable and marked.get("cancel_requested"):
            raise JobCancelled(self.id)
        return result

    async def report(self, *, done: int, total: int | None, step: str) -> None:
        """Progress of work that writes nothing yet (reads, computing): a checkpoint with
        the state unchanged."""
        await self.step(None, done=done, total=total, step=step, state=self.state)


class JobKind(Protocol):
    name: str

    async def run(self, job: RunningJob) -> Mapping[str, Any]: ...


class JobWorker(PollingWorker):
    name = "jobs"

    def __init__(
        self,
        uow: UnitOfWork,
        kinds: Sequence[JobKind],
        finished_event: FinishedEvent,
        clock: Clock,
        *,
        poll_seconds: float = 1.0,
        lease_seconds: float = 30.0,
        max_attempts: int = 5,
        retry_seconds: float = 5.0,
    ) -> None:
        super().__init__(poll_seconds)
        self._uow = uow
        self._kinds = {kind.name: kind for kind in kinds}
        self._finished_event = finished_event
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts
        self._retry = timedelta(seconds=retry_seconds)
        self.owner = uuid4().hex

    async def work_once(self) -> int:
        handled = 0
        while True:
            document = await self._uow.run(self._claim)
            if document is None:
                return handled
            await self._run_job(document)
            handled += 1

    async def _claim(self, tx: Transaction) -> Document | None:
        """In a transaction, as every write to a job: a job document still held by the open
        transaction of a worker killed mid-step conflicts at once and is retried by the unit
        of work, rather than waiting inside the server (SecantusDB holds a plain write's
        retries under its storage lock, which starves the reaping of that transaction)."""
        return await store.claim(
            tx.database, self.owner, self._clock(), self._lease, session=tx.session
        )

    async def _run_job(self, document: Document) -> None:
        job_id = document["_id"]
        kind = self._kinds.get(document["kind"])
        log.info("job.claimed", job_id=job_id, kind=document["kind"], attempt=document["attempts"])
        if kind is None:
            await self._end(job_id, store.FAILED, error=f"unknown job kind {document['kind']}")
            return
        if document.get("cancel_requested"):
            await self._end(job_id, store.CANCELLED, error="cancelled before it started")
            return
        running = RunningJob(document, self._uow, self.owner, self._lease, self._clock)
        heartbeat = asyncio.create_task(self._keep_lease(job_id))
        try:
            result = await kind.run(running)
        except store.LeaseLost:
            log.warning("job.lease_lost", job_id=job_id)
            return
        except JobCancelled:
            await self._end(job_id, store.CANCELLED, result={"progress": running.progress})
            return
        except PermanentError as refused:
            await self._end(job_id, store.FAILED, error=str(refused) or type(refused).__name__)
            return
        except Exception as error:
            await self._retry_or_fail(document, error)
            return
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await self._end(job_id, store.SUCCEEDED, result=result)

    async def _keep_lease(self, job_id: str) -> None:
        """Between checkpoints (a long read), the lease is renewed at a third of its span."""
        period = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(period)
            try:
                renewed = await self._uow.run(
                    lambda tx: store.renew(
                        tx.database, job_id, self.owner, self._clock(), self._lease, tx.session
                    )
                )
                if not renewed:
                    return
            except Exception as error:
                log.warning("job.renew_failed", job_id=job_id, error=repr(error))

    async def _retry_or_fail(self, document: Document, error: Exception) -> None:
        job_id = document["_id"]
        if int(document.get("attempts", 1)) >= self._max_attempts:
            await self._end(job_id, store.FAILED, error=repr(error))
            return
        log.warning("job.retry_later", job_id=job_id, error=repr(error))
        with contextlib.suppress(Exception):
            await store.release(
                self._uow.database, job_id, self.owner, self._clock() + self._retry, repr(error)
            )

    async def _end(
        self,
        job_id: str,
        status: store.Status,
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        now = self._clock()

        async def work(tx: Transaction) -> Document:
            finished = await store.finish(
                tx, job_id, self.owner, status, now, result=result, error=error
            )
            await tx.emit(self._finished_event(finished))
            return finished

        try:
            await self._uow.run(work)
        except store.LeaseLost:
            log.warning("job.lease_lost", job_id=job_id)
            return
        log.info("job.finished", job_id=job_id, status=status, error=error)


async def cancel(
    uow: UnitOfWork, job_id: str, finished_event: FinishedEvent, now: datetime
) -> Document | None:
    """Cancel a job: a queued one ends now (with its event), a running one at its next step
    that allows it; a finished one is left as it is. None when there is no such job."""
    marked = await store.request_cancellation(uow.database, job_id)
    if marked is None:
        return await store.job(uow.database, job_id)
    if marked["status"] != store.QUEUED:
        return marked

    async def work(tx: Transaction) -> Document:
        finished = await store.finish(
            tx, job_id, None, store.CANCELLED, now, error="cancelled before it started"
        )
        await tx.emit(finished_event(finished))
        return finished

    try:
        return await uow.run(work)
    except store.LeaseLost:  # a worker claimed it meanwhile: it stops at its next step
        return await store.job(uow.database, job_id)
