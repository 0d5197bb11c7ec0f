"""What the labels share: certificates and their verification, and the facts kept from
other services' events (projects, teachers, schools)."""
