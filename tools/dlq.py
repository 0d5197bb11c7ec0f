"""Dead-letter queues from the command line (`etwinning dlq`): the reading and redriving live
in `shared.messaging.dead_letters`, which every service's `/dead-letters` API also uses."""

from shared.messaging.dead_letters import FAILURE_HEADERS, DeadLetter, peek, redrive

__all__ = ["FAILURE_HEADERS", "DeadLetter", "peek", "redrive"]
