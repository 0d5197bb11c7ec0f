"""Prometheus metrics of a service process, served at GET /metrics.

One registry per process (per app, so in-process tests stay independent). Names follow
Prometheus conventions; `event_type` labels are bounded by the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

if TYPE_CHECKING:
    from shared.messaging.deliveries import HeldDeliveries

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class ServiceMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        labels = ["event_type"]
        self.consumed = Counter(
            "etwinning_messages_consumed_total",
            "Messages whose effect committed (duplicates included, see outcome)",
            [*labels, "outcome"],
            registry=self.registry,
        )
        self.failed = Counter(
            "etwinning_messages_failed_total",
            "Handling attempts that failed (each retry counts)",
            [*labels, "kind"],
            registry=self.registry,
        )
        self.dead_lettered = Counter(
            "etwinning_messages_dead_lettered_total",
            "Messages moved to the dead-letter queue",
            [*labels, "reason"],
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "etwinning_handler_duration_seconds",
            "Time from delivery to commit of a handled message",
            labels,
            buckets=HANDLER_BUCKETS,
            registry=self.registry,
        )
        self.published = Counter(
            "etwinning_events_published_total",
            "Outbox events confirmed by the broker",
            labels,
            registry=self.registry,
        )
        self.deliveries_failed = Counter(
            "etwinning_deliveries_failed_total",
            "Deliveries (email, webhook) that spent their attempts and were marked failed",
            ["channel"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "etwinning_outbox_pending", "Outbox entries not yet published", registry=self.registry
        )
        self.outbox_oldest_age = Gauge(
            "etwinning_outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished outbox entry (0 when none)",
            registry=self.registry,
        )
        self.outbox_failed = Gauge(
            "etwinning_outbox_failed",
            "Outbox entries that spent their publish attempts (need an operator)",
            registry=self.registry,
        )
        self.held_deliveries = Gauge(
            "etwinning_consumer_held_deliveries",
            "Deliveries the consumer received and has not yet acked, rejected or dead-lettered",
            registry=self.registry,
        )
        self.seconds_without_progress = Gauge(
            "etwinning_consumer_seconds_without_progress",
            "How long the consumer has held deliveries without settling any (0 when it holds none)",
            registry=self.registry,
        )
        self.consumer_stalled = Gauge(
            "etwinning_consumer_stalled",
            "1 while the consumer holds deliveries without progress beyond "
            "CONSUMER_STALL_SECONDS (readiness then fails on `consumer`)",
            registry=self.registry,
        )
        self.not_ready = Gauge(
            "etwinning_not_ready",
            "1 for each readiness check that failed at the last probe (broker, database, "
            "startup, consumer), else 0",
            ["check"],
            registry=self.registry,
        )
        self.db_commands = Counter(
            "etwinning_db_commands_total",
            "MongoDB commands sent by this process (each one a round trip), by database and "
            "command name (commitTransaction runs on `admin`)",
            ["database", "command"],
            registry=self.registry,
        )

    def watch(self, held: HeldDeliveries) -> None:
        """Export the consumer's held deliveries, read at each scrape."""
        self.held_deliveries.set_function(lambda: held.count)
        self.seconds_without_progress.set_function(held.seconds_without_progress)
        self.consumer_stalled.set_function(lambda: 1.0 if held.stalled() else 0.0)
