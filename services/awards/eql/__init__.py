"""European Quality Label (R-EQL-*): the yearly round, nominations, labels."""
