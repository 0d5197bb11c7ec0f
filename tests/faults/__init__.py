"""The fault-injection suite (issue 9): the platform loses nothing and duplicates nothing when
processes die, the broker restarts, the database goes away or someone publishes garbage.

Real RabbitMQ and SecantusDB throughout; where a process dies, services run as OS processes
(tests/support/processes.py) and are crashed at exact points by the test-only fault hook
(shared/faults.py). Each test ends on tests/support/invariants.py: queues empty, no outbox
entry pending, the DLQs hold exactly the expected messages, one effect per event id.

Scenario -> test (tests reused from elsewhere are named with their module):

1. duplicate delivery: same event id twice, and two replicas receiving it at once
   -> tests/integration/test_core_reliability.py::
      test_a_redelivered_duplicate_is_acked_without_a_second_effect,
      test_two_instances_receiving_the_same_event_at_once_make_one_effect
2. consumer SIGKILLed mid-handler before commit; after commit, before ack
   -> test_process_crashes.py::test_a_consumer_killed_mid_message_leaves_one_effect_after_a_restart
      (both points; test_core_reliability.py::
      test_a_consumer_dying_after_commit_before_ack_does_not_repeat_the_effect is the older
      variant of the second one, which patches the unit of work instead of using the hook)
3. publisher SIGKILLed after commit, before publish; after publish, before marking published
   -> test_process_crashes.py::test_a_publisher_killed_around_its_publish_delivers_every_event_once
4. RabbitMQ restarted with flows in flight, graceful and hard kill
   -> test_broker_restart.py (marker broker_restart: runs last in the session)
5. RabbitMQ down when a service starts
   -> tests/integration/resilience/test_broker_absent_at_start.py;
   MongoDB down when a service starts (issue 13 §6) -> test_database_absent_at_start.py
6. database unavailable for 10 s; and longer than the retry budget, then `dlq redrive`
   -> test_database_outage.py
7. malformed input: invalid JSON, wrong schema, unknown type, unsupported version
   -> tests/integration/test_core_reliability.py::
      test_malformed_messages_go_to_the_dlq_on_the_first_attempt_and_do_not_block;
   oversized -> test_oversized_message.py; bodies that escaped the decoding (issue 13 §1),
   mismatched routing keys and a property test of 2,000+ generated bodies
   -> tests/integration/registration/test_unreadable_intake.py, test_intake_property.py;
   a stalled consumer's readiness -> tests/integration/resilience/test_stalled_consumer.py
8. poison message that crashes the process every time
   -> test_poison_and_shutdown.py::
      test_a_message_that_kills_its_consumer_is_dead_lettered_by_the_delivery_limit
9. SIGTERM during a handler, short and long
   -> test_poison_and_shutdown.py::test_sigterm_lets_a_short_handler_finish_and_ack,
      test_sigterm_during_a_long_handler_hands_the_message_to_a_replica
10. SMTP server down during notifications
   -> tests/integration/notifications/test_delivery.py::
      test_an_smtp_outage_ends_in_exactly_one_email_after_recovery
"""
